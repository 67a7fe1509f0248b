// SPDX-License-Identifier: Apache-2.0
#pragma once
// Catani-Seymour final-state splitting kernels with a final-state spectator, in the
// evolution variable t = kT^2, with the overestimates the veto algorithm draws from (the
// GAPS v1 / Hoeche-tutorial shower, arXiv:1411.4085 section 3). For each kernel:
//   value(z, y)      the true kernel P(z, y)
//   estimate(z)      an overestimate g(z) >= P(z, y) for all y in [0, 1)
//   integral(zp)     the integral of g over [1 - zp, zp]
//   generate_z(zp,u) z distributed as g on [1 - zp, zp] (u uniform in (0, 1))

#include <Kokkos_Core.hpp>

#include "tessera/shower/qcd.hpp"

namespace tessera::shower {

enum class Splitting : int {
  q_to_qg = 0,   // q -> q g (and qbar -> qbar g)
  g_to_gg = 1,   // g -> g g (the 1/2 shares the soft gluon between the two dipole ends)
  g_to_qqbar = 2 // g -> q qbar, one flavour
};

KOKKOS_INLINE_FUNCTION double splitting_value(Splitting s, double z, double y)
{
  switch (s) {
  case Splitting::q_to_qg: return colour_cf * (2.0 / (1.0 - z * (1.0 - y)) - (1.0 + z));
  case Splitting::g_to_gg: return colour_ca / 2.0 * (2.0 / (1.0 - z * (1.0 - y)) - 2.0 + z * (1.0 - z));
  case Splitting::g_to_qqbar: return colour_tr / 2.0 * (1.0 - 2.0 * z * (1.0 - z));
  }
  return 0;
}

KOKKOS_INLINE_FUNCTION double splitting_estimate(Splitting s, double z)
{
  switch (s) {
  case Splitting::q_to_qg: return colour_cf * 2.0 / (1.0 - z);
  case Splitting::g_to_gg: return colour_ca / (1.0 - z);
  case Splitting::g_to_qqbar: return colour_tr / 2.0;
  }
  return 0;
}

// Integral of the estimate over [1 - zp, zp], zp > 1/2.
KOKKOS_INLINE_FUNCTION double splitting_integral(Splitting s, double zp)
{
  switch (s) {
  case Splitting::q_to_qg: return colour_cf * 2.0 * Kokkos::log(zp / (1.0 - zp));
  case Splitting::g_to_gg: return colour_ca * Kokkos::log(zp / (1.0 - zp));
  case Splitting::g_to_qqbar: return colour_tr / 2.0 * (2.0 * zp - 1.0);
  }
  return 0;
}

KOKKOS_INLINE_FUNCTION double splitting_generate_z(Splitting s, double zp, double u)
{
  const double zm = 1.0 - zp;
  if (s == Splitting::g_to_qqbar) return zm + (zp - zm) * u;
  return 1.0 + (zp - 1.0) * Kokkos::pow((1.0 - zm) / (1.0 - zp), u);
}

} // namespace tessera::shower
