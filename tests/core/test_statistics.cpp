// SPDX-License-Identifier: Apache-2.0
// The Gamma method (statistics.hpp) against chains whose autocorrelation is known exactly:
// AR(1) processes and independent samples; the cases without an estimate; a chain of four
// samples computed by hand.
#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/core/statistics.hpp"

using tessera::ChainEstimate;
using tessera::gamma_method;

namespace {

// x_{t+1} = rho x_t + sqrt(1 - rho^2) eta_t, eta standard normal, x_0 from the stationary
// distribution: variance 1, Gamma(t) = rho^|t|, tau_int = (1 + rho) / (2 (1 - rho)).
std::vector<double> ar1_chain(double rho, std::size_t n, std::uint64_t seed)
{
  std::mt19937_64 engine(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(n);
  x[0] = normal(engine);
  const double kick = std::sqrt(1 - rho * rho);
  for (std::size_t t = 1; t < n; ++t)
    x[t] = rho * x[t - 1] + kick * normal(engine);
  return x;
}

double exact_tau_int(double rho)
{
  return (1 + rho) / (2 * (1 - rho));
}

} // namespace

TEST(Statistics, AnAr1ChainHasItsExactTauIntAndError)
{
  const double rho = 0.9;
  const std::size_t n = 100000;
  const auto chain = ar1_chain(rho, n, 20240611);
  const ChainEstimate e = gamma_method(chain);
  const double tau = exact_tau_int(rho); // 9.5
  const double exact_error = std::sqrt(2 * tau / static_cast<double>(n));
  std::cout << "AR(1), rho = 0.9, N = 1e5: " << e.describe(5) << ", window " << e.window << " (exact tau_int " << tau
            << ", exact error " << exact_error << ")\n";
  ASSERT_TRUE(e.has_estimate);
  EXPECT_EQ(e.samples, n);
  // Wolff's tau_int error (eq. 42) is a standard deviation: 3 of them.
  EXPECT_GT(e.tau_int_error, 0);
  EXPECT_NEAR(e.tau_int, tau, 3 * e.tau_int_error);
  EXPECT_NEAR(e.error, exact_error, 0.15 * exact_error);
  EXPECT_NEAR(e.mean, 0, 4 * exact_error);
  // The window is several tau_int long (S = 1.5: W ~ S tau ln(...)), well below N / 2.
  EXPECT_GT(e.window, static_cast<std::size_t>(2 * tau));
  EXPECT_LT(e.window, static_cast<std::size_t>(30 * tau));
}

TEST(Statistics, ErrorBarsOfManyAr1ChainsCoverTheTrueMeanTwoTimesInThree)
{
  // 400 independent chains of 2000 samples, rho = 0.5 (tau_int = 1.5): |mean| < error should
  // hold for 68.3% of them, |mean| < 2 error for 95.4% (binomial sd 2.3% and 1.0%).
  const int chains = 400;
  int within1 = 0, within2 = 0;
  double tau_sum = 0;
  for (int c = 0; c < chains; ++c) {
    const auto e = gamma_method(ar1_chain(0.5, 2000, 1000 + c));
    ASSERT_TRUE(e.has_estimate);
    within1 += std::abs(e.mean) < e.error ? 1 : 0;
    within2 += std::abs(e.mean) < 2 * e.error ? 1 : 0;
    tau_sum += e.tau_int;
  }
  const double f1 = within1 / double(chains), f2 = within2 / double(chains);
  std::cout << "AR(1), rho = 0.5, 400 x 2000: within 1 error " << f1 << ", within 2 " << f2 << ", mean tau_int "
            << tau_sum / chains << " (exact 1.5)\n";
  EXPECT_NEAR(f1, 0.683, 0.08);
  EXPECT_NEAR(f2, 0.954, 0.04);
  EXPECT_NEAR(tau_sum / chains, 1.5, 0.1);
}

TEST(Statistics, IndependentSamplesHaveTauIntOneHalf)
{
  const std::size_t n = 20000;
  std::mt19937_64 engine(7);
  std::normal_distribution<double> normal(3.0, 2.0);
  std::vector<double> chain(n);
  for (auto& x : chain)
    x = normal(engine);
  const auto e = gamma_method(chain);
  const double exact_error = 2.0 / std::sqrt(static_cast<double>(n));
  std::cout << "i.i.d., N = 2e4: " << e.describe(5) << ", window " << e.window << " (exact error " << exact_error
            << ")\n";
  ASSERT_TRUE(e.has_estimate);
  EXPECT_NEAR(e.tau_int, 0.5, 3 * e.tau_int_error);
  EXPECT_NEAR(e.error, exact_error, 0.1 * exact_error);
  EXPECT_NEAR(e.mean, 3.0, 4 * exact_error);
  EXPECT_LE(e.window, 10u);
}

TEST(Statistics, NoEstimateFromNoneOneOrEqualSamples)
{
  const std::vector<double> none, one{0.25}, equal(100, 1.0);
  for (const auto* chain : {&none, &one, &equal}) {
    const auto e = gamma_method(*chain);
    EXPECT_FALSE(e.has_estimate) << chain->size() << " samples";
    EXPECT_EQ(e.samples, chain->size());
    EXPECT_EQ(e.describe(8), "no estimate");
    EXPECT_TRUE(std::isnan(e.error));
    EXPECT_TRUE(std::isnan(e.tau_int));
    EXPECT_EQ(e.window, 0u);
  }
  EXPECT_TRUE(std::isnan(gamma_method(none).mean));
  EXPECT_EQ(gamma_method(one).mean, 0.25); // the mean is still the chain's mean
  EXPECT_EQ(gamma_method(equal).mean, 1.0);
  // A sample that is not a number, and a chain that alternates (C(W) <= 0): no estimate.
  EXPECT_FALSE(gamma_method(std::vector<double>{1, 2, std::numeric_limits<double>::infinity()}).has_estimate);
  EXPECT_FALSE(gamma_method(std::vector<double>{1, std::nan(""), 3}).has_estimate);
  EXPECT_FALSE(gamma_method(std::vector<double>{1, -1, 1, -1, 1, -1, 1, -1}).has_estimate);
  EXPECT_THROW(gamma_method(one, 0.0), std::invalid_argument);
}

TEST(Statistics, AChainOfFourSamplesByHand)
{
  // x = 1 2 3 4: mean 5/2, deviations -3/2 -1/2 1/2 3/2.
  // Gamma(0) = (9/4 + 1/4 + 1/4 + 9/4) / 4 = 5/4, Gamma(1) = (3/4 - 1/4 + 3/4) / 3 = 5/12,
  // Gamma(2) = (-3/4 - 3/4) / 2 = -3/4, Gamma(3) = -9/4.
  const std::vector<double> chain{1, 2, 3, 4};
  const auto gamma = tessera::autocorrelation(chain, 10);
  ASSERT_EQ(gamma.size(), 4u);
  EXPECT_DOUBLE_EQ(gamma[0], 5.0 / 4);
  EXPECT_DOUBLE_EQ(gamma[1], 5.0 / 12);
  EXPECT_DOUBLE_EQ(gamma[2], -3.0 / 4);
  EXPECT_DOUBLE_EQ(gamma[3], -9.0 / 4);
  // W = 1: tau_int(1) = 1/2 + 1/3 = 5/6, tau_W = 1.5 / ln 4 = 1.082, g(1) = exp(-1/1.082)
  // - 1.082 / sqrt(4) = 0.397 - 0.541 < 0. C(1) = 5/4 + 5/6 = 25/12; bias-corrected
  // Gamma(t) += C / 4 = 25/48: Gamma(0) = 85/48, Gamma(1) = 45/48, C = 175/48.
  // tau_int = C / (2 Gamma(0)) = 35/34, error = sqrt(C / 4) = sqrt(175/192),
  // tau_int error = 2 tau_int sqrt((1 + 1/2 - 35/34) / 4) = (35/34) (4 / sqrt(34)).
  const auto e = gamma_method(chain);
  ASSERT_TRUE(e.has_estimate);
  EXPECT_EQ(e.samples, 4u);
  EXPECT_EQ(e.mean, 2.5);
  EXPECT_EQ(e.window, 1u);
  EXPECT_DOUBLE_EQ(e.tau_int, 35.0 / 34);
  EXPECT_DOUBLE_EQ(e.error, std::sqrt(175.0 / 192));
  EXPECT_DOUBLE_EQ(e.tau_int_error, 35.0 / 34 * 4 / std::sqrt(34.0));
  EXPECT_EQ(e.describe(3), "2.500 +- 0.955 (tau_int 1.03 +- 0.71, 4 samples)");
  EXPECT_TRUE(tessera::autocorrelation(std::vector<double>{}, 3).empty());
}
