// SPDX-License-Identifier: Apache-2.0
#pragma once
// Invertible maps of the circle onto itself for flows of angles (Kanwar et al., PRL 125,
// 121601 (2020); Rezende et al., ICML 2020): the "non-compact projection"
//   h_s(x) = 2 atan(e^s tan(x / 2)),   x in [0, 2 pi),
// fixes 0 and pi and stretches the circle towards pi for s > 0; a mixture of K of them,
//   g(x) = (1/K) sum_k h_{s_k}(x),
// is still a monotone map of [0, 2 pi) onto itself, with
//   g'(x) = (1/K) sum_k 1 / D_k,   D_k = e^{-s_k} cos^2(x/2) + e^{s_k} sin^2(x/2).
// Everything here is a device function on one site; the parameters s_k are read from column
// `j` of a matrix (rows 0 ... K-1), as a coupling network outputs them.
//
// h is written as 2 atan2(e^s sin(x/2), cos(x/2)), which is continuous on [0, 2 pi) (no
// tangent at pi) and lands in [0, 2 pi] without a remainder.

#include "tessera/core/loops.hpp"

namespace tessera::nn {

template <class T>
KOKKOS_INLINE_FUNCTION T two_pi()
{
  return static_cast<T>(6.283185307179586476925286766559);
}

// a reduced to [0, 2 pi).
template <class T>
KOKKOS_INLINE_FUNCTION T wrap_angle(T a)
{
  const T r = a - two_pi<T>() * Kokkos::floor(a / two_pi<T>());
  return r < two_pi<T>() ? r : T(0); // a tiny negative a rounds up to 2 pi
}

// The values of a mixture at one x, and what its derivatives need.
template <class T, class Params>
struct MixtureTanMap {
  const Params& s; // s(k, j), k < components
  Index j;
  int components;

  KOKKOS_INLINE_FUNCTION T value(T x) const
  {
    const T half_sin = Kokkos::sin(x / 2), half_cos = Kokkos::cos(x / 2);
    T sum = 0;
    for (int k = 0; k < components; ++k)
      sum += 2 * Kokkos::atan2(Kokkos::exp(s(k, j)) * half_sin, half_cos);
    return sum / components;
  }

  // g'(x).
  KOKKOS_INLINE_FUNCTION T derivative(T x) const
  {
    const T sin2 = square(Kokkos::sin(x / 2)), cos2 = square(Kokkos::cos(x / 2));
    T sum = 0;
    for (int k = 0; k < components; ++k)
      sum += 1 / (Kokkos::exp(-s(k, j)) * cos2 + Kokkos::exp(s(k, j)) * sin2);
    return sum / components;
  }

  // x in [0, 2 pi) with g(x) = y, y in [0, 2 pi), by bisection to the last bit (g is monotone).
  KOKKOS_INLINE_FUNCTION T inverse(T y) const
  {
    T low = 0, high = two_pi<T>();
    for (int iteration = 0; iteration < 200; ++iteration) {
      const T middle = (low + high) / 2;
      if (!(low < middle && middle < high)) break;
      (value(middle) < y ? low : high) = middle;
    }
    return (low + high) / 2;
  }

  // The derivatives of g(x) and of log g'(x) by x and by each s_k, for back-propagation:
  // dL/ds_k = value_weight * dg/ds_k + log_weight * d(log g')/ds_k into ds(k, j), and returns
  // dL/dx = value_weight * g'(x) + log_weight * g''(x) / g'(x).
  template <class Gradients>
  KOKKOS_INLINE_FUNCTION T backward(T x, T value_weight, T log_weight, const Gradients& ds) const
  {
    const T half_sin = Kokkos::sin(x / 2), half_cos = Kokkos::cos(x / 2), full_sin = Kokkos::sin(x);
    const T sin2 = half_sin * half_sin, cos2 = half_cos * half_cos;
    const T g1 = derivative(x);
    T g2 = 0;
    for (int k = 0; k < components; ++k) {
      const T grow = Kokkos::exp(s(k, j)), shrink = 1 / grow;
      const T d = shrink * cos2 + grow * sin2;
      // dh/ds = sin x / D; d(1/D)/ds = (e^-s cos^2 - e^s sin^2) / D^2; d(1/D)/dx = -sinh(s) sin x / D^2.
      const T dh_ds = full_sin / d, dh1_ds = (shrink * cos2 - grow * sin2) / (d * d);
      g2 -= (grow - shrink) / 2 * full_sin / (d * d);
      ds(k, j) = (value_weight * dh_ds + log_weight * dh1_ds / g1) / components;
    }
    g2 /= components;
    return value_weight * g1 + log_weight * g2 / g1;
  }

private:
  KOKKOS_INLINE_FUNCTION static T square(T v) { return v * v; }
};

} // namespace tessera::nn
