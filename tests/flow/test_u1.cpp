// SPDX-License-Identifier: Apache-2.0
// 2-D U(1) gauge theory: the Wilson action and its gradient against a host sum and finite
// differences, gauge invariance, the topological charge, the exact plaquette and topological
// susceptibility, and batched HMC against them.
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "flow_testing.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/flow/hmc.hpp"
#include "tessera/flow/u1.hpp"
#include "tessera/flow/u1_exact.hpp"
#include "tessera/flow/u1_observables.hpp"

namespace fl = tessera::flow;
namespace ft = tessera::flow::testing;
using tessera::ExecSpace;
using tessera::Index;
using tessera::nn::FieldBatch;
using tessera::nn::LatticeShape;

namespace {

constexpr double pi = std::numbers::pi;

// The plaquette angle of `site` of sample `sample` from host link angles.
long double host_plaquette(const std::vector<double>& theta, LatticeShape shape, Index sample, Index site)
{
  const Index v = shape.sites(), base = sample * 2 * v;
  return static_cast<long double>(theta[base + site]) + theta[base + v + shape.shifted(site, 1, 0)] -
         theta[base + shape.shifted(site, 0, 1)] - theta[base + v + site];
}

std::vector<double> actions(const fl::U1Action<double>& action, const FieldBatch<double>& theta)
{
  const Index n = static_cast<Index>(theta.extent(0)) / action.components();
  tessera::nn::SampleValues<double> s("s", n);
  action.evaluate(ExecSpace{}, theta, s);
  return ft::host_values(s);
}

// Winding number 1 on an L_x x L_y lattice: theta_1(x, y) = phi x, theta_0(L_x - 1, y) = -phi L_x y,
// phi = 2 pi / V; every plaquette angle is phi up to a multiple of 2 pi.
std::vector<double> winding_one(LatticeShape shape)
{
  const Index v = shape.sites();
  const double phi = 2 * pi / static_cast<double>(v);
  std::vector<double> theta(static_cast<std::size_t>(2 * v), 0.0);
  for (int x = 0; x < shape.extent_x; ++x)
    for (int y = 0; y < shape.extent_y; ++y) {
      theta[static_cast<std::size_t>(v + shape.site(x, y))] = phi * x;
      if (x == shape.extent_x - 1) theta[static_cast<std::size_t>(shape.site(x, y))] = -phi * shape.extent_x * y;
    }
  return theta;
}

struct HmcRun {
  fl::U1Results results;
  double acceptance = 0;
};

HmcRun run_hmc(LatticeShape shape, double beta, Index chains, int thermalise, int trajectories, int steps,
               std::uint64_t seed, bool hot = true)
{
  const fl::U1Action<double> action(shape, beta);
  fl::HmcParams params;
  params.trajectory_length = 1;
  params.steps = steps;
  params.seed = seed;
  fl::BatchedHmc<double> hmc(action, chains, params);
  if (hot) hmc.start_hot(1.5);
  for (int i = 0; i < thermalise; ++i)
    hmc.trajectory();
  fl::U1Estimates estimates(shape, chains);
  HmcRun run;
  for (int i = 0; i < trajectories; ++i) {
    run.acceptance += hmc.trajectory().acceptance() / trajectories;
    estimates.measure<double>(ExecSpace{}, hmc.fields());
  }
  run.results = estimates.results();
  return run;
}

} // namespace

