// SPDX-License-Identifier: Apache-2.0
// The phi^4 action against a long-double host sum written from the formula (with its own
// periodic neighbours), its gradient against central finite differences, and the exact free
// propagator against the inverse of 2K built as a dense matrix.
#include <cmath>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "flow_testing.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/flow/free_theory.hpp"
#include "tessera/flow/phi4.hpp"

namespace fl = tessera::flow;
namespace ft = tessera::flow::testing;
using tessera::ExecSpace;
using tessera::Index;
using tessera::nn::LatticeShape;

namespace {

// S of each sample: sum_x [sum_mu phi(x)(2 phi(x) - phi(x+mu) - phi(x-mu)) + m2 phi^2 + lambda phi^4].
std::vector<long double> host_action(const std::vector<double>& phi, int lx, int ly, double m2, double lambda)
{
  const int v = lx * ly;
  std::vector<long double> s(phi.size() / static_cast<std::size_t>(v), 0.0L);
  for (std::size_t n = 0; n < s.size(); ++n) {
    const auto at = [&](int x, int y) -> long double {
      return phi[n * static_cast<std::size_t>(v) + static_cast<std::size_t>(((x + lx) % lx) * ly + (y + ly) % ly)];
    };
    for (int x = 0; x < lx; ++x)
      for (int y = 0; y < ly; ++y) {
        const long double f = at(x, y);
        s[n] += f * (2 * f - at(x + 1, y) - at(x - 1, y)) + f * (2 * f - at(x, y + 1) - at(x, y - 1));
        s[n] += m2 * f * f + lambda * f * f * f * f;
      }
  }
  return s;
}

} // namespace

TEST(Phi4Action, MatchesALongDoubleHostSumOnANonSquareLattice)
{
  const LatticeShape shape{4, 3};
  const fl::Phi4Couplings couplings{-1.3, 0.7};
  const Index samples = 3;
  const auto phi = ft::random_batch<double>(samples * shape.sites(), 11);
  const auto expected = host_action(ft::host_values(phi), 4, 3, couplings.m2, couplings.lambda);

  const fl::Phi4Action<double> action(shape, couplings);
  EXPECT_EQ(action.components(), 12);
  tessera::nn::SampleValues<double> s("s", samples);
  action.evaluate(ExecSpace{}, phi, s);
  const auto got = ft::host_values(s);
  for (Index n = 0; n < samples; ++n)
    EXPECT_NEAR(got[n], static_cast<double>(expected[n]), 1e-13 * std::abs(static_cast<double>(expected[n])))
        << "sample " << n;

  // float: the same fields rounded to float, the site sum in double
  tessera::nn::FieldBatch<float> phi_f("phi_f", phi.extent(0));
  auto host_f = Kokkos::create_mirror_view(phi_f);
  const auto values = ft::host_values(phi);
  for (std::size_t i = 0; i < values.size(); ++i)
    host_f(i) = static_cast<float>(values[i]);
  Kokkos::deep_copy(phi_f, host_f);
  const fl::Phi4Action<float> action_f(shape, couplings);
  tessera::nn::SampleValues<float> s_f("s_f", samples);
  action_f.evaluate(ExecSpace{}, phi_f, s_f);
  const auto got_f = ft::host_values(s_f);
  for (Index n = 0; n < samples; ++n)
    EXPECT_NEAR(got_f[n], got[n], 1e-5 * (1 + std::abs(got[n]))) << "sample " << n;
}

TEST(Phi4Action, GradientIsTheCentralDifferenceOfTheAction)
{
  const LatticeShape shape{4, 3};
  const fl::Phi4Couplings couplings{-0.8, 1.1};
  const Index samples = 3, n = samples * shape.sites();
  const auto phi = ft::random_batch<double>(n, 12);
  const fl::Phi4Action<double> action(shape, couplings);
  tessera::nn::SampleValues<double> s("s", samples), s_plain("s_plain", samples);
  tessera::nn::FieldBatch<double> force("force", n);
  action.gradient(ExecSpace{}, phi, s, force);
  action.evaluate(ExecSpace{}, phi, s_plain);
  const auto f = ft::host_values(force);
  EXPECT_EQ(ft::host_values(s), ft::host_values(s_plain)); // gradient's action is evaluate's

  const double h = 1e-5;
  tessera::nn::FieldBatch<double> probe("probe", n);
  for (Index i = 0; i < n; ++i) {
    double side[2];
    for (int k = 0; k < 2; ++k) {
      auto host = tessera::host_copy(phi);
      host(i) += k == 0 ? h : -h;
      Kokkos::deep_copy(probe, host);
      action.evaluate(ExecSpace{}, probe, s);
      side[k] = ft::host_values(s)[static_cast<std::size_t>(i / shape.sites())];
    }
    const double numeric = (side[0] - side[1]) / (2 * h);
    EXPECT_NEAR(f[static_cast<std::size_t>(i)], numeric, 1e-6 * (1 + std::abs(numeric))) << "component " << i;
  }
}

