// SPDX-License-Identifier: Apache-2.0
#pragma once
// Local Metropolis updates of C independent chains advanced together on the device (one batch,
// chain after chain, as BatchedHmc): the local baseline issue 23 asks for beside HMC, for phi^4
// (phi4.hpp, site by site) and 2-D U(1) (u1.hpp, link by link).
//
// A hit on one variable v (a site's phi, or a link's angle) proposes v' = v + width (2u - 1),
// u uniform in (0, 1), and accepts it with probability min(1, exp(-dS)), dS = S(v') - S(v) from
// v's neighbours only (the local changes below). A sweep gives every variable `hits` hits in a
// fixed order of sets whose variables share no term of S, one kernel per set:
//   phi^4: the even sites (x + y even), then the odd ones (a site's terms hold its 4 neighbours);
//   U(1): theta_0 on the rows of even y, of odd y, then theta_1 on the columns of even x, of odd
//     x. theta_mu(x) sits in P(x) and P(x - e_nu) (nu != mu), whose other mu-links are at
//     x +- e_nu: the other parity of the coordinate across mu.
// On an odd periodic extent the two parities touch across the boundary, so both extents must
// be even (the constructors refuse odd ones).
//
// U(1) angles: an accepted angle is stored reduced to [0, 2 pi) (up to one rounding of T; S is
// 2 pi periodic in each angle), since nothing holds the gauge modes and the angles would
// otherwise random-walk away from 0 and lose precision in float. Angles never accepted keep the
// value they started with. (BatchedHmc does not reduce its angles.)
//
// Random numbers (core's RandomDraws): variable k (a site, or the link mu V + site) of chain c
// (global index first_chain + c) in sweep s draws from stream LocalMetropolisStream::hits, item
// (first_chain + c) * components + k, Philox block s * hits + h for hit h (draw number
// 4 (s hits + h)): its first uniform makes the proposal, its second the accept test, whether or
// not the proposal is accepted. The hot start draws stream hot_start, the same item, draw 0.
// A hit reads only its own chain, so within one build chain c is the same to the bit in any batch
// (first_chain), on any thread count, and after a restart (restore); across backends the sines
// and exponentials of dS may differ by an ulp, which flips an accept test only when u falls
// within that rounding. Philox block numbers are 32-bit: sweep s is possible while
// (s + 1) * hits <= 2^32 (update() throws past that).
//
// Default width (params.width = 0): three standard deviations of one variable's density with
// its neighbours at zero, which accepts 49% of the hits when that density is a Gaussian:
//   phi^4: exp(-(4 + m2) v^2 - lambda v^4); at lambda = 0 the conditional density is a Gaussian
//     of variance 1 / (2 (4 + m2)) whatever the neighbours, and the default accepts 49% exactly;
//   U(1): exp(2 beta cos t) (a link whose two staples agree), and at most pi (a uniform proposal
//     on the whole circle).
// With interactions the true conditional differs (narrower for phi^4 in the broken phase, wider
// for U(1), whose two staples rarely agree); the acceptance measured at the defaults is 0.48 at
// the tutorial's point (L = 8, m2 = -4, lambda = 8), 0.53 and 0.50 for U(1) at beta 2 and 6 on 8 x 8.

#include <cstdint>
#include <vector>

#include "tessera/flow/phi4.hpp"
#include "tessera/flow/u1.hpp"

