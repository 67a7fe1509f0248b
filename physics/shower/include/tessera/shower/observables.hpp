// SPDX-License-Identifier: Apache-2.0
#pragma once
// Event shapes and jet resolutions of a final state of massless partons, callable in
// kernels. `Momenta` is anything with operator()(k) returning Vec4& for k in [0, n): a row
// of the event batch on the device, a plain array on the host.
//
// Definitions (E_vis = sum of energies = sqrt(s) here, |p| summed over partons):
//   thrust T = max_n sum |p.n| / sum |p|, found exactly: the axis is the sum of momenta on
//     one side of a plane spanned by two of them, over all pairs and the four ways of
//     assigning the pair (O(n^3), as in the GAPS analysis);
//   hemispheres: split by the sign of p.n_T; heavy / light jet mass M / E_vis (the square
//     root of rho = M^2 / E_vis^2, as GAPS histograms it);
//   broadenings B = sum_hemisphere |p x n_T| / (2 sum |p|), B_T = B_1 + B_2, wide B_W =
//     max, narrow B_N = min;
//   C = 3/2 (1 - tr theta^2) with theta_ab = sum p_a p_b / |p| / sum |p| (= 3 sum of the
//     products of eigenvalue pairs of the linearised momentum tensor);
//   Durham: y_ij = 2 min(E_i, E_j)^2 (1 - cos theta_ij) / E_vis^2, the pair with the least
//     y merged by adding four-momenta; y_{n,n+1} is the y at which n+1 jets become n.

#include <Kokkos_Core.hpp>

#include "tessera/shower/vec4.hpp"

namespace tessera::shower {

struct EventShapes {
  double one_minus_thrust = 0;
  double heavy_jet_mass = 0, light_jet_mass = 0;
  double total_broadening = 0, wide_broadening = 0, narrow_broadening = 0;
  double c_parameter = 0;
  int hemisphere_partons[2] = {0, 0};
};

template <class Momenta>
KOKKOS_INLINE_FUNCTION Vec4 thrust_axis(const Momenta& p, int n, double& thrust)
{
  double sum_abs = 0;
  for (int k = 0; k < n; ++k)
    sum_abs += p(k).p();
  double best = -1;
  Vec4 axis{0, 0, 0, 1};
  for (int j = 1; j < n; ++j) {
    for (int k = 0; k < j; ++k) {
      const Vec4 normal = cross3(p(j), p(k));
      Vec4 side;
      for (int l = 0; l < n; ++l) {
        if (l == j || l == k) continue;
        if (dot3(p(l), normal) >= 0)
          side += p(l);
        else
          side -= p(l);
      }
      const Vec4 candidates[4] = {side + p(j) + p(k), side + p(j) - p(k), side - p(j) + p(k), side - p(j) - p(k)};
      for (const Vec4& c : candidates) {
        if (c.p2() > best) {
          best = c.p2();
          axis = c;
        }
      }
    }
  }
  if (best <= 0) { // fewer than two partons
    thrust = 1;
    return axis;
  }
  const double norm = Kokkos::sqrt(best);
  thrust = norm / sum_abs;
  axis = (1.0 / norm) * axis;
  axis.e = 0;
  return axis;
}

template <class Momenta>
KOKKOS_INLINE_FUNCTION EventShapes event_shapes(const Momenta& p, int n)
{
  EventShapes shapes;
  double thrust = 1;
  const Vec4 axis = thrust_axis(p, n, thrust);
  shapes.one_minus_thrust = 1 - thrust;
  Vec4 hemisphere[2];
  double broadening[2] = {0, 0};
  double sum_abs = 0, e_vis = 0;
  double theta[3][3] = {};
  for (int k = 0; k < n; ++k) {
    const Vec4& q = p(k);
    const double abs_p = q.p();
    sum_abs += abs_p;
    e_vis += q.e;
    const int side = dot3(q, axis) >= 0 ? 0 : 1;
    hemisphere[side] += q;
    broadening[side] += cross3(q, axis).p();
    ++shapes.hemisphere_partons[side];
    const double components[3] = {q.px, q.py, q.pz};
    if (abs_p > 0) {
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b)
          theta[a][b] += components[a] * components[b] / abs_p;
    }
  }
  const double ma = Kokkos::sqrt(Kokkos::fabs(hemisphere[0].m2())) / e_vis;
  const double mb = Kokkos::sqrt(Kokkos::fabs(hemisphere[1].m2())) / e_vis;
  shapes.heavy_jet_mass = Kokkos::fmax(ma, mb);
  shapes.light_jet_mass = Kokkos::fmin(ma, mb);
  const double b1 = broadening[0] / (2 * sum_abs), b2 = broadening[1] / (2 * sum_abs);
  shapes.total_broadening = b1 + b2;
  shapes.wide_broadening = Kokkos::fmax(b1, b2);
  shapes.narrow_broadening = Kokkos::fmin(b1, b2);
  double trace_theta2 = 0;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      trace_theta2 += theta[a][b] * theta[a][b];
  shapes.c_parameter = 1.5 * (1 - trace_theta2 / (sum_abs * sum_abs));
  return shapes;
}

KOKKOS_INLINE_FUNCTION double durham_y(const Vec4& a, const Vec4& b, double e2_vis)
{
  const double cos_ab = Kokkos::fmin(Kokkos::fmax(dot3(a, b) / Kokkos::sqrt(a.p2() * b.p2()), -1.0), 1.0);
  const double e = Kokkos::fmin(a.e, b.e);
  return 2 * e * e * (1 - cos_ab) / e2_vis;
}

// Durham clustering down to two jets, in place (the momenta are merged: call it last).
// y[m] receives y_{m+2,m+3} (y23, y34, ...) for m < n_y, and 0 where there were too few
// partons.
template <class Momenta>
KOKKOS_INLINE_FUNCTION void durham_resolutions(const Momenta& p, int n, double e2_vis, double* y, int n_y)
{
  for (int m = 0; m < n_y; ++m)
    y[m] = 0;
  for (int jets = n; jets > 2; --jets) {
    double y_min = 2;
    int a_min = 0, b_min = 1;
    for (int a = 1; a < jets; ++a) {
      for (int b = 0; b < a; ++b) {
        const double y_ab = durham_y(p(a), p(b), e2_vis);
        if (y_ab < y_min) {
          y_min = y_ab;
          a_min = a;
          b_min = b;
        }
      }
    }
    if (jets - 3 < n_y) y[jets - 3] = y_min;
    p(b_min) += p(a_min);
    p(a_min) = p(jets - 1); // keep the live jets in [0, jets - 1)
  }
}

} // namespace tessera::shower
