// SPDX-License-Identifier: Apache-2.0
#pragma once
// The flux through one cell face (private to the module): piecewise-linear states on the two
// sides from limited slopes of the primitive variables, then an approximate Riemann solver.
// Shared by the fused stage kernel (slopes computed once per cell and kept in team scratch)
// and the coarse-fine face pass (slopes computed where they are needed): both give the same
// bits for the same face.

#include <Kokkos_Core.hpp>

#include "tessera/amr/hydro.hpp"
#include "tessera/amr/riemann.hpp"

namespace tessera::amr::detail {

inline constexpr int max_variables = first_scalar + max_scalars;

template <Limiter L>
KOKKOS_INLINE_FUNCTION double limited_slope(double left, double right)
{
  if (left * right <= 0) return 0;
  if constexpr (L == Limiter::minmod) {
    return Kokkos::fabs(left) < Kokkos::fabs(right) ? left : right;
  } else if constexpr (L == Limiter::van_leer) {
    return 2 * left * right / (left + right);
  } else {
    const double sign = left > 0 ? 1.0 : -1.0;
    return sign *
           Kokkos::min(Kokkos::min(2 * Kokkos::fabs(left), 2 * Kokkos::fabs(right)), 0.5 * Kokkos::fabs(left + right));
  }
}

// The limited slope of primitive variable v along axis D at cell (k, j, i) of block b.
template <int D, Limiter L>
KOKKOS_INLINE_FUNCTION double cell_slope(const BlockData& w, int b, int v, int k, int j, int i)
{
  constexpr int di = D == 0, dj = D == 1, dk = D == 2;
  const double centre = w(b, v, k, j, i);
  return limited_slope<L>(centre - w(b, v, k - dk, j - dj, i - di), w(b, v, k + dk, j + dj, i + di) - centre);
}

// Variable of primitive slot q (0 rho, 1 vn, 2 vt1, 3 vt2, 4 p, then scalars) in the frame of a
// face normal to axis D.
template <int D>
KOKKOS_INLINE_FUNCTION constexpr int slot(int q)
{
  return q >= 1 && q <= 3 ? 1 + (D + q - 1) % 3 : q;
}

struct FaceConstants {
  double gamma, density_floor, pressure_floor;
  int scalars;
};

// The flux through a face normal to axis D, of NV variables at most (5: no passive scalars, a
// constant the compiler folds: the scalars' registers and branches go away). value(c, v) and slope(c, v): primitive
// variable v and its limited slope along D in the cell below (c = 0) and above (c = 1) the face. store(v, f): receives
// the flux of conserved variable v. Where a reconstructed density or pressure is not positive the face falls back to
// first order (the cell values).
template <int D, RiemannSolver R, int NV, class Value, class Slope, class Store>
KOKKOS_INLINE_FUNCTION void face_flux(const Value& value, const Slope& slope, const FaceConstants& c,
                                      const Store& store)
{
  const int scalars = NV == first_scalar ? 0 : c.scalars;
  double left[NV], right[NV];
  bool physical = true;
  // A constant trip count: the loop unrolls and left/right stay in registers.
  for (int q = 0; q < NV; ++q) {
    if (q >= first_scalar + scalars) continue;
    const int v = slot<D>(q);
    left[q] = value(0, v) + 0.5 * slope(0, v);
    right[q] = value(1, v) - 0.5 * slope(1, v);
    if (q == 0 || q == 4) physical = physical && left[q] > 0 && right[q] > 0;
  }
  if (!physical) {
    for (int q = 0; q < first_scalar; ++q) {
      left[q] = value(0, slot<D>(q));
      right[q] = value(1, slot<D>(q));
    }
  }
  Primitive l, r;
  l.rho = Kokkos::max(left[0], c.density_floor), r.rho = Kokkos::max(right[0], c.density_floor);
  l.vn = left[1], l.vt1 = left[2], l.vt2 = left[3], l.p = Kokkos::max(left[4], c.pressure_floor);
  r.vn = right[1], r.vt1 = right[2], r.vt2 = right[3], r.p = Kokkos::max(right[4], c.pressure_floor);
  for (int n = 0; n < NV - first_scalar; ++n)
    if (n < scalars) l.s[n] = left[first_scalar + n], r.s[n] = right[first_scalar + n];
  const Flux f = R == RiemannSolver::hllc ? hllc(l, r, c.gamma, scalars) : hlle(l, r, c.gamma, scalars);
  store(density, f.mass);
  store(slot<D>(1), f.mn);
  store(slot<D>(2), f.mt1);
  store(slot<D>(3), f.mt2);
  store(energy, f.energy);
  for (int n = 0; n < NV - first_scalar; ++n)
    if (n < scalars) store(first_scalar + n, f.s[n]);
}

} // namespace tessera::amr::detail
