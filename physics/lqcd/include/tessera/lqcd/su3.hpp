// SPDX-License-Identifier: Apache-2.0
#pragma once
// SU(3) algebra for kernels: 3x3 complex matrices and colour vectors, products with and
// without adjoints, traces, the traceless anti-Hermitian projection, reunitarisation, the
// exact exponential of a traceless anti-Hermitian matrix (Cayley-Hamilton, Morningstar and
// Peardon, Phys. Rev. D 69 (2004) 054501), and random elements of the group and the algebra.
// Everything is a small value type held in registers; T is float or double.

#include <Kokkos_Complex.hpp>
#include <Kokkos_Core.hpp>

#include "tessera/core/rng.hpp"

namespace tessera::lqcd {

template <class T>
using Complex = Kokkos::complex<T>;

// |z|^2 (Kokkos::norm of a complex number exists only from Kokkos 5).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION T abs2(const Complex<T>& z)
{
  return z.real() * z.real() + z.imag() * z.imag();
}

template <class T>
struct ColourVector {
  Complex<T> c[3];
};

template <class T>
struct Su3 {
  Complex<T> m[3][3];

  KOKKOS_INLINE_FUNCTION static Su3 zero()
  {
    Su3 u;
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b)
        u.m[a][b] = Complex<T>(0, 0);
    return u;
  }
  KOKKOS_INLINE_FUNCTION static Su3 identity()
  {
    Su3 u = zero();
    for (int a = 0; a < 3; ++a)
      u.m[a][a] = Complex<T>(1, 0);
    return u;
  }
};

// conj(a) * b without forming conj(a).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION Complex<T> conj_times(const Complex<T>& a, const Complex<T>& b)
{
  return Complex<T>(a.real() * b.real() + a.imag() * b.imag(), a.real() * b.imag() - a.imag() * b.real());
}

template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> operator*(const Su3<T>& a, const Su3<T>& b)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] = a.m[i][0] * b.m[0][j] + a.m[i][1] * b.m[1][j] + a.m[i][2] * b.m[2][j];
  return c;
}

// a^dagger b
template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> adj_mul(const Su3<T>& a, const Su3<T>& b)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] =
          conj_times(a.m[0][i], b.m[0][j]) + conj_times(a.m[1][i], b.m[1][j]) + conj_times(a.m[2][i], b.m[2][j]);
  return c;
}

// a b^dagger
template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> mul_adj(const Su3<T>& a, const Su3<T>& b)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] =
          conj_times(b.m[j][0], a.m[i][0]) + conj_times(b.m[j][1], a.m[i][1]) + conj_times(b.m[j][2], a.m[i][2]);
  return c;
}

template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> adjoint(const Su3<T>& a)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] = Kokkos::conj(a.m[j][i]);
  return c;
}

template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> operator+(const Su3<T>& a, const Su3<T>& b)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] = a.m[i][j] + b.m[i][j];
  return c;
}

template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> operator-(const Su3<T>& a, const Su3<T>& b)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] = a.m[i][j] - b.m[i][j];
  return c;
}

template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> operator*(T s, const Su3<T>& a)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] = s * a.m[i][j];
  return c;
}

template <class T>
KOKKOS_INLINE_FUNCTION Complex<T> trace(const Su3<T>& a)
{
  return a.m[0][0] + a.m[1][1] + a.m[2][2];
}

template <class T>
KOKKOS_INLINE_FUNCTION T re_trace(const Su3<T>& a)
{
  return a.m[0][0].real() + a.m[1][1].real() + a.m[2][2].real();
}

// Re tr(a b) without forming the product (18 multiply-adds instead of 27 complex ones).
template <class T>
KOKKOS_INLINE_FUNCTION T re_trace_mul(const Su3<T>& a, const Su3<T>& b)
{
  T sum = 0;
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k)
      sum += a.m[i][k].real() * b.m[k][i].real() - a.m[i][k].imag() * b.m[k][i].imag();
  return sum;
}

// The traceless anti-Hermitian part (a - a^dagger)/2 - tr(a - a^dagger)/6: the projection
// onto the Lie algebra su(3) that gauge forces need.
template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> traceless_antihermitian(const Su3<T>& a)
{
  Su3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] = T(0.5) * (a.m[i][j] - Kokkos::conj(a.m[j][i]));
  const T im_trace = (c.m[0][0].imag() + c.m[1][1].imag() + c.m[2][2].imag()) / 3;
  for (int i = 0; i < 3; ++i)
    c.m[i][i] = Complex<T>(0, c.m[i][i].imag() - im_trace);
  return c;
}

