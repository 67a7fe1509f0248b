// SPDX-License-Identifier: Apache-2.0
#pragma once
// Dirac matrices in the DeGrand-Rossi (chiral) basis of Chroma, QDP++ and QUDA, so that
// spinors can be compared with those codes: gamma_5 = gamma_x gamma_y gamma_z gamma_t =
// diag(1, 1, -1, -1). Each gamma_mu has one non-zero per row: (gamma_mu psi)_r =
// i^phase * psi_col. The spin projectors (1 -/+ gamma_mu) have rank 2: rows 2 and 3 of
// (1 - s gamma_mu) psi are multiples of rows 0 and 1, which is what the hopping term uses
// (project to a half spinor, multiply by the link, reconstruct).

#include "tessera/lqcd/fields.hpp"

namespace tessera::lqcd {

struct GammaRow {
  int col;
  int phase; // power of i: 0 -> 1, 1 -> i, 2 -> -1, 3 -> -i
};

// Row r of gamma_mu. A function, not a namespace-scope table: CUDA device code cannot read
// host constants; after unrolling, the indices are constants and the lookups fold away.
KOKKOS_FORCEINLINE_FUNCTION constexpr GammaRow gamma_row(int mu, int r)
{
  constexpr GammaRow table[dims][4] = {
      {{3, 1}, {2, 1}, {1, 3}, {0, 3}}, // gamma_x
      {{3, 2}, {2, 0}, {1, 0}, {0, 2}}, // gamma_y
      {{2, 1}, {3, 3}, {0, 3}, {1, 1}}, // gamma_z
      {{2, 0}, {3, 0}, {0, 0}, {1, 0}}, // gamma_t
  };
  return table[mu][r];
}

// i^k z
template <class T>
KOKKOS_FORCEINLINE_FUNCTION Complex<T> times_i_power(const Complex<T>& z, int k)
{
  switch (k & 3) {
  case 0: return z;
  case 1: return Complex<T>(-z.imag(), z.real());
  case 2: return Complex<T>(-z.real(), -z.imag());
  default: return Complex<T>(z.imag(), -z.real());
  }
}

template <class T>
struct HalfSpinor {
  ColourVector<T> h[2];
};

// Rows 0 and 1 of (1 - sign gamma_mu) psi, sign = +1 or -1.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION HalfSpinor<T> project(const Spinor<T>& psi, int mu, int sign)
{
  HalfSpinor<T> h;
  for (int r = 0; r < 2; ++r) {
    const GammaRow g = gamma_row(mu, r);
    const int phase = g.phase + (sign > 0 ? 2 : 0); // -sign i^phase
    for (int a = 0; a < 3; ++a)
      h.h[r].c[a] = psi.s[r].c[a] + times_i_power(psi.s[g.col].c[a], phase);
  }
  return h;
}

// out += (1 - sign gamma_mu) psi, given rows 0 and 1 of it in h.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void accumulate_reconstructed(Spinor<T>& out, const HalfSpinor<T>& h, int mu, int sign)
{
  for (int r = 0; r < 2; ++r)
    for (int a = 0; a < 3; ++a)
      out.s[r].c[a] += h.h[r].c[a];
  for (int r = 2; r < 4; ++r) {
    const GammaRow g = gamma_row(mu, r);
    const int phase = g.phase + (sign > 0 ? 2 : 0); // row r = -sign i^phase h_col
    for (int a = 0; a < 3; ++a)
      out.s[r].c[a] += times_i_power(h.h[g.col].c[a], phase);
  }
}

template <class T>
KOKKOS_FORCEINLINE_FUNCTION Spinor<T> gamma5(Spinor<T> psi)
{
  for (int r = 2; r < 4; ++r)
    for (int a = 0; a < 3; ++a)
      psi.s[r].c[a] = -psi.s[r].c[a];
  return psi;
}

// Rows 0 and 1 of (1 - Sign gamma_Mu) G psi, G = gamma_5 when gamma5_first, else 1, up to
// a real factor (value = factor x numbers: load_spinor_unscaled, fields.hpp). The 16-bit
// fields project their stored words instead (half.hpp).
template <class T, int Mu, int Sign, class V>
KOKKOS_FORCEINLINE_FUNCTION HalfSpinor<T> load_projected(const V& psi, Index site, bool gamma5_first, T& factor)
{
  Spinor<T> s = load_spinor_unscaled<T>(psi, site, factor);
  if (gamma5_first) s = gamma5(s);
  return project(s, Mu, Sign);
}

// gamma_mu psi (tests and observables; the operator itself uses the projectors).
template <class T>
KOKKOS_INLINE_FUNCTION Spinor<T> apply_gamma(const Spinor<T>& psi, int mu)
{
  Spinor<T> r;
  for (int row = 0; row < 4; ++row)
    for (int a = 0; a < 3; ++a)
      r.s[row].c[a] = times_i_power(psi.s[gamma_row(mu, row).col].c[a], gamma_row(mu, row).phase);
  return r;
}

} // namespace tessera::lqcd
