// SPDX-License-Identifier: Apache-2.0
// Matrix products of core/gemm.hpp: both paths (Kokkos Kernels when present, Tessera's
// portable kernel always) against a long-double host product, every transpose combination,
// shapes that do not fill whole tiles, alpha and beta, and K = 0.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "tessera/core/gemm.hpp"
#include "tessera/core/rng.hpp"

namespace {

using tessera::GemmPath;
using tessera::Matrix;
using tessera::Trans;

template <class T>
Matrix<T> random_matrix(std::size_t rows, std::size_t cols, std::uint64_t item)
{
  Matrix<T> m("m", rows, cols);
  auto host = Kokkos::create_mirror_view(m);
  tessera::RandomDraws rng(7, 11, item);
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i)
      host(i, j) = static_cast<T>(rng.uniform(-1.0, 1.0));
  Kokkos::deep_copy(m, host);
  return m;
}

struct Case {
  std::size_t m, n, k;
  Trans ta, tb;
};

// Largest |C - reference| / (|alpha| sum_l |a b| + |beta c|): rounding relative to the terms.
template <class T>
double worst_error(const Case& c, GemmPath path, double alpha, double beta)
{
  const bool ta = c.ta == Trans::yes, tb = c.tb == Trans::yes;
  auto a = random_matrix<T>(ta ? c.k : c.m, ta ? c.m : c.k, 1);
  auto b = random_matrix<T>(tb ? c.n : c.k, tb ? c.k : c.n, 2);
  auto out = random_matrix<T>(c.m, c.n, 3);
  auto a_h = tessera::host_copy(a);
  auto b_h = tessera::host_copy(b);
  auto c0_h = tessera::host_copy(out);
  tessera::gemm(tessera::ExecSpace{}, c.ta, c.tb, static_cast<T>(alpha), a, b, static_cast<T>(beta), out, path);
  auto c_h = tessera::host_copy(out);
  double worst = 0;
  for (std::size_t j = 0; j < c.n; ++j) {
    for (std::size_t i = 0; i < c.m; ++i) {
      long double sum = 0, scale = 0;
      for (std::size_t l = 0; l < c.k; ++l) {
        const long double x = ta ? a_h(l, i) : a_h(i, l), y = tb ? b_h(j, l) : b_h(l, j);
        sum += x * y;
        scale += std::fabs(static_cast<double>(x * y));
      }
      const long double expected = alpha * sum + beta * static_cast<long double>(c0_h(i, j));
      scale = std::fabs(alpha) * scale + std::fabs(beta * c0_h(i, j)) + 1e-300;
      worst = std::max(worst, static_cast<double>(std::fabs(static_cast<double>(c_h(i, j) - expected)) / scale));
    }
  }
  return worst;
}

const Case cases[] = {
    {1, 1, 1, Trans::no, Trans::no},      {70, 33, 129, Trans::no, Trans::no},   {70, 33, 129, Trans::yes, Trans::no},
    {70, 33, 129, Trans::no, Trans::yes}, {70, 33, 129, Trans::yes, Trans::yes}, {128, 64, 16, Trans::no, Trans::yes},
    {5, 200, 3, Trans::yes, Trans::no},   {256, 1, 300, Trans::no, Trans::no},   {1, 256, 300, Trans::no, Trans::yes},
};

TEST(Gemm, BothPathsMatchALongDoubleProductInDouble)
{
  for (const auto path : {GemmPath::library, GemmPath::portable}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(::testing::Message() << c.m << "x" << c.n << "x" << c.k << " " << static_cast<char>(c.ta)
                                        << static_cast<char>(c.tb)
                                        << (path == GemmPath::library ? " library" : " portable"));
      EXPECT_LT(worst_error<double>(c, path, 1.0, 0.0), 1e-15);
      EXPECT_LT(worst_error<double>(c, path, -0.5, 2.0), 1e-15);
    }
  }
}

TEST(Gemm, BothPathsMatchALongDoubleProductInSingle)
{
  for (const auto path : {GemmPath::library, GemmPath::portable}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(::testing::Message() << c.m << "x" << c.n << "x" << c.k << " " << static_cast<char>(c.ta)
                                        << static_cast<char>(c.tb));
      EXPECT_LT(worst_error<float>(c, path, 1.5, 0.25), 1e-6);
    }
  }
}

TEST(Gemm, EmptyInnerDimensionScalesC)
{
  for (const auto path : {GemmPath::library, GemmPath::portable}) {
    EXPECT_LT(worst_error<double>({9, 7, 0, Trans::no, Trans::no}, path, 1.0, 3.0), 1e-15);
  }
}

TEST(Gemm, MismatchedShapesAreRefused)
{
  Matrix<double> a("a", 3, 4), b("b", 5, 2), c("c", 3, 2);
  EXPECT_THROW(tessera::gemm(tessera::ExecSpace{}, Trans::no, Trans::no, 1.0, a, b, 0.0, c), std::invalid_argument);
}

} // namespace
