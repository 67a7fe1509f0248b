// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/hmc.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"

namespace tessera::flow {

double HmcTrajectory::acceptance() const
{
  if (accepted.empty()) return 0;
  return static_cast<double>(std::count(accepted.begin(), accepted.end(), 1)) / static_cast<double>(accepted.size());
}

template <class T>
void draw_momenta(const ExecSpace& space, const nn::FieldBatch<T>& momenta, Index components, std::uint64_t seed,
                  std::uint64_t first_chain, std::uint64_t trajectory)
{
  const std::uint64_t first_item = first_chain * static_cast<std::uint64_t>(components);
  par_for(
      "flow::hmc_momenta", space, 0, static_cast<Index>(momenta.extent(0)), KOKKOS_LAMBDA(Index i) {
        RandomDraws rng(seed, static_cast<std::uint32_t>(HmcStream::momenta),
                        first_item + static_cast<std::uint64_t>(i));
        rng.seek(4 * trajectory);
        momenta(i) = static_cast<T>(rng.normal());
      });
}

template <class T>
void hamiltonian(const ExecSpace& space, const nn::LatticeAction<T>& s, const nn::ConstFieldBatch<T>& phi,
                 const nn::ConstFieldBatch<T>& momenta, const nn::SampleValues<T>& action, const View<double*>& h)
{
  s.evaluate(space, phi, action);
  const Index components = s.components();
  const Index n = static_cast<Index>(phi.extent(0)) / components;
  par_for_team(
      "flow::hmc_hamiltonian", team_policy(space, n, 0, 0), KOKKOS_LAMBDA(const TeamMember& team) {
        const Index sample = team.league_rank();
        const Index base = sample * components;
        double kinetic = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, components),
            [&](Index k, double& partial) {
              const double p = momenta(base + k);
              partial += p * p;
            },
            kinetic);
        Kokkos::single(Kokkos::PerTeam(team), [&] { h(sample) = kinetic / 2 + static_cast<double>(action(sample)); });
      });
}

namespace {
// x += eps * y over whole batches (the leapfrog's drifts and, with y = -F, its kicks).
template <class T>
void axpy(const ExecSpace& space, const char* label, const nn::FieldBatch<T>& x, double eps, const nn::FieldBatch<T>& y)
{
  const T a = static_cast<T>(eps);
  par_for(label, space, 0, static_cast<Index>(x.extent(0)), KOKKOS_LAMBDA(Index i) { x(i) += a * y(i); });
}
} // namespace

template <class T>
void leapfrog(const ExecSpace& space, const nn::LatticeAction<T>& s, const nn::FieldBatch<T>& phi,
              const nn::FieldBatch<T>& momenta, double step, int steps, const nn::FieldBatch<T>& force,
              const nn::SampleValues<T>& action)
{
  s.gradient(space, phi, action, force);
  axpy(space, "flow::hmc_kick", momenta, -step / 2, force);
  for (int i = 0; i < steps; ++i) {
    axpy(space, "flow::hmc_drift", phi, step, momenta);
    s.gradient(space, phi, action, force);
    axpy(space, "flow::hmc_kick", momenta, i + 1 == steps ? -step / 2 : -step, force);
  }
}

template <class T>
BatchedHmc<T>::BatchedHmc(const nn::LatticeAction<T>& action, Index chains, const HmcParams& params)
    : action_(&action), chains_(chains), components_(action.components()), params_(params)
{
  if (chains < 1) throw InputError(fmt::format("HMC: {} chains (at least 1)", chains));
  if (params.steps < 1) throw InputError(fmt::format("HMC: {} leapfrog steps (at least 1)", params.steps));
  if (!(params.trajectory_length > 0))
    throw InputError(fmt::format("HMC: trajectory length {} must be > 0", params.trajectory_length));
  const auto size = static_cast<std::size_t>(chains * components_);
  const auto n = static_cast<std::size_t>(chains);
  phi_ = nn::FieldBatch<T>("flow::hmc_phi", size);
  saved_ = nn::FieldBatch<T>("flow::hmc_saved", size);
  momenta_ = nn::FieldBatch<T>("flow::hmc_momenta", size);
  force_ = nn::FieldBatch<T>("flow::hmc_force", size);
  values_ = nn::SampleValues<T>("flow::hmc_action", n);
  h0_ = View<double*>("flow::hmc_h0", n);
  h1_ = View<double*>("flow::hmc_h1", n);
  accept_ = View<int*>("flow::hmc_accept", n);
  accepted_.assign(n, 0);
}

template <class T>
void BatchedHmc<T>::start_cold()
{
  Kokkos::deep_copy(phi_, T(0));
}