// conj(a b - c d) as two chains of multiply-adds (see operator* below): 8 instructions on
// GPUs where the complex products and their difference took 10.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION Complex<T> conj_cross(const Complex<T>& a, const Complex<T>& b, const Complex<T>& c,
                                                  const Complex<T>& d)
{
  T re = a.real() * b.real();
  re -= a.imag() * b.imag();
  re -= c.real() * d.real();
  re += c.imag() * d.imag();
  T im = c.real() * d.imag();
  im += c.imag() * d.real();
  im -= a.real() * b.imag();
  im -= a.imag() * b.real();
  return Complex<T>(re, im);
}

// Row 2 = conj(row 0 x row 1): the third row of an SU(3) matrix from the first two.
template <class T>
KOKKOS_INLINE_FUNCTION void complete_third_row(Su3<T>& u)
{
  u.m[2][0] = conj_cross(u.m[0][1], u.m[1][2], u.m[0][2], u.m[1][1]);
  u.m[2][1] = conj_cross(u.m[0][2], u.m[1][0], u.m[0][0], u.m[1][2]);
  u.m[2][2] = conj_cross(u.m[0][0], u.m[1][1], u.m[0][1], u.m[1][0]);
}

// Back onto SU(3) after rounding has moved a matrix off it: Gram-Schmidt on the first two
// rows, the third from their cross product (so det = 1 exactly up to rounding).
template <class T>
KOKKOS_INLINE_FUNCTION void reunitarise(Su3<T>& u)
{
  T norm0 = 0;
  for (int b = 0; b < 3; ++b)
    norm0 += abs2(u.m[0][b]);
  const T inv0 = T(1) / Kokkos::sqrt(norm0);
  for (int b = 0; b < 3; ++b)
    u.m[0][b] *= inv0;
  Complex<T> overlap(0, 0); // <row0, row1>
  for (int b = 0; b < 3; ++b)
    overlap += conj_times(u.m[0][b], u.m[1][b]);
  T norm1 = 0;
  for (int b = 0; b < 3; ++b) {
    u.m[1][b] -= overlap * u.m[0][b];
    norm1 += abs2(u.m[1][b]);
  }
  const T inv1 = T(1) / Kokkos::sqrt(norm1);
  for (int b = 0; b < 3; ++b)
    u.m[1][b] *= inv1;
  complete_third_row(u);
}

// exp(X) for X traceless anti-Hermitian: with Q = -i X (Hermitian, traceless),
// exp(i Q) = f0 + f1 Q + f2 Q^2, the f_j from the Cayley-Hamilton theorem
// (Morningstar and Peardon 2004, eqs. 29-37, with their c0 < 0 symmetry).
template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> exp_antihermitian(const Su3<T>& x)
{
  Su3<T> q;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      q.m[i][j] = Complex<T>(x.m[i][j].imag(), -x.m[i][j].real()); // -i x
  const Su3<T> q2 = q * q;
  const T c0_signed = re_trace_mul(q, q2) / 3; // det Q = tr(Q^3)/3
  const T c1 = re_trace(q2) / 2;
  if (c1 < T(1e-30)) return Su3<T>::identity(); // Q = 0 (to rounding)
  const bool negative = c0_signed < 0;
  const T c0 = negative ? -c0_signed : c0_signed;
  const T c0_max = 2 * Kokkos::pow(c1 / 3, T(1.5));
  const T ratio = Kokkos::fmin(c0 / c0_max, T(1));
  const T theta = Kokkos::acos(ratio);
  const T u = Kokkos::sqrt(c1 / 3) * Kokkos::cos(theta / 3);
  const T w = Kokkos::sqrt(c1) * Kokkos::sin(theta / 3);
  const T u2 = u * u, w2 = w * w;
  // xi0(w) = sin(w)/w, by its series near 0.
  const T xi0 = Kokkos::fabs(w) < T(0.05) ? T(1) - w2 / 6 * (T(1) - w2 / 20 * (T(1) - w2 / 42)) : Kokkos::sin(w) / w;
  const T cos_w = Kokkos::cos(w);
  const Complex<T> e_2iu(Kokkos::cos(2 * u), Kokkos::sin(2 * u));
  const Complex<T> e_miu(Kokkos::cos(u), -Kokkos::sin(u));
  const Complex<T> h0 = (u2 - w2) * e_2iu + e_miu * Complex<T>(8 * u2 * cos_w, 2 * u * (3 * u2 + w2) * xi0);
  const Complex<T> h1 = 2 * u * e_2iu - e_miu * Complex<T>(2 * u * cos_w, -(3 * u2 - w2) * xi0);
  const Complex<T> h2 = e_2iu - e_miu * Complex<T>(cos_w, 3 * u * xi0);
  const T inv_denominator = T(1) / (9 * u2 - w2);
  Complex<T> f0 = h0 * inv_denominator, f1 = h1 * inv_denominator, f2 = h2 * inv_denominator;
  if (negative) { // f_j(-c0) = (-1)^j conj(f_j(c0))
    f0 = Kokkos::conj(f0);
    f1 = -Kokkos::conj(f1);
    f2 = Kokkos::conj(f2);
  }
  Su3<T> e;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      e.m[i][j] = f1 * q.m[i][j] + f2 * q2.m[i][j];
  for (int i = 0; i < 3; ++i)
    e.m[i][i] += f0;
  return e;
}