TEST(Phi4Action, RefusesANegativeQuarticCoupling)
{
  EXPECT_THROW(fl::Phi4Action<double>(LatticeShape{4, 4}, fl::Phi4Couplings{1, -0.1}), tessera::InputError);
  EXPECT_THROW(fl::Phi4Action<double>(LatticeShape{0, 4}, fl::Phi4Couplings{1, 0}), tessera::InputError);
}

// (2K)^-1 with K = -Laplacian + m2 by Gauss-Jordan on the 12 x 12 matrix of a 4 x 3 lattice:
// column 0 is G(x), and every column is G translated.
TEST(FreeTheory, PropagatorIsTheInverseOfTwiceTheQuadraticForm)
{
  const int lx = 4, ly = 3, v = lx * ly;
  const double m2 = 0.7;
  const LatticeShape shape{lx, ly};
  std::vector<double> a(static_cast<std::size_t>(v * 2 * v), 0.0); // [2K | 1]
  const auto el = [&](int r, int c) -> double& { return a[static_cast<std::size_t>(r * 2 * v + c)]; };
  for (int s = 0; s < v; ++s) {
    el(s, s) += 2 * (4 + m2);
    for (const auto& [dx, dy] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}})
      el(s, static_cast<int>(shape.shifted(s, dx, dy))) -= 2;
    el(s, v + s) = 1;
  }
  for (int c = 0; c < v; ++c) { // symmetric positive definite: no pivoting needed
    const double p = el(c, c);
    for (int k = 0; k < 2 * v; ++k)
      el(c, k) /= p;
    for (int r = 0; r < v; ++r)
      if (r != c) {
        const double f = el(r, c);
        for (int k = 0; k < 2 * v; ++k)
          el(r, k) -= f * el(c, k);
      }
  }
  const auto g = fl::free_propagator(shape, m2);
  double sum = 0;
  for (int s = 0; s < v; ++s) {
    sum += g[static_cast<std::size_t>(s)];
    for (int t = 0; t < v; ++t) {
      // <phi(s) phi(t)> = G(s - t)
      const int x = (s / ly - t / ly + lx) % lx, y = (s % ly - t % ly + ly) % ly;
      EXPECT_NEAR(el(s, v + t), g[static_cast<std::size_t>(shape.site(x, y))], 1e-14) << s << " " << t;
    }
  }
  EXPECT_NEAR(fl::free_phi2(shape, m2), g[0], 0);
  EXPECT_NEAR(sum, fl::free_chi2(m2), 1e-14);
  EXPECT_NEAR(fl::free_chi2(m2), 1 / (2 * m2), 1e-15);

  // G(t) is the sum over x1, and a single cosh away from t = 0: its effective mass is m_p at
  // every t != 0 (G(1) + G(-1) = (2 + m2) G(0) - 1/2 at t = 0)
  const auto gt = fl::free_zero_momentum_correlator(shape, m2);
  const double mp = fl::free_pole_mass(m2);
  EXPECT_NEAR(4 * std::sinh(mp / 2) * std::sinh(mp / 2), m2, 1e-14);
  for (int t = 0; t < lx; ++t) {
    double row = 0;
    for (int y = 0; y < ly; ++y)
      row += g[static_cast<std::size_t>(shape.site(t, y))];
    EXPECT_NEAR(gt[static_cast<std::size_t>(t)], row, 1e-14);
    if (t == 0) {
      EXPECT_NEAR(gt[1] + gt[lx - 1], (2 + m2) * gt[0] - 0.5, 1e-14);
      continue;
    }
    const double arg = (gt[static_cast<std::size_t>((t + lx - 1) % lx)] + gt[static_cast<std::size_t>((t + 1) % lx)]) /
                       (2 * gt[static_cast<std::size_t>(t)]);
    EXPECT_NEAR(std::acosh(arg), mp, 1e-12) << "t = " << t;
  }
  EXPECT_THROW(fl::free_propagator(shape, 0), tessera::InputError);
}
