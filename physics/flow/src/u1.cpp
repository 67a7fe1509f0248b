// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/u1.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::flow {

namespace {
// The number of samples in theta, which must hold whole samples, and room for `room` values.
Index samples_of(Index components, Index size, Index room, const char* what)
{
  if (size % components != 0)
    throw std::invalid_argument(
        fmt::format("flow::U1Action::{}: {} values are not whole samples of {} links", what, size, components));
  if (room < size / components)
    throw std::invalid_argument(
        fmt::format("flow::U1Action::{}: {} samples but room for {} values", what, size / components, room));
  return size / components;
}
} // namespace

template <class T>
U1Action<T>::U1Action(nn::LatticeShape shape, double beta) : shape_(shape), beta_(beta)
{
  if (shape.extent_x < 1 || shape.extent_y < 1)
    throw InputError(fmt::format("U(1) action: lattice {} x {} has no sites", shape.extent_x, shape.extent_y));
  if (!(beta > 0)) throw InputError(fmt::format("U(1) action: beta = {} must be > 0", beta));
}

template <class T>
void U1Action<T>::evaluate(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta,
                           const nn::SampleValues<T>& action) const
{
  const nn::LatticeShape shape = shape_;
  const Index sites = shape.sites(), links = 2 * sites;
  const Index n =
      samples_of(links, static_cast<Index>(theta.extent(0)), static_cast<Index>(action.extent(0)), "evaluate");
  const double beta = beta_;
  par_for_team(
      "flow::u1_action", team_policy(space, n, 0, 0), KOKKOS_LAMBDA(const TeamMember& team) {
        const Index sample = team.league_rank();
        const Index base = sample * links;
        double sum = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, sites),
            [&](Index s, double& partial) { partial += Kokkos::cos(plaquette_angle<double>(theta, base, shape, s)); },
            sum);
        Kokkos::single(Kokkos::PerTeam(team), [&] { action(sample) = static_cast<T>(-beta * sum); });
      });
}

template <class T>
void U1Action<T>::gradient(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta,
                           const nn::SampleValues<T>& action, const nn::FieldBatch<T>& force) const
{
  if (force.extent(0) != theta.extent(0))
    throw std::invalid_argument(
        fmt::format("flow::U1Action::gradient: force has {} values, theta {}", force.extent(0), theta.extent(0)));
  evaluate(space, theta, action);
  const nn::LatticeShape shape = shape_;
  const Index sites = shape.sites(), links = 2 * sites;
  const double beta = beta_;
  par_for(
      "flow::u1_force", space, 0, static_cast<Index>(theta.extent(0)), KOKKOS_LAMBDA(Index i) {
        const Index base = i - i % links, k = i % links;
        const Index s = k % sites;
        double f;
        if (k < sites) // theta_0(x): in P(x) with +, in P(x - e1) with -
          f = Kokkos::sin(plaquette_angle<double>(theta, base, shape, s)) -
              Kokkos::sin(plaquette_angle<double>(theta, base, shape, shape.shifted(s, 0, -1)));
        else // theta_1(x): in P(x - e0) with +, in P(x) with -
          f = Kokkos::sin(plaquette_angle<double>(theta, base, shape, shape.shifted(s, -1, 0))) -
              Kokkos::sin(plaquette_angle<double>(theta, base, shape, s));
        force(i) = static_cast<T>(beta * f);
      });
}

template <class T>
void gauge_transform(const ExecSpace& space, nn::LatticeShape shape, const nn::FieldBatch<T>& theta,
                     const nn::ConstFieldBatch<T>& alpha)
{
  const Index sites = shape.sites(), links = 2 * sites;
  if (sites < 1 || theta.extent(0) % static_cast<std::size_t>(links) != 0 || alpha.extent(0) * 2 != theta.extent(0))
    throw std::invalid_argument(fmt::format("flow::gauge_transform: {} link angles and {} site angles are not whole "
                                            "samples of a {} x {} lattice",
                                            theta.extent(0), alpha.extent(0), shape.extent_x, shape.extent_y));
  par_for(
      "flow::u1_gauge_transform", space, 0, static_cast<Index>(theta.extent(0)), KOKKOS_LAMBDA(Index i) {
        const Index sample = i / links, k = i % links;
        const Index s = k % sites, next = k < sites ? shape.shifted(s, 1, 0) : shape.shifted(s, 0, 1);
        theta(i) += alpha(sample * sites + s) - alpha(sample * sites + next);
      });
}

template <class T>
U1Measurements measure_u1(const ExecSpace& space, nn::LatticeShape shape, const nn::ConstFieldBatch<T>& theta)
{
  const Index sites = shape.sites(), links = 2 * sites;
  if (sites < 1 || theta.extent(0) % static_cast<std::size_t>(links) != 0)
    throw std::invalid_argument(
        fmt::format("flow::measure_u1: {} values are not whole samples of {} links", theta.extent(0), links));
  const Index n = static_cast<Index>(theta.extent(0)) / links;
  View<double*> plaquette("flow::u1_plaquette", static_cast<std::size_t>(n));
  View<double*> charge("flow::u1_charge", static_cast<std::size_t>(n));
  par_for_team(
      "flow::u1_measure", team_policy(space, n, 0, 0), KOKKOS_LAMBDA(const TeamMember& team) {
        const Index sample = team.league_rank();
        const Index base = sample * links;
        constexpr double two_pi = 2 * Kokkos::numbers::pi;
        double cos_sum = 0, arg_sum = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, sites),
            [&](Index s, double& c) { c += Kokkos::cos(plaquette_angle<double>(theta, base, shape, s)); }, cos_sum);
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, sites),
            [&](Index s, double& a) {
              const double p = plaquette_angle<double>(theta, base, shape, s);
              a += p - two_pi * Kokkos::ceil((p - Kokkos::numbers::pi) / two_pi); // in (-pi, pi]
            },
            arg_sum);
        Kokkos::single(Kokkos::PerTeam(team), [&] {
          plaquette(sample) = cos_sum / static_cast<double>(sites);
          charge(sample) = arg_sum / two_pi;
        });
      });
  const auto p = to_host(plaquette);
  const auto q = to_host(charge);
  U1Measurements out;
  out.samples = n;
  out.plaquette.assign(p.data(), p.data() + p.size());
  out.raw_charge.assign(q.data(), q.data() + q.size());
  for (const double x : out.raw_charge)
    out.charge.push_back(std::round(x));
  return out;
}

template class U1Action<float>;
template class U1Action<double>;
template void gauge_transform<float>(const ExecSpace&, nn::LatticeShape, const nn::FieldBatch<float>&,
                                     const nn::ConstFieldBatch<float>&);
template void gauge_transform<double>(const ExecSpace&, nn::LatticeShape, const nn::FieldBatch<double>&,
                                      const nn::ConstFieldBatch<double>&);
template U1Measurements measure_u1<float>(const ExecSpace&, nn::LatticeShape, const nn::ConstFieldBatch<float>&);
template U1Measurements measure_u1<double>(const ExecSpace&, nn::LatticeShape, const nn::ConstFieldBatch<double>&);

} // namespace tessera::flow