// The anti-Hermitian traceless matrix i sum_a p_a lambda_a / 2 (Gell-Mann lambda_a), so that
// -tr(P^2) = sum_a p_a^2 / 2: HMC momenta from 8 standard normals.
template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> algebra_element(const T p[8])
{
  const T s3 = T(0.5) / Kokkos::sqrt(T(3));
  Su3<T> x;
  // i/2 * (lambda matrices): diagonal from lambda_3 and lambda_8.
  x.m[0][0] = Complex<T>(0, T(0.5) * p[2] + s3 * p[7]);
  x.m[1][1] = Complex<T>(0, -T(0.5) * p[2] + s3 * p[7]);
  x.m[2][2] = Complex<T>(0, -2 * s3 * p[7]);
  // lambda_1, lambda_2 in (0,1); lambda_4, lambda_5 in (0,2); lambda_6, lambda_7 in (1,2).
  x.m[0][1] = Complex<T>(T(0.5) * p[1], T(0.5) * p[0]);
  x.m[1][0] = Complex<T>(-T(0.5) * p[1], T(0.5) * p[0]);
  x.m[0][2] = Complex<T>(T(0.5) * p[4], T(0.5) * p[3]);
  x.m[2][0] = Complex<T>(-T(0.5) * p[4], T(0.5) * p[3]);
  x.m[1][2] = Complex<T>(T(0.5) * p[6], T(0.5) * p[5]);
  x.m[2][1] = Complex<T>(-T(0.5) * p[6], T(0.5) * p[5]);
  return x;
}

// A random algebra element with 8 standard normal coefficients.
template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> random_algebra_element(RandomDraws& rng)
{
  T p[8];
  for (auto& v : p)
    v = static_cast<T>(rng.normal());
  return algebra_element(p);
}

// A Haar-random SU(3) matrix: Gram-Schmidt of complex normals in the first two rows, the
// third from their cross product.
template <class T>
KOKKOS_INLINE_FUNCTION Su3<T> random_su3(RandomDraws& rng)
{
  Su3<T> u;
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 3; ++b) {
      const T re = static_cast<T>(rng.normal());
      const T im = static_cast<T>(rng.normal());
      u.m[a][b] = Complex<T>(re, im);
    }
  reunitarise(u);
  return u;
}

// U v and U^dagger v (the dslash's products: 16 a site). Each real number is one chain of
// `x += a * b`, which nvcc contracts into one FMA per term: 6 instructions a number, where a
// sum of complex products takes 8 (a product's two terms are a multiply and an FMA, and the
// products are then added). The same arithmetic up to rounding on every backend.
template <class T>
KOKKOS_FORCEINLINE_FUNCTION ColourVector<T> operator*(const Su3<T>& u, const ColourVector<T>& v)
{
  ColourVector<T> r;
  for (int a = 0; a < 3; ++a) {
    T re = 0, im = 0;
    for (int b = 0; b < 3; ++b) {
      re += u.m[a][b].real() * v.c[b].real();
      re -= u.m[a][b].imag() * v.c[b].imag();
      im += u.m[a][b].real() * v.c[b].imag();
      im += u.m[a][b].imag() * v.c[b].real();
    }
    r.c[a] = Complex<T>(re, im);
  }
  return r;
}

template <class T>
KOKKOS_FORCEINLINE_FUNCTION ColourVector<T> adj_mul(const Su3<T>& u, const ColourVector<T>& v)
{
  ColourVector<T> r;
  for (int a = 0; a < 3; ++a) {
    T re = 0, im = 0;
    for (int b = 0; b < 3; ++b) {
      re += u.m[b][a].real() * v.c[b].real();
      re += u.m[b][a].imag() * v.c[b].imag();
      im += u.m[b][a].real() * v.c[b].imag();
      im -= u.m[b][a].imag() * v.c[b].real();
    }
    r.c[a] = Complex<T>(re, im);
  }
  return r;
}

// Matrices between precisions (mixed-precision solvers, single-precision copies of links).
template <class To, class From>
KOKKOS_INLINE_FUNCTION Su3<To> convert(const Su3<From>& a)
{
  Su3<To> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.m[i][j] = Complex<To>(static_cast<To>(a.m[i][j].real()), static_cast<To>(a.m[i][j].imag()));
  return c;
}

} // namespace tessera::lqcd