TEST(U1Action, MatchesAHostSum)
{
  const LatticeShape shape{4, 3};
  const double beta = 1.7;
  const fl::U1Action<double> action(shape, beta);
  const fl::U1Action<float> action_f(shape, beta);
  EXPECT_EQ(action.components(), 24);
  const Index n = 2 * action.components();
  const auto theta = ft::random_batch<double>(n, 31, 2.0);
  const auto host = ft::host_values(theta);
  const auto s = actions(action, theta);
  FieldBatch<float> theta_f("theta_f", static_cast<std::size_t>(n));
  {
    auto h = Kokkos::create_mirror_view(theta_f);
    for (Index i = 0; i < n; ++i)
      h(i) = static_cast<float>(host[static_cast<std::size_t>(i)]);
    Kokkos::deep_copy(theta_f, h);
  }
  tessera::nn::SampleValues<float> s_f("s_f", 2);
  action_f.evaluate(ExecSpace{}, theta_f, s_f);
  const auto sf = ft::host_values(s_f);
  for (Index sample = 0; sample < 2; ++sample) {
    long double sum = 0;
    for (Index site = 0; site < shape.sites(); ++site)
      sum -= beta * std::cos(host_plaquette(host, shape, sample, site));
    EXPECT_NEAR(s[sample], static_cast<double>(sum), 1e-12 * std::abs(static_cast<double>(sum)) + 1e-13);
    EXPECT_NEAR(sf[sample], static_cast<double>(sum), 1e-4 * (1 + std::abs(static_cast<double>(sum))));
  }
  // The float gradient against the double one.
  FieldBatch<double> force("force", static_cast<std::size_t>(n));
  FieldBatch<float> force_f("force_f", static_cast<std::size_t>(n));
  tessera::nn::SampleValues<double> s_d("s_d", 2);
  action.gradient(ExecSpace{}, theta, s_d, force);
  action_f.gradient(ExecSpace{}, theta_f, s_f, force_f);
  const auto fd = ft::host_values(force), ff = ft::host_values(force_f);
  for (std::size_t i = 0; i < fd.size(); ++i)
    EXPECT_NEAR(ff[i], fd[i], 1e-5) << "component " << i;
  EXPECT_THROW(fl::U1Action<double>(shape, 0), tessera::InputError);
  EXPECT_THROW(fl::U1Action<double>(shape, -1), tessera::InputError);
  EXPECT_THROW(fl::U1Action<double>(LatticeShape{0, 3}, 1), tessera::InputError);
}

TEST(U1Action, GradientMatchesFiniteDifferences)
{
  const LatticeShape shape{4, 3};
  const fl::U1Action<double> action(shape, 1.3);
  const Index n = 2 * action.components();
  const auto theta = ft::random_batch<double>(n, 32, 2.0);
  FieldBatch<double> force("force", static_cast<std::size_t>(n));
  tessera::nn::SampleValues<double> s("s", 2);
  action.gradient(ExecSpace{}, theta, s, force);
  const auto f = ft::host_values(force);
  EXPECT_EQ(ft::host_values(s), actions(action, theta));
  const auto host = ft::host_values(theta);
  const double h = 1e-5;
  for (Index i = 0; i < n; ++i) {
    auto plus = host, minus = host;
    plus[static_cast<std::size_t>(i)] += h;
    minus[static_cast<std::size_t>(i)] -= h;
    const auto sp = actions(action, ft::device_batch(plus)), sm = actions(action, ft::device_batch(minus));
    const Index sample = i / action.components();
    const double fd = (sp[sample] - sm[sample]) / (2 * h);
    EXPECT_NEAR(f[static_cast<std::size_t>(i)], fd, 1e-7) << "component " << i;
  }
}

TEST(U1Gauge, ActionPlaquetteAndChargeAreInvariant)
{
  const LatticeShape shape{5, 4};
  const fl::U1Action<double> action(shape, 2.0);
  const Index chains = 3, n = chains * action.components();
  const auto theta = ft::random_batch<double>(n, 33, 1.5);
  const auto alpha = ft::random_batch<double>(chains * shape.sites(), 34, 3.0);
  const auto s0 = actions(action, theta);
  const auto m0 = fl::measure_u1<double>(ExecSpace{}, shape, theta);
  const auto before = ft::host_values(theta);
  fl::gauge_transform<double>(ExecSpace{}, shape, theta, alpha);
  const auto after = ft::host_values(theta);
  double moved = 0;
  for (std::size_t i = 0; i < before.size(); ++i)
    moved = std::max(moved, std::abs(after[i] - before[i]));
  EXPECT_GT(moved, 1.0); // the links did change
  const auto s1 = actions(action, theta);
  const auto m1 = fl::measure_u1<double>(ExecSpace{}, shape, theta);
  for (Index c = 0; c < chains; ++c) {
    EXPECT_NEAR(s1[c], s0[c], 1e-12 * (1 + std::abs(s0[c])));
    EXPECT_NEAR(m1.plaquette[c], m0.plaquette[c], 1e-12);
    EXPECT_EQ(m1.charge[c], m0.charge[c]);
  }
}

