// SPDX-License-Identifier: Apache-2.0
// SU(3) algebra and Dirac matrices on the host: the exponential against its Taylor series,
// group properties of random and reunitarised matrices, the momentum normalisation, the
// Clifford algebra of the gamma table, and the spin projectors against (1 -/+ gamma_mu).
#include <cmath>

#include <gtest/gtest.h>

#include "tessera/lqcd/gamma.hpp"
#include "tessera/lqcd/su3.hpp"

namespace lq = tessera::lqcd;
using M = lq::Su3<double>;
using C = lq::Complex<double>;

namespace {

double distance(const M& a, const M& b)
{
  double d = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      d = std::max(d, Kokkos::abs(a.m[i][j] - b.m[i][j]));
  return d;
}

C determinant(const M& u)
{
  return u.m[0][0] * (u.m[1][1] * u.m[2][2] - u.m[1][2] * u.m[2][1]) -
         u.m[0][1] * (u.m[1][0] * u.m[2][2] - u.m[1][2] * u.m[2][0]) +
         u.m[0][2] * (u.m[1][0] * u.m[2][1] - u.m[1][1] * u.m[2][0]);
}

M taylor_exp(const M& x)
{
  M sum = M::identity(), term = M::identity();
  for (int k = 1; k < 60; ++k) {
    term = (1.0 / k) * (term * x);
    sum = sum + term;
  }
  return sum;
}

lq::Spinor<double> random_spinor(tessera::RandomDraws& rng)
{
  lq::Spinor<double> s;
  for (auto& v : s.s)
    for (auto& c : v.c)
      c = C(rng.normal(), rng.normal());
  return s;
}

double distance(const lq::Spinor<double>& a, const lq::Spinor<double>& b)
{
  double d = 0;
  for (int s = 0; s < 4; ++s)
    for (int c = 0; c < 3; ++c)
      d = std::max(d, Kokkos::abs(a.s[s].c[c] - b.s[s].c[c]));
  return d;
}

} // namespace

TEST(Su3, ExponentialMatchesTaylorSeries)
{
  tessera::RandomDraws rng(11, 0, 0);
  for (double scale : {1e-7, 1e-3, 0.1, 1.0, 3.0}) {
    for (int trial = 0; trial < 20; ++trial) {
      const M x = scale * lq::random_algebra_element<double>(rng);
      const M e = lq::exp_antihermitian(x);
      EXPECT_LT(distance(e, taylor_exp(x)), 1e-13) << "scale " << scale;
      EXPECT_LT(distance(lq::mul_adj(e, e), M::identity()), 1e-14);
      EXPECT_NEAR(determinant(e).real(), 1.0, 1e-14);
      EXPECT_NEAR(determinant(e).imag(), 0.0, 1e-14);
    }
  }
  // negative det Q branch: the inverse of an exponential
  const M x = lq::random_algebra_element<double>(rng);
  EXPECT_LT(distance(lq::exp_antihermitian(x) * lq::exp_antihermitian((-1.0) * x), M::identity()), 1e-14);
}

TEST(Su3, RandomMatricesAreSpecialUnitary)
{
  tessera::RandomDraws rng(5, 0, 1);
  for (int trial = 0; trial < 100; ++trial) {
    const M u = lq::random_su3<double>(rng);
    EXPECT_LT(distance(lq::adj_mul(u, u), M::identity()), 1e-14);
    EXPECT_NEAR(determinant(u).real(), 1.0, 1e-14);
    EXPECT_NEAR(determinant(u).imag(), 0.0, 1e-14);
  }
  // reunitarise() undoes a small perturbation's departure from the group
  M u = lq::random_su3<double>(rng);
  u.m[1][2] += C(1e-6, -2e-6);
  lq::reunitarise(u);
  EXPECT_LT(distance(lq::adj_mul(u, u), M::identity()), 1e-15);
}

TEST(Su3, MomentumNormalisation)
{
  // -tr(P^2) = sum p_a^2 / 2 with P = i sum p_a lambda_a / 2
  const double p[8] = {0.3, -1.2, 0.7, 2.0, -0.1, 0.05, 1.5, -0.8};
  double half_sum = 0;
  for (double v : p)
    half_sum += 0.5 * v * v;
  const M x = lq::algebra_element(p);
  EXPECT_NEAR(-lq::re_trace_mul(x, x), half_sum, 1e-14);
  EXPECT_LT(distance(lq::traceless_antihermitian(x), x), 1e-15);
  EXPECT_NEAR(Kokkos::abs(lq::trace(x)), 0.0, 1e-15);
}

TEST(Gamma, CliffordAlgebraAndGamma5)
{
  tessera::RandomDraws rng(3, 0, 0);
  const auto psi = random_spinor(rng);
  for (int mu = 0; mu < lq::dims; ++mu) {
    EXPECT_LT(distance(lq::apply_gamma(lq::apply_gamma(psi, mu), mu), psi), 1e-15) << "gamma_mu^2 = 1";
    for (int nu = mu + 1; nu < lq::dims; ++nu) {
      auto a = lq::apply_gamma(lq::apply_gamma(psi, nu), mu);
      const auto b = lq::apply_gamma(lq::apply_gamma(psi, mu), nu);
      for (int s = 0; s < 4; ++s)
        for (int c = 0; c < 3; ++c)
          a.s[s].c[c] += b.s[s].c[c];
      EXPECT_LT(distance(a, lq::Spinor<double>::zero()), 1e-15) << "{gamma_" << mu << ", gamma_" << nu << "} = 0";
    }
  }
  auto g5 = lq::apply_gamma(lq::apply_gamma(lq::apply_gamma(lq::apply_gamma(psi, 3), 2), 1), 0);
  EXPECT_LT(distance(g5, lq::gamma5(psi)), 1e-15) << "gamma_5 = gamma_x gamma_y gamma_z gamma_t";
}

TEST(Gamma, ProjectorsReconstructOneMinusSignGamma)
{
  tessera::RandomDraws rng(4, 0, 0);
  const auto psi = random_spinor(rng);
  for (int mu = 0; mu < lq::dims; ++mu)
    for (int sign : {+1, -1}) {
      auto expected = lq::apply_gamma(psi, mu);
      for (int s = 0; s < 4; ++s)
        for (int c = 0; c < 3; ++c)
          expected.s[s].c[c] = psi.s[s].c[c] - static_cast<double>(sign) * expected.s[s].c[c];
      auto got = lq::Spinor<double>::zero();
      lq::accumulate_reconstructed(got, lq::project(psi, mu, sign), mu, sign);
      EXPECT_LT(distance(got, expected), 1e-14) << "mu " << mu << " sign " << sign;
    }
}