namespace tessera::flow {

// 'LH' and 'LM': apart from HmcStream's small numbers and the networks' initialisation streams.
enum class LocalMetropolisStream : std::uint32_t {
  hot_start = 0x4c48,
  hits = 0x4c4d,
};

struct LocalMetropolisParams {
  int sweeps = 1;   // sweeps per update() (between two measurements)
  int hits = 1;     // hits per variable per sweep
  double width = 0; // proposal half-width; 0: the theory's default (above)
  std::uint64_t seed = 1;
  // The global index of the batch's first chain (the RNG key), as HmcParams::first_chain.
  std::uint64_t first_chain = 0;
};

// What one update() did, copied to the host.
struct MetropolisSweeps {
  std::uint64_t first = 0;             // the number of its first sweep
  std::uint64_t proposals = 0;         // per sweep: chains * components * hits
  std::vector<std::uint64_t> accepted; // per sweep, summed over the chains
  double acceptance() const;           // over all its sweeps
};

// phi^4: the sum of the four neighbours of `site` in the sample whose sites start at `base`.
template <class V>
KOKKOS_INLINE_FUNCTION double phi4_neighbour_sum(const V& phi, Index base, nn::LatticeShape shape, Index site)
{
  return static_cast<double>(phi(base + shape.shifted(site, 1, 0))) + phi(base + shape.shifted(site, -1, 0)) +
         phi(base + shape.shifted(site, 0, 1)) + phi(base + shape.shifted(site, 0, -1));
}

// phi^4: S with phi(site) = proposed minus S with phi(site) = current, the other sites fixed.
// S depends on v = phi(site) through (4 + m2) v^2 + lambda v^4 - 2 v neighbours (its own term
// and v's share of its neighbours' terms); factored by (proposed - current) so that a small
// step gives a small dS without cancellation.
KOKKOS_INLINE_FUNCTION double phi4_local_change(Phi4Couplings couplings, double neighbours, double current,
                                                double proposed)
{
  const double sum = proposed + current;
  return (proposed - current) * ((4 + couplings.m2) * sum +
                                 couplings.lambda * sum * (proposed * proposed + current * current) - 2 * neighbours);
}

// U(1): the two plaquettes of a link without the link: P_plus = plus + theta and
// P_minus = minus - theta (for theta_0(x): P(x) and P(x - e1); for theta_1(x): P(x - e0) and P(x)).
struct U1Staples {
  double plus = 0, minus = 0;
};

// The staples of `link` (mu V + site) in the sample whose links start at `base`.
template <class V>
KOKKOS_INLINE_FUNCTION U1Staples u1_staples(const V& theta, Index base, nn::LatticeShape shape, Index link)
{
  const Index sites = shape.sites(), b0 = base, b1 = base + sites;
  if (link < sites) {
    const Index x = link, down = shape.shifted(x, 0, -1);
    return {static_cast<double>(theta(b1 + shape.shifted(x, 1, 0))) - theta(b0 + shape.shifted(x, 0, 1)) -
                theta(b1 + x),
            static_cast<double>(theta(b0 + down)) + theta(b1 + shape.shifted(down, 1, 0)) - theta(b1 + down)};
  }
  const Index x = link - sites, left = shape.shifted(x, -1, 0);
  return {static_cast<double>(theta(b0 + left)) - theta(b0 + shape.shifted(left, 0, 1)) - theta(b1 + left),
          static_cast<double>(theta(b0 + x)) + theta(b1 + shape.shifted(x, 1, 0)) - theta(b0 + shape.shifted(x, 0, 1))};
}

// U(1): S with the link at `proposed` minus S with it at `current`:
// -beta [cos(plus + n) - cos(plus + c) + cos(minus - n) - cos(minus - c)]
// = 2 beta sin(h) [sin(plus + m) - sin(minus - m)], h = (n - c) / 2, m = (n + c) / 2 (no cancellation).
KOKKOS_INLINE_FUNCTION double u1_local_change(double beta, U1Staples staples, double current, double proposed)
{
  const double half = (proposed - current) / 2, mid = (proposed + current) / 2;
  return 2 * beta * Kokkos::sin(half) * (Kokkos::sin(staples.plus + mid) - Kokkos::sin(staples.minus - mid));
}

// The default widths (above). InputError where the density is not normalisable (phi^4 with
// lambda = 0 and m2 <= -4) or beta <= 0.
double phi4_default_width(Phi4Couplings couplings);
double u1_default_width(double beta);

template <class T>
class LocalMetropolis {
public:
  // Copies the action's lattice and couplings (the action need not outlive this object); starts
  // cold (all fields zero). Throws InputError for chains < 1, sweeps < 1, hits < 1, a width < 0
  // or not finite, or an odd extent.
  LocalMetropolis(const Phi4Action<T>& action, Index chains, const LocalMetropolisParams& params);
  LocalMetropolis(const U1Action<T>& action, Index chains, const LocalMetropolisParams& params);

  void start_cold();                                     // every variable 0
  void start_hot(double width = 1);                      // ~ N(0, width^2), stream hot_start
  void start_from(const nn::ConstFieldBatch<T>& fields); // chains * components values
  // Continues a run from its checkpoint: the fields after `sweeps` sweeps (the next sweep draws
  // the numbers of sweep number `sweeps`).
  void restore(const nn::ConstFieldBatch<T>& fields, std::uint64_t sweeps);

  // params().sweeps sweeps of every chain, numbers sweeps() on. Throws Error (failure) past the
  // RNG's 2^32 blocks.
  MetropolisSweeps update();

  const nn::FieldBatch<T>& fields() const { return fields_; }
  Index chains() const { return chains_; }
  Index components() const { return components_; }
  // As given, with width the one in use (the default resolved).
  const LocalMetropolisParams& params() const { return params_; }
  std::uint64_t sweeps() const { return sweeps_; }

private:
  enum class Theory { phi4, u1 };
  LocalMetropolis(Theory theory, nn::LatticeShape shape, Index chains, const LocalMetropolisParams& params);
  void sweep(const ExecSpace& space, std::uint64_t number, Index slot);

  Theory theory_;
  nn::LatticeShape shape_;
  Phi4Couplings couplings_;
  double beta_ = 0;
  Index chains_, components_;
  LocalMetropolisParams params_;
  nn::FieldBatch<T> fields_;
  View<std::uint64_t*> accepted_; // per (sweep of an update, set)
  std::uint64_t sweeps_ = 0;
};

extern template class LocalMetropolis<float>;
extern template class LocalMetropolis<double>;

} // namespace tessera::flow
