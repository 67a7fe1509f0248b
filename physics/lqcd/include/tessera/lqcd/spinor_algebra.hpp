// SPDX-License-Identifier: Apache-2.0
#pragma once
// Linear algebra of quark fields over the interior sites of one parity (ghosts excluded),
// summed over ranks: the vector operations of the solvers. Reductions accumulate in double
// whatever the field's precision. Half fields (half.hpp) have their own, site by site (each
// site's norm is recomputed when it is written), in src/half.cpp.

#include "tessera/lqcd/decomposition.hpp"
#include "tessera/lqcd/fields.hpp"
#include "tessera/lqcd/half.hpp"

namespace tessera::lqcd {

namespace detail {
// Calls op(storage index, spin, colour) for every number of every interior site of a parity.
// Functors, not lambdas: an extended lambda captured by another (nvcc's host-device lambda
// wrapper) crashed on CUDA when copied, depending on which kernels had run before.
template <class Op>
struct ComponentLoop {
  Geometry g;
  int parity;
  Op op;
  KOKKOS_INLINE_FUNCTION void operator()(Index n) const
  {
    const Index s = g.interior_storage(n, parity);
    for (int a = 0; a < 4; ++a)
      for (int b = 0; b < 3; ++b)
        op(s, a, b);
  }
};

template <class Op>
void for_each_component(const std::string& label, const Geometry& g, int parity, const Op& op)
{
  par_for(label, g.half_volume, ComponentLoop<Op>{g, parity, op});
}

// y <- a x + b y
template <class T>
struct Axpby {
  T a, b;
  SpinorView<T> x, y;
  KOKKOS_INLINE_FUNCTION void operator()(Index s, int i, int j) const { y(s, i, j) = a * x(s, i, j) + b * y(s, i, j); }
};

// y <- x converted (accumulate: y <- y + x converted)
template <class To, class From, bool accumulate>
struct ConvertCopy {
  SpinorView<From> x;
  SpinorView<To> y;
  KOKKOS_INLINE_FUNCTION void operator()(Index s, int i, int j) const
  {
    const Complex<To> v(static_cast<To>(x(s, i, j).real()), static_cast<To>(x(s, i, j).imag()));
    if constexpr (accumulate)
      y(s, i, j) += v;
    else
      y(s, i, j) = v;
  }
};
} // namespace detail

// <a, b> = sum conj(a) b
template <class T>
Kokkos::complex<double> dot(const Decomposition& d, int parity, const SpinorView<T>& a, const SpinorView<T>& b)
{
  const Geometry g = d.geometry();
  double re = 0, im = 0;
  par_reduce_many(
      "lqcd::dot", g.half_volume,
      KOKKOS_LAMBDA(Index n, double& r, double& i) {
        const Index s = g.interior_storage(n, parity);
        for (int x = 0; x < 4; ++x)
          for (int y = 0; y < 3; ++y) {
            const auto p = conj_times(a(s, x, y), b(s, x, y));
            r += static_cast<double>(p.real());
            i += static_cast<double>(p.imag());
          }
      },
      re, im);
  return {d.comm().sum(re), d.comm().sum(im)};
}

template <class T>
double norm2(const Decomposition& d, int parity, const SpinorView<T>& a)
{
  const Geometry g = d.geometry();
  double sum = 0;
  par_reduce(
      "lqcd::norm2", g.half_volume,
      KOKKOS_LAMBDA(Index n, double& r) {
        const Index s = g.interior_storage(n, parity);
        for (int x = 0; x < 4; ++x)
          for (int y = 0; y < 3; ++y)
            r += static_cast<double>(abs2(a(s, x, y)));
      },
      sum);
  return d.comm().sum(sum);
}

// y <- alpha x + beta y
template <class T>
void axpby(const Decomposition& d, int parity, double alpha, const SpinorView<T>& x, double beta,
           const SpinorView<T>& y)
{
  const T a = static_cast<T>(alpha), b = static_cast<T>(beta);
  detail::for_each_component("lqcd::axpby", d.geometry(), parity, detail::Axpby<T>{a, b, x, y});
}

// y <- x (any precisions)
template <class To, class From>
void convert_copy(const Decomposition& d, int parity, const SpinorView<From>& x, const SpinorView<To>& y)
{
  detail::for_each_component("lqcd::convert_copy", d.geometry(), parity, detail::ConvertCopy<To, From, false>{x, y});
}

// y <- y + x (x of another precision, e.g. a single-precision correction)
template <class T, class U>
void add_converted(const Decomposition& d, int parity, const SpinorView<U>& x, const SpinorView<T>& y)
{
  detail::for_each_component("lqcd::add_converted", d.geometry(), parity, detail::ConvertCopy<T, U, true>{x, y});
}

// The same for half fields, arithmetic in float; to and from double.
Kokkos::complex<double> dot(const Decomposition& d, int parity, const HalfSpinorView& a, const HalfSpinorView& b);
double norm2(const Decomposition& d, int parity, const HalfSpinorView& a);
void axpby(const Decomposition& d, int parity, double alpha, const HalfSpinorView& x, double beta,
           const HalfSpinorView& y);
void convert_copy(const Decomposition& d, int parity, const SpinorView<double>& x, const HalfSpinorView& y);
void convert_copy(const Decomposition& d, int parity, const HalfSpinorView& x, const SpinorView<double>& y);
void convert_copy(const Decomposition& d, int parity, const HalfSpinorView& x, const HalfSpinorView& y);
void add_converted(const Decomposition& d, int parity, const HalfSpinorView& x, const SpinorView<double>& y);

// Gaussian noise with density exp(-|eta|^2): real and imaginary parts N(0, 1/2), a pure
// function of (seed, stream, counter, global site).
void gaussian_noise(const Decomposition& d, int parity, const SpinorView<double>& eta, std::uint64_t seed,
                    std::uint32_t stream, std::uint64_t counter);

} // namespace tessera::lqcd
