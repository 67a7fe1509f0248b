// SPDX-License-Identifier: Apache-2.0
#pragma once
// The gauge field and what is done to it: starts (cold, hot), the average plaquette and the
// Wilson action, staples and the gauge force, link and momentum updates of the HMC, random
// gauge transformations, reunitarisation. Double precision; ghost links are refreshed
// (exchange_links) after every change, so that the next kernel may read them.

#include <cstdint>

#include "tessera/lqcd/decomposition.hpp"
#include "tessera/lqcd/fields.hpp"

namespace tessera::lqcd {

using Links = LinkView<double>;

// Random-number streams of the module (RandomDraws' stream argument).
enum class Stream : std::uint32_t {
  hot_start = 1,
  momenta = 2,
  pseudofermion = 3,
  accept = 4,
  gauge_transform = 5,
  source = 6,
  test = 7,
};

// Global lexicographic index of the site at padded coordinates x (x + Lx (y + Ly (z + Lz t)),
// periodic): the same site has the same index on any rank grid.
KOKKOS_INLINE_FUNCTION Index global_site(const Geometry& g, Coords x)
{
  Index index = 0;
  for (int mu = dims - 1; mu >= 0; --mu) {
    int c = x.c[mu] - g.pad[mu] + g.origin[mu];
    c = (c % g.global[mu] + g.global[mu]) % g.global[mu];
    index = index * g.global[mu] + c;
  }
  return index;
}

Links cold_start(const Decomposition& d);
// Haar-random links, a pure function of (seed, global site, direction).
Links hot_start(const Decomposition& d, std::uint64_t seed);

struct Plaquette {
  double spatial = 0, temporal = 0; // averages of Re tr U_P / 3 (cold field: 1)
  double average() const { return 0.5 * (spatial + temporal); }
};
Plaquette plaquette(const Decomposition& d, const Links& u);

// S = beta sum_P (1 - Re tr U_P / 3), summed over all ranks.
double wilson_action(const Decomposition& d, const Links& u, double beta);

// The momentum derivative dP/dt = -(beta/6) TA(U A) of the gauge action (A: sum of the six
// staples), added to `force` times `scale`.
void add_gauge_force(const Decomposition& d, const Links& u, double beta, double scale, const Links& force);

// U <- exp(eps P) U on interior links, then the ghosts are refreshed.
void update_links(const Decomposition& d, const Links& u, const Links& p, double eps);
// P <- P + eps F.
void update_momenta(const Decomposition& d, const Links& p, const Links& f, double eps);
// Momenta with density exp(-sum -tr P^2): 8 normals per link, from (seed, trajectory, link).
void draw_momenta(const Decomposition& d, const Links& p, std::uint64_t seed, std::uint64_t trajectory);
// sum over links of -tr(P^2) (= sum p_a^2 / 2).
double kinetic_energy(const Decomposition& d, const Links& p);

// U_mu(x) -> G(x) U_mu(x) G(x+mu)^dagger with Haar-random G(x) from (seed, global site).
void gauge_transform(const Decomposition& d, const Links& u, std::uint64_t seed);
// The same G(x) applied to a quark field: psi(x) -> G(x) psi(x).
void gauge_transform(const Decomposition& d, const SpinorView<double>& psi, int parity, std::uint64_t seed);

void reunitarise(const Decomposition& d, const Links& u);
// max over links of |U U^dagger - 1| (a health check of long runs).
double unitarity_violation(const Decomposition& d, const Links& u);

// sum over links of Re tr(a b) (for algebra fields: -<a, b>; tests of forces).
double trace_product(const Decomposition& d, const Links& a, const Links& b);

// Zero on every site (also the ghosts).
void set_zero(const Links& field);

} // namespace tessera::lqcd
