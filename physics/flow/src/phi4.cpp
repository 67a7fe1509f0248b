// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/phi4.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::flow {

namespace {
// The number of samples in phi, which must hold whole samples, and room for their actions.
Index samples_of(Index sites, Index size, Index action_size, const char* what)
{
  if (size % sites != 0)
    throw std::invalid_argument(
        fmt::format("flow::Phi4Action::{}: {} values are not whole samples of {} sites", what, size, sites));
  if (action_size < size / sites)
    throw std::invalid_argument(
        fmt::format("flow::Phi4Action::{}: {} samples but room for {} actions", what, size / sites, action_size));
  return size / sites;
}
} // namespace

template <class T>
Phi4Action<T>::Phi4Action(nn::LatticeShape shape, Phi4Couplings couplings) : shape_(shape), couplings_(couplings)
{
  if (shape.extent_x < 1 || shape.extent_y < 1)
    throw InputError(fmt::format("phi^4 action: lattice {} x {} has no sites", shape.extent_x, shape.extent_y));
  if (!(couplings.lambda >= 0))
    throw InputError(fmt::format("phi^4 action: lambda = {} must be >= 0", couplings.lambda));
}

template <class T>
void Phi4Action<T>::evaluate(const ExecSpace& space, const nn::ConstFieldBatch<T>& phi,
                             const nn::SampleValues<T>& action) const
{
  const nn::LatticeShape shape = shape_;
  const Index sites = shape.sites();
  const Index n =
      samples_of(sites, static_cast<Index>(phi.extent(0)), static_cast<Index>(action.extent(0)), "evaluate");
  const double m2 = couplings_.m2, lambda = couplings_.lambda;
  par_for_team(
      "flow::phi4_action", team_policy(space, n, 0, 0), KOKKOS_LAMBDA(const TeamMember& team) {
        const Index sample = team.league_rank();
        const Index base = sample * sites;
        double sum = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, sites),
            [&](Index s, double& partial) {
              const double f = phi(base + s);
              const double neighbours = static_cast<double>(phi(base + shape.shifted(s, 1, 0))) +
                                        phi(base + shape.shifted(s, -1, 0)) + phi(base + shape.shifted(s, 0, 1)) +
                                        phi(base + shape.shifted(s, 0, -1));
              const double f2 = f * f;
              partial += f * (4 * f - neighbours) + m2 * f2 + lambda * f2 * f2;
            },
            sum);
        Kokkos::single(Kokkos::PerTeam(team), [&] { action(sample) = static_cast<T>(sum); });
      });
}

template <class T>
void Phi4Action<T>::gradient(const ExecSpace& space, const nn::ConstFieldBatch<T>& phi,
                             const nn::SampleValues<T>& action, const nn::FieldBatch<T>& force) const
{
  if (force.extent(0) != phi.extent(0))
    throw std::invalid_argument(
        fmt::format("flow::Phi4Action::gradient: force has {} values, phi {}", force.extent(0), phi.extent(0)));
  evaluate(space, phi, action);
  const nn::LatticeShape shape = shape_;
  const Index sites = shape.sites();
  const T two_m2 = static_cast<T>(2 * couplings_.m2), four_lambda = static_cast<T>(4 * couplings_.lambda);
  par_for(
      "flow::phi4_force", space, 0, static_cast<Index>(phi.extent(0)), KOKKOS_LAMBDA(Index i) {
        const Index base = i - i % sites, s = i % sites;
        const T f = phi(i);
        const T neighbours = phi(base + shape.shifted(s, 1, 0)) + phi(base + shape.shifted(s, -1, 0)) +
                             phi(base + shape.shifted(s, 0, 1)) + phi(base + shape.shifted(s, 0, -1));
        force(i) = 2 * (4 * f - neighbours) + two_m2 * f + four_lambda * f * f * f;
      });
}

template class Phi4Action<float>;
template class Phi4Action<double>;

} // namespace tessera::flow
