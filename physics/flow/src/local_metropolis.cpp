// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/local_metropolis.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/flow/u1_exact.hpp"

namespace tessera::flow {

double MetropolisSweeps::acceptance() const
{
  const double tried = static_cast<double>(proposals) * static_cast<double>(accepted.size());
  if (tried == 0) return 0;
  return static_cast<double>(std::accumulate(accepted.begin(), accepted.end(), std::uint64_t{0})) / tried;
}

double phi4_default_width(Phi4Couplings couplings)
{
  const double a = 4 + couplings.m2, lambda = couplings.lambda;
  if (!(lambda >= 0) || !std::isfinite(a) || !std::isfinite(lambda) || (lambda == 0 && !(a > 0)))
    throw InputError(fmt::format("local Metropolis: no default width for m2 = {}, lambda = {} (one site's density "
                                 "exp(-(4 + m2) v^2 - lambda v^4) is not normalisable); give the width",
                                 couplings.m2, lambda));
  if (lambda == 0) return 3 / std::sqrt(2 * a);
  // <v^2> by Simpson's rule on [0, R] (the density is even), R where the exponent has fallen by
  // 50 from its maximum at v = peak (0, or the bottom of the double well when a < 0).
  const auto exponent = [&](double v) { return -a * v * v - lambda * v * v * v * v; };
  const double peak = a < 0 ? std::sqrt(-a / (2 * lambda)) : 0.0, top = exponent(peak);
  const double scale = a > 0 ? std::min(1 / std::sqrt(a), std::pow(lambda, -0.25)) : std::pow(lambda, -0.25);
  double range = peak + scale;
  while (exponent(range) > top - 50)
    range *= 2;
  constexpr int intervals = 1 << 14;
  const double h = range / intervals;
  double norm = 0, second = 0;
  for (int i = 0; i <= intervals; ++i) {
    const double v = i * h, w = (i == 0 || i == intervals) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    const double density = w * std::exp(exponent(v) - top);
    norm += density;
    second += density * v * v;
  }
  return 3 * std::sqrt(second / norm);
}

double u1_default_width(double beta)
{
  if (!(beta > 0) || !std::isfinite(beta))
    throw InputError(fmt::format("local Metropolis: no default width for beta = {} (must be > 0)", beta));
  // <t^2> over exp(2 beta cos t) on (-pi, pi] is 4 pi^2 times the infinite-volume topological
  // susceptibility at coupling 2 beta (u1_exact.hpp: <t^2>_1 / 4 pi^2 over exp(beta cos t)).
  constexpr double pi = std::numbers::pi;
  const double variance = 4 * pi * pi * u1_topological_susceptibility_infinite_volume(2 * beta);
  return std::min(pi, 3 * std::sqrt(variance));
}

namespace {

// `hits` Metropolis hits on one variable, `value` in and out; `change(current, proposed)` is dS.
// Angle: the proposal is reduced to [0, 2 pi) before dS is taken, so the test uses the value
// that is stored. Every hit draws two uniforms (one Philox block), accepted or not.
template <bool Angle, class T, class Change>
KOKKOS_INLINE_FUNCTION std::uint64_t metropolis_hits(RandomDraws& rng, T& value, int hits, double width,
                                                     const Change& change)
{
  constexpr double two_pi = 2 * Kokkos::numbers::pi;
  std::uint64_t accepted = 0;
  for (int h = 0; h < hits; ++h) {
    double next = static_cast<double>(value) + width * (2 * rng.uniform() - 1);
    if constexpr (Angle) next -= two_pi * Kokkos::floor(next / two_pi);
    const T proposed = static_cast<T>(next);
    const double ds = change(static_cast<double>(value), static_cast<double>(proposed));
    const double u = rng.uniform();
    if (ds <= 0 || u < Kokkos::exp(-ds)) { // a NaN dS is a rejection
      value = proposed;
      ++accepted;
    }
  }
  return accepted;
}

// What a set's kernel needs to key its draws: the generator of variable k of chain c in sweep
// `sweep`, positioned at its first hit.
struct HitKeys {
  std::uint64_t seed, first_chain, sweep;
  Index components;
  int hits;
  KOKKOS_INLINE_FUNCTION RandomDraws draws(Index chain, Index k) const
  {
    RandomDraws rng(seed, static_cast<std::uint32_t>(LocalMetropolisStream::hits),
                    (first_chain + static_cast<std::uint64_t>(chain)) * static_cast<std::uint64_t>(components) +
                        static_cast<std::uint64_t>(k));
    rng.seek(4 * sweep * static_cast<std::uint64_t>(hits));
    return rng;
  }
};

// The j-th site (0 .. V/2) of the sites with (x + y) % 2 == parity; extent_y even.
KOKKOS_INLINE_FUNCTION Index site_of_parity(nn::LatticeShape shape, int parity, Index j)
{
  const Index half_row = shape.extent_y / 2;
  const int x = static_cast<int>(j / half_row);
  return shape.site(x, static_cast<int>(2 * (j % half_row)) + ((x + parity) & 1));
}

// The j-th link (0 .. V/2) of U(1) set `set`: theta_0 on rows y = set (mod 2) for sets 0 and 1,
// theta_1 on columns x = set (mod 2) for sets 2 and 3; extents even.
KOKKOS_INLINE_FUNCTION Index link_of_set(nn::LatticeShape shape, int set, Index j)
{
  const int parity = set % 2;
  if (set < 2) {
    const Index half_row = shape.extent_y / 2;
    return shape.site(static_cast<int>(j / half_row), static_cast<int>(2 * (j % half_row)) + parity);
  }
  return shape.sites() +
         shape.site(static_cast<int>(2 * (j / shape.extent_y)) + parity, static_cast<int>(j % shape.extent_y));
}

// One thread per (chain, site of the parity); the accepted hits summed into `accepted`.
template <class T>
void phi4_set(const ExecSpace& space, const nn::FieldBatch<T>& phi, nn::LatticeShape shape, Phi4Couplings couplings,
              int parity, double width, const HitKeys& keys, Index chains, const View<std::uint64_t>& accepted)
{
  const Index sites = shape.sites(), half = sites / 2;
  const int hits = keys.hits;
  par_reduce(
      "flow::metropolis_phi4", space, 0, chains * half,
      KOKKOS_LAMBDA(Index i, std::uint64_t& count) {
        const Index chain = i / half, site = site_of_parity(shape, parity, i % half), base = chain * sites;
        RandomDraws rng = keys.draws(chain, site);
        const double neighbours = phi4_neighbour_sum(phi, base, shape, site);
        T value = phi(base + site);
        count += metropolis_hits<false>(rng, value, hits, width, [&](double current, double proposed) {
          return phi4_local_change(couplings, neighbours, current, proposed);
        });
        phi(base + site) = value;
      },
      accepted);
}

// One thread per (chain, link of the set).
template <class T>
void u1_set(const ExecSpace& space, const nn::FieldBatch<T>& theta, nn::LatticeShape shape, double beta, int set,
            double width, const HitKeys& keys, Index chains, const View<std::uint64_t>& accepted)
{
  const Index links = 2 * shape.sites(), half = shape.sites() / 2;
  const int hits = keys.hits;
  par_reduce(
      "flow::metropolis_u1", space, 0, chains * half,
      KOKKOS_LAMBDA(Index i, std::uint64_t& count) {
        const Index chain = i / half, link = link_of_set(shape, set, i % half), base = chain * links;
        RandomDraws rng = keys.draws(chain, link);
        const U1Staples staples = u1_staples(theta, base, shape, link);
        T value = theta(base + link);
        count += metropolis_hits<true>(rng, value, hits, width, [&](double current, double proposed) {
          return u1_local_change(beta, staples, current, proposed);
        });
        theta(base + link) = value;
      },
      accepted);
}

int sets_of(bool u1)
{
  return u1 ? 4 : 2;
}

} // namespace

template <class T>
LocalMetropolis<T>::LocalMetropolis(Theory theory, nn::LatticeShape shape, Index chains,
                                    const LocalMetropolisParams& params)
    : theory_(theory), shape_(shape), chains_(chains),
      components_(theory == Theory::u1 ? 2 * shape.sites() : shape.sites()), params_(params)
{
  if (chains < 1) throw InputError(fmt::format("local Metropolis: {} chains (at least 1)", chains));
  if (params.sweeps < 1) throw InputError(fmt::format("local Metropolis: {} sweeps (at least 1)", params.sweeps));
  if (params.hits < 1) throw InputError(fmt::format("local Metropolis: {} hits (at least 1)", params.hits));
  if (!(params.width >= 0) || !std::isfinite(params.width))
    throw InputError(fmt::format("local Metropolis: width {} must be >= 0 (0: the default)", params.width));
  if (shape.extent_x % 2 != 0 || shape.extent_y % 2 != 0)
    throw InputError(fmt::format("local Metropolis: lattice {} x {} has an odd extent (the checkerboard needs even "
                                 "ones)",
                                 shape.extent_x, shape.extent_y));
  fields_ = nn::FieldBatch<T>("flow::metropolis_fields", static_cast<std::size_t>(chains * components_));
  accepted_ = View<std::uint64_t*>("flow::metropolis_accepted",
                                   static_cast<std::size_t>(params.sweeps * sets_of(theory == Theory::u1)));
}

template <class T>
LocalMetropolis<T>::LocalMetropolis(const Phi4Action<T>& action, Index chains, const LocalMetropolisParams& params)
    : LocalMetropolis(Theory::phi4, action.shape(), chains, params)
{
  couplings_ = action.couplings();
  if (params_.width == 0) params_.width = phi4_default_width(couplings_);
}

template <class T>
LocalMetropolis<T>::LocalMetropolis(const U1Action<T>& action, Index chains, const LocalMetropolisParams& params)
    : LocalMetropolis(Theory::u1, action.shape(), chains, params)
{
  beta_ = action.beta();
  if (params_.width == 0) params_.width = u1_default_width(beta_);
}

template <class T>
void LocalMetropolis<T>::start_cold()
{
  Kokkos::deep_copy(fields_, T(0));
}

template <class T>
void LocalMetropolis<T>::start_hot(double width)
{
  const auto fields = fields_;
  const std::uint64_t seed = params_.seed, first_item = params_.first_chain * static_cast<std::uint64_t>(components_);
  par_for(
      "flow::metropolis_hot_start", ExecSpace{}, 0, static_cast<Index>(fields.extent(0)), KOKKOS_LAMBDA(Index i) {
        RandomDraws rng(seed, static_cast<std::uint32_t>(LocalMetropolisStream::hot_start),
                        first_item + static_cast<std::uint64_t>(i));
        fields(i) = static_cast<T>(width * rng.normal());
      });
}

template <class T>
void LocalMetropolis<T>::start_from(const nn::ConstFieldBatch<T>& fields)
{
  if (fields.extent(0) != fields_.extent(0))
    throw std::invalid_argument(fmt::format("LocalMetropolis::start_from: {} values for {} chains of {} components",
                                            fields.extent(0), chains_, components_));
  Kokkos::deep_copy(fields_, fields);
}

template <class T>
void LocalMetropolis<T>::restore(const nn::ConstFieldBatch<T>& fields, std::uint64_t sweeps)
{
  start_from(fields);
  sweeps_ = sweeps;
}

template <class T>
void LocalMetropolis<T>::sweep(const ExecSpace& space, std::uint64_t number, Index slot)
{
  const HitKeys keys{params_.seed, params_.first_chain, number, components_, params_.hits};
  const int sets = sets_of(theory_ == Theory::u1);
  for (int set = 0; set < sets; ++set) {
    const auto accepted = Kokkos::subview(accepted_, slot * sets + set);
    if (theory_ == Theory::phi4)
      phi4_set(space, fields_, shape_, couplings_, set, params_.width, keys, chains_, accepted);
    else
      u1_set(space, fields_, shape_, beta_, set, params_.width, keys, chains_, accepted);
  }
}

template <class T>
MetropolisSweeps LocalMetropolis<T>::update()
{
  const auto hits = static_cast<std::uint64_t>(params_.hits), count = static_cast<std::uint64_t>(params_.sweeps);
  if ((sweeps_ + count) * hits > (std::uint64_t{1} << 32))
    throw Error(ExitCode::failure, fmt::format("local Metropolis: sweeps {} to {} with {} hits each run past the "
                                               "random numbers' 2^32 blocks per variable",
                                               sweeps_, sweeps_ + count, hits));
  const ExecSpace space{};
  for (int s = 0; s < params_.sweeps; ++s)
    sweep(space, sweeps_ + static_cast<std::uint64_t>(s), s);
  const auto accepted = to_host(accepted_);
  const int sets = sets_of(theory_ == Theory::u1);
  MetropolisSweeps result;
  result.first = sweeps_;
  result.proposals = static_cast<std::uint64_t>(chains_ * components_) * hits;
  for (int s = 0; s < params_.sweeps; ++s) {
    std::uint64_t sum = 0;
    for (int set = 0; set < sets; ++set)
      sum += accepted(s * sets + set);
    result.accepted.push_back(sum);
  }
  sweeps_ += count;
  return result;
}

template class LocalMetropolis<float>;
template class LocalMetropolis<double>;

} // namespace tessera::flow
