// SPDX-License-Identifier: Apache-2.0
#pragma once
// Minkowski four-vectors (E, px, py, pz), metric (+,-,-,-), callable in kernels: the momenta
// of the parton shower and the event shapes.

#include <Kokkos_Core.hpp>

namespace tessera::shower {

struct Vec4 {
  double e = 0, px = 0, py = 0, pz = 0;

  KOKKOS_INLINE_FUNCTION Vec4& operator+=(const Vec4& b)
  {
    e += b.e;
    px += b.px;
    py += b.py;
    pz += b.pz;
    return *this;
  }
  KOKKOS_INLINE_FUNCTION Vec4& operator-=(const Vec4& b)
  {
    e -= b.e;
    px -= b.px;
    py -= b.py;
    pz -= b.pz;
    return *this;
  }
  // Minkowski square and the 3-momentum.
  KOKKOS_INLINE_FUNCTION double m2() const { return e * e - p2(); }
  KOKKOS_INLINE_FUNCTION double p2() const { return px * px + py * py + pz * pz; }
  KOKKOS_INLINE_FUNCTION double p() const { return Kokkos::sqrt(p2()); }
};

KOKKOS_INLINE_FUNCTION Vec4 operator+(Vec4 a, const Vec4& b)
{
  return a += b;
}
KOKKOS_INLINE_FUNCTION Vec4 operator-(Vec4 a, const Vec4& b)
{
  return a -= b;
}
KOKKOS_INLINE_FUNCTION Vec4 operator*(double s, const Vec4& a)
{
  return {s * a.e, s * a.px, s * a.py, s * a.pz};
}

// Minkowski product and the Euclidean product of the 3-momenta.
KOKKOS_INLINE_FUNCTION double dot3(const Vec4& a, const Vec4& b)
{
  return a.px * b.px + a.py * b.py + a.pz * b.pz;
}
KOKKOS_INLINE_FUNCTION double dot(const Vec4& a, const Vec4& b)
{
  return a.e * b.e - dot3(a, b);
}

// The cross product of the 3-momenta, as a four-vector with zero energy.
KOKKOS_INLINE_FUNCTION Vec4 cross3(const Vec4& a, const Vec4& b)
{
  return {0.0, a.py * b.pz - a.pz * b.py, a.pz * b.px - a.px * b.pz, a.px * b.py - a.py * b.px};
}

// v seen in the rest frame of q (q timelike), and back again.
KOKKOS_INLINE_FUNCTION Vec4 boost_to_rest_frame(const Vec4& q, const Vec4& v)
{
  const double m = Kokkos::sqrt(q.m2());
  const double e = (q.e * v.e - dot3(q, v)) / m;
  const double c = (v.e + e) / (m + q.e);
  return {e, v.px - c * q.px, v.py - c * q.py, v.pz - c * q.pz};
}
KOKKOS_INLINE_FUNCTION Vec4 boost_from_rest_frame(const Vec4& q, const Vec4& v)
{
  const double m = Kokkos::sqrt(q.m2());
  const double e = (q.e * v.e + dot3(q, v)) / m;
  const double c = (v.e + e) / (m + q.e);
  return {e, v.px + c * q.px, v.py + c * q.py, v.pz + c * q.pz};
}

} // namespace tessera::shower