template <class T>
void BatchedHmc<T>::start_hot(double width)
{
  const auto phi = phi_;
  const std::uint64_t seed = params_.seed, first_item = params_.first_chain * static_cast<std::uint64_t>(components_);
  par_for(
      "flow::hmc_hot_start", ExecSpace{}, 0, static_cast<Index>(phi.extent(0)), KOKKOS_LAMBDA(Index i) {
        RandomDraws rng(seed, static_cast<std::uint32_t>(HmcStream::hot_start),
                        first_item + static_cast<std::uint64_t>(i));
        phi(i) = static_cast<T>(width * rng.normal());
      });
}

template <class T>
void BatchedHmc<T>::start_from(const nn::ConstFieldBatch<T>& fields)
{
  if (fields.extent(0) != phi_.extent(0))
    throw std::invalid_argument(fmt::format("BatchedHmc::start_from: {} values for {} chains of {} components",
                                            fields.extent(0), chains_, components_));
  Kokkos::deep_copy(phi_, fields);
}

template <class T>
void BatchedHmc<T>::restore(const nn::ConstFieldBatch<T>& fields, std::uint64_t trajectories)
{
  start_from(fields);
  trajectories_ = trajectories;
}

template <class T>
HmcTrajectory BatchedHmc<T>::trajectory()
{
  const ExecSpace space{};
  const std::uint64_t number = trajectories_;
  Kokkos::deep_copy(space, saved_, phi_);
  draw_momenta(space, momenta_, components_, params_.seed, params_.first_chain, number);
  hamiltonian<T>(space, *action_, phi_, momenta_, values_, h0_);
  leapfrog(space, *action_, phi_, momenta_, params_.trajectory_length / params_.steps, params_.steps, force_, values_);
  hamiltonian<T>(space, *action_, phi_, momenta_, values_, h1_);

  const auto h0 = h0_, h1 = h1_;
  const auto accept = accept_;
  const std::uint64_t seed = params_.seed, first_chain = params_.first_chain;
  par_for(
      "flow::hmc_metropolis", space, 0, chains_, KOKKOS_LAMBDA(Index c) {
        const double dh = h1(c) - h0(c);
        RandomDraws rng(seed, static_cast<std::uint32_t>(HmcStream::accept),
                        first_chain + static_cast<std::uint64_t>(c));
        rng.seek(4 * number);
        const double u = rng.uniform();
        // dH = nan or +inf (a diverged trajectory) is a rejection.
        accept(c) = (dh <= 0 || u < Kokkos::exp(-dh)) ? 1 : 0;
      });
  const auto phi = phi_, saved = saved_;
  const Index components = components_;
  par_for(
      "flow::hmc_reject", space, 0, static_cast<Index>(phi.extent(0)), KOKKOS_LAMBDA(Index i) {
        if (accept(i / components) == 0) phi(i) = saved(i);
      });

  const auto h0_host = to_host(h0_), h1_host = to_host(h1_);
  const auto accept_host = to_host(accept_);
  HmcTrajectory result;
  result.number = number;
  result.delta_h.resize(static_cast<std::size_t>(chains_));
  result.accepted.resize(static_cast<std::size_t>(chains_));
  for (Index c = 0; c < chains_; ++c) {
    if (!std::isfinite(h0_host(c)))
      throw Error(ExitCode::failure,
                  fmt::format("HMC trajectory {}: H = {} at the start of chain {} is not finite", number, h0_host(c),
                              params_.first_chain + static_cast<std::uint64_t>(c)));
    const auto k = static_cast<std::size_t>(c);
    result.delta_h[k] = h1_host(c) - h0_host(c);
    result.accepted[k] = static_cast<char>(accept_host(c));
    accepted_[k] += static_cast<std::uint64_t>(accept_host(c));
  }
  ++trajectories_;
  return result;
}

template <class T>
std::uint64_t BatchedHmc<T>::accepted_total() const
{
  return std::accumulate(accepted_.begin(), accepted_.end(), std::uint64_t{0});
}

#define TESSERA_FLOW_HMC(T)                                                                                            \
  template void draw_momenta<T>(const ExecSpace&, const nn::FieldBatch<T>&, Index, std::uint64_t, std::uint64_t,       \
                                std::uint64_t);                                                                        \
  template void hamiltonian<T>(const ExecSpace&, const nn::LatticeAction<T>&, const nn::ConstFieldBatch<T>&,           \
                               const nn::ConstFieldBatch<T>&, const nn::SampleValues<T>&, const View<double*>&);       \
  template void leapfrog<T>(const ExecSpace&, const nn::LatticeAction<T>&, const nn::FieldBatch<T>&,                   \
                            const nn::FieldBatch<T>&, double, int, const nn::FieldBatch<T>&,                           \
                            const nn::SampleValues<T>&);                                                               \
  template class BatchedHmc<T>;
TESSERA_FLOW_HMC(float)
TESSERA_FLOW_HMC(double)
#undef TESSERA_FLOW_HMC

} // namespace tessera::flow