TEST(U1Charge, IsAnIntegerAndCountsTheWinding)
{
  const LatticeShape shape{6, 5};
  const Index chains = 16;
  const auto theta = ft::random_batch<double>(chains * 2 * shape.sites(), 35, 2.5);
  const auto m = fl::measure_u1<double>(ExecSpace{}, shape, theta);
  ASSERT_EQ(m.samples, chains);
  int nonzero = 0;
  for (Index c = 0; c < chains; ++c) {
    EXPECT_NEAR(m.raw_charge[c], std::round(m.raw_charge[c]), 1e-6) << "chain " << c;
    EXPECT_EQ(m.charge[c], std::round(m.raw_charge[c]));
    EXPECT_GE(m.plaquette[c], -1);
    EXPECT_LE(m.plaquette[c], 1);
    nonzero += m.charge[c] != 0;
  }
  std::printf("%d of %lld random configurations have Q != 0\n", nonzero, static_cast<long long>(chains));
  EXPECT_GT(nonzero, 0);

  for (const LatticeShape s : {LatticeShape{6, 5}, LatticeShape{8, 8}, LatticeShape{3, 7}}) {
    const auto w = fl::measure_u1<double>(ExecSpace{}, s, ft::device_batch(winding_one(s)));
    EXPECT_NEAR(w.raw_charge[0], 1, 1e-9);
    EXPECT_EQ(w.charge[0], 1);
    EXPECT_NEAR(w.plaquette[0], std::cos(2 * pi / static_cast<double>(s.sites())), 1e-12);
    // Its mirror image (every angle negated) has Q = -1.
    auto minus = winding_one(s);
    for (double& t : minus)
      t = -t;
    EXPECT_EQ(fl::measure_u1<double>(ExecSpace{}, s, ft::device_batch(minus)).charge[0], -1);
  }
}

// Z = (2 pi)^(2V) sum_n I_n^V: V = 1 (P = 0 identically) gives (2 pi)^2 e^beta (sum_n I_n = e^beta),
// V = 2 gives (2 pi)^4 I_0(2 beta) (sum_n I_n^2 = I_0(2 beta)).
TEST(U1Exact, LogPartitionFunctionMatchesBesselSums)
{
  for (const double beta : {0.5, 2.0, 6.0}) {
    EXPECT_NEAR(fl::u1_log_partition_function(beta, 1), 2 * std::log(2 * pi) + beta, 1e-12) << beta;
    EXPECT_NEAR(fl::u1_log_partition_function(beta, 2),
                4 * std::log(2 * pi) + std::log(std::cyl_bessel_i(0.0, 2 * beta)), 1e-12)
        << beta;
  }
}

TEST(U1Exact, FiniteVolumeTendsToInfiniteVolume)
{
  const double beta = 2;
  const double infinite = fl::u1_plaquette_infinite_volume(beta);
  EXPECT_NEAR(infinite, std::cyl_bessel_i(1.0, beta) / std::cyl_bessel_i(0.0, beta), 1e-15);
  const double l8 = fl::u1_plaquette(beta, 64), l16 = fl::u1_plaquette(beta, 256);
  const double chi_inf = fl::u1_topological_susceptibility_infinite_volume(beta);
  const double chi8 = fl::u1_topological_susceptibility(beta, 64), chi16 = fl::u1_topological_susceptibility(beta, 256);
  std::printf("beta 2: <cos theta_P> = %.12f (L = 8), %.12f (L = 16), %.12f (infinite)\n", l8, l16, infinite);
  std::printf("beta 2: chi_t = %.10f (L = 8), %.10f (L = 16), %.10f (infinite)\n", chi8, chi16, chi_inf);
  EXPECT_NEAR(l16, infinite, 1e-6 * infinite);
  EXPECT_GT(std::abs(l8 - infinite), std::abs(l16 - infinite));
  EXPECT_NEAR(chi16, chi_inf, 1e-6 * chi_inf);
  EXPECT_GT(std::abs(chi8 - chi_inf), std::abs(chi16 - chi_inf));
  // Two plaquettes (2 x 1): theta_P(1) = -theta_P(0), so <cos theta_P> = I_1(2 beta) / I_0(2 beta).
  EXPECT_NEAR(fl::u1_plaquette(beta, 2), std::cyl_bessel_i(1.0, 2 * beta) / std::cyl_bessel_i(0.0, 2 * beta), 1e-13);
  // One plaquette on a 1 x 1 torus: theta_P = 0 identically.
  EXPECT_NEAR(fl::u1_plaquette(beta, 1), 1, 1e-12);
  // Huge volumes do not overflow.
  EXPECT_NEAR(fl::u1_plaquette(6, 1 << 20), fl::u1_plaquette_infinite_volume(6), 1e-12);
  // Small beta: <cos> ~ beta / 2, chi_t ~ 1/12 (uniform plaquette angles: <t^2> = pi^2 / 3).
  EXPECT_NEAR(fl::u1_plaquette_infinite_volume(1e-3), 5e-4, 1e-9);
  EXPECT_NEAR(fl::u1_topological_susceptibility_infinite_volume(1e-6), 1.0 / 12, 1e-6);
  EXPECT_THROW(fl::u1_plaquette(0, 16), tessera::InputError);
  EXPECT_THROW(fl::u1_plaquette(1, 0), tessera::InputError);
}

