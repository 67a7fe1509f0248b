// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/u1_observables.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::flow {

U1Estimates::U1Estimates(nn::LatticeShape shape, Index replicas) : shape_(shape), replicas_(replicas)
{
  if (shape.extent_x < 1 || shape.extent_y < 1)
    throw InputError(fmt::format("U(1) estimates: lattice {} x {} has no sites", shape.extent_x, shape.extent_y));
  if (replicas < 1) throw InputError(fmt::format("U(1) estimates: {} replicas (at least 1)", replicas));
}

void U1Estimates::add(const U1Measurements& m)
{
  if (m.samples % replicas_ != 0 || m.plaquette.size() != static_cast<std::size_t>(m.samples) ||
      m.charge.size() != static_cast<std::size_t>(m.samples))
    throw std::invalid_argument(
        fmt::format("U1Estimates::add: {} samples are not whole time steps of {} replicas", m.samples, replicas_));
  const double volume = static_cast<double>(shape_.sites()), r = static_cast<double>(replicas_);
  for (Index step = 0; step < m.samples / replicas_; ++step) {
    double p = 0, q = 0, q2 = 0;
    for (Index k = 0; k < replicas_; ++k) {
      const auto s = static_cast<std::size_t>(step * replicas_ + k);
      p += m.plaquette[s];
      q += m.charge[s];
      q2 += m.charge[s] * m.charge[s] / volume;
      replica_charge_.push_back(m.charge[s]);
    }
    plaquette_.push_back(p / r);
    charge_.push_back(q / r);
    q2_.push_back(q2 / r);
  }
}

void U1Estimates::restore(U1Series s)
{
  const std::size_t steps = s.plaquette.size();
  if (s.charge.size() != steps || s.susceptibility.size() != steps ||
      s.replica_charge.size() != steps * static_cast<std::size_t>(replicas_))
    throw InputError(fmt::format("U(1) estimates: a series of {} steps with {} charges, {} susceptibilities and {} "
                                 "replica charges ({} replicas)",
                                 steps, s.charge.size(), s.susceptibility.size(), s.replica_charge.size(), replicas_));
  plaquette_ = std::move(s.plaquette);
  charge_ = std::move(s.charge);
  q2_ = std::move(s.susceptibility);
  replica_charge_ = std::move(s.replica_charge);
}

std::vector<double> U1Estimates::replica_charge_series(Index replica) const
{
  if (replica < 0 || replica >= replicas_)
    throw std::out_of_range(fmt::format("U1Estimates: replica {} of {}", replica, replicas_));
  std::vector<double> out;
  out.reserve(plaquette_.size());
  for (std::size_t t = 0; t < plaquette_.size(); ++t)
    out.push_back(replica_charge_[t * static_cast<std::size_t>(replicas_) + static_cast<std::size_t>(replica)]);
  return out;
}

U1Results U1Estimates::results() const
{
  U1Results r;
  r.steps = steps();
  r.replicas = replicas_;
  r.plaquette = gamma_method(plaquette_);
  r.charge = gamma_method(charge_);
  r.susceptibility = gamma_method(q2_);
  for (Index k = 0; k < replicas_; ++k)
    r.replica_charge.push_back(gamma_method(replica_charge_series(k)));
  return r;
}

} // namespace tessera::flow