// 32 chains x 300 trajectories after 50 on 8 x 8 at beta = 2: <p> and <Q^2> / V within 4 sigma
// of the exact finite-volume values.
TEST(U1Hmc, ReproducesTheExactPlaquette)
{
  const LatticeShape shape{8, 8};
  const double beta = 2;
  const auto run = run_hmc(shape, beta, 32, 50, 300, 10, 2025);
  const auto& r = run.results;
  const double exact = fl::u1_plaquette(beta, shape.sites());
  const double chi = fl::u1_topological_susceptibility(beta, shape.sites());
  std::printf("beta 2, L 8: acceptance %.3f\n<p> %s (exact %.6f)\n<Q^2>/V %s (exact %.6f)\ntau_int(Q) %.2f +- %.2f\n",
              run.acceptance, r.plaquette.describe(6).c_str(), exact, r.susceptibility.describe(6).c_str(), chi,
              r.charge.tau_int, r.charge.tau_int_error);
  EXPECT_GT(run.acceptance, 0.6);
  ASSERT_TRUE(r.plaquette.has_estimate && r.susceptibility.has_estimate && r.charge.has_estimate);
  EXPECT_EQ(r.steps, 300);
  EXPECT_EQ(r.replica_charge.size(), 32u);
  EXPECT_NEAR(r.plaquette.mean, exact, 4 * r.plaquette.error);
  EXPECT_NEAR(r.susceptibility.mean, chi, 4 * r.susceptibility.error);
}

// Topological freezing: tau_int(Q) at beta = 6 well above its value at beta = 2 (8 x 8). At beta = 6
// the 300 trajectories are too few for <Q^2>: from a cold start (Q = 0) it comes out below the
// exact value (0.0019 +- 0.0004 against 0.0044), from a hot one above it (0.013): printed only.
TEST(U1Hmc, ChargeAutocorrelationGrowsWithBeta)
{
  const LatticeShape shape{8, 8};
  const auto low = run_hmc(shape, 2, 16, 50, 300, 10, 7);
  const auto high = run_hmc(shape, 6, 16, 50, 300, 16, 7, false);
  std::printf("tau_int(Q): %.2f +- %.2f at beta 2 (acceptance %.3f), %.2f +- %.2f at beta 6 (acceptance %.3f)\n",
              low.results.charge.tau_int, low.results.charge.tau_int_error, low.acceptance, high.results.charge.tau_int,
              high.results.charge.tau_int_error, high.acceptance);
  std::printf("beta 6: <p> %s (exact %.6f), <Q^2>/V %s (exact %.6f)\n", high.results.plaquette.describe(6).c_str(),
              fl::u1_plaquette(6, shape.sites()), high.results.susceptibility.describe(6).c_str(),
              fl::u1_topological_susceptibility(6, shape.sites()));
  ASSERT_TRUE(low.results.charge.has_estimate);
  if (high.results.charge.has_estimate) {
    EXPECT_GT(high.results.charge.tau_int, 2 * low.results.charge.tau_int);
  }
}
