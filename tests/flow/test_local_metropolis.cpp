// SPDX-License-Identifier: Apache-2.0
// Local Metropolis on phi^4 and U(1): the local change of S against the full action, the default
// widths, chains that do not depend on the batch or on a restart, the acceptance at the default
// widths, the free theory and the exact U(1) plaquette and susceptibility, and the integrated
// autocorrelation times per sweep.
#include <cmath>
#include <cstdio>
#include <numbers>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "flow_testing.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/flow/free_theory.hpp"
#include "tessera/flow/local_metropolis.hpp"
#include "tessera/flow/phi4_observables.hpp"
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

// dS of moving component k of the one sample `field` to proposed[k], for every k, as the
// sampler's kernels compute it (the header's local functions, on the device).
std::vector<double> local_changes(const fl::Phi4Action<double>& action, const FieldBatch<double>& field,
                                  const FieldBatch<double>& proposed)
{
  const LatticeShape shape = action.shape();
  const fl::Phi4Couplings couplings = action.couplings();
  FieldBatch<double> ds("ds", proposed.extent(0));
  tessera::par_for(
      "test::phi4_local_changes", action.components(), KOKKOS_LAMBDA(Index k) {
        ds(k) = fl::phi4_local_change(couplings, fl::phi4_neighbour_sum(field, 0, shape, k), field(k), proposed(k));
      });
  return ft::host_values(ds);
}

std::vector<double> local_changes(const fl::U1Action<double>& action, const FieldBatch<double>& field,
                                  const FieldBatch<double>& proposed)
{
  const LatticeShape shape = action.shape();
  const double beta = action.beta();
  FieldBatch<double> ds("ds", proposed.extent(0));
  tessera::par_for(
      "test::u1_local_changes", action.components(), KOKKOS_LAMBDA(Index k) {
        ds(k) = fl::u1_local_change(beta, fl::u1_staples(field, 0, shape, k), field(k), proposed(k));
      });
  return ft::host_values(ds);
}

// For every component k of a random field: S(field with k moved to proposed[k]) - S(field) by
// the full action (one batch of copies, copy k with k moved) against the local change.
template <class Action>
void expect_local_changes_match(const Action& action, std::uint64_t seed, double width, double step)
{
  const Index n = action.components();
  const auto field = ft::random_batch<double>(n, seed, width);
  const auto base = ft::host_values(field);
  auto proposed = ft::host_values(ft::random_batch<double>(n, seed + 1, step));
  for (Index k = 0; k < n; ++k)
    proposed[k] += base[k];
  std::vector<double> copies;
  for (Index k = 0; k < n; ++k) {
    auto copy = base;
    copy[k] = proposed[k];
    copies.insert(copies.end(), copy.begin(), copy.end());
  }
  tessera::nn::SampleValues<double> s0("s0", 1), s("s", n);
  action.evaluate(ExecSpace{}, field, s0);
  action.evaluate(ExecSpace{}, ft::device_batch(copies), s);
  const double before = ft::host_values(s0)[0];
  const auto after = ft::host_values(s);
  const auto ds = local_changes(action, field, ft::device_batch(proposed));
  for (Index k = 0; k < n; ++k)
    EXPECT_NEAR(ds[k], after[k] - before, 1e-12 * (1 + std::abs(before))) << "component " << k;
}

std::vector<double> run_phi4(LatticeShape shape, fl::Phi4Couplings couplings, Index chains,
                             const fl::LocalMetropolisParams& params, int updates)
{
  const fl::Phi4Action<double> action(shape, couplings);
  fl::LocalMetropolis<double> metropolis(action, chains, params);
  metropolis.start_hot(0.5);
  for (int i = 0; i < updates; ++i)
    metropolis.update();
  return ft::host_values(metropolis.fields());
}

struct U1Run {
  fl::U1Results results;
  double acceptance = 0;
  double width = 0;
};

// `sweeps` sweeps measured after `thermalise`, from a hot start (angles ~ N(0, 1.5^2)) or a cold one.
U1Run run_u1(LatticeShape shape, double beta, Index chains, int thermalise, int sweeps, std::uint64_t seed,
             bool hot = true)
{
  const fl::U1Action<double> action(shape, beta);
  fl::LocalMetropolisParams params;
  params.seed = seed;
  fl::LocalMetropolis<double> metropolis(action, chains, params);
  if (hot) metropolis.start_hot(1.5);
  for (int i = 0; i < thermalise; ++i)
    metropolis.update();
  fl::U1Estimates estimates(shape, chains);
  U1Run run;
  run.width = metropolis.params().width;
  for (int i = 0; i < sweeps; ++i) {
    run.acceptance += metropolis.update().acceptance() / sweeps;
    estimates.measure<double>(ExecSpace{}, metropolis.fields());
  }
  run.results = estimates.results();
  return run;
}

// 2 updates, then 2 more; and the same 2 more in a sampler restored from the fields after the
// first 2: the same acceptances and fields to the bit.
template <class T, class Action>
void expect_restart_continues(const Action& action, const fl::LocalMetropolisParams& params)
{
  fl::LocalMetropolis<T> first(action, 3, params);
  first.start_hot(0.5);
  for (int i = 0; i < 2; ++i)
    first.update();
  FieldBatch<T> saved("saved", first.fields().extent(0));
  Kokkos::deep_copy(saved, first.fields());
  std::vector<std::uint64_t> accepted;
  for (int i = 0; i < 2; ++i)
    for (const auto a : first.update().accepted)
      accepted.push_back(a);

  const auto done = static_cast<std::uint64_t>(2 * params.sweeps);
  fl::LocalMetropolis<T> second(action, 3, params);
  second.restore(saved, done);
  EXPECT_EQ(ft::host_values(second.fields()), ft::host_values(saved));
  std::vector<std::uint64_t> again;
  for (int i = 0; i < 2; ++i) {
    const auto sweeps = second.update();
    EXPECT_EQ(sweeps.first, done + static_cast<std::uint64_t>(i * params.sweeps));
    again.insert(again.end(), sweeps.accepted.begin(), sweeps.accepted.end());
  }
  EXPECT_EQ(second.sweeps(), 2 * done);
  EXPECT_EQ(again, accepted);
  EXPECT_EQ(ft::host_values(second.fields()), ft::host_values(first.fields()));
  EXPECT_NE(ft::host_values(second.fields()), ft::host_values(saved)); // it moved
}

} // namespace

TEST(LocalMetropolis, Phi4LocalChangeMatchesTheFullAction)
{
  // The tutorial's couplings, a free theory, and a 2 x 4 lattice (x + e0 = x - e0).
  for (const auto& [shape, couplings] : {std::pair{LatticeShape{4, 6}, fl::Phi4Couplings{-4, 8}},
                                         {LatticeShape{6, 4}, fl::Phi4Couplings{0.5, 0}},
                                         {LatticeShape{2, 4}, fl::Phi4Couplings{-1, 1.5}}}) {
    SCOPED_TRACE(testing::Message() << shape.extent_x << " x " << shape.extent_y << ", m2 " << couplings.m2);
    expect_local_changes_match(fl::Phi4Action<double>(shape, couplings), 41, 0.8, 1.0);
  }
}

TEST(LocalMetropolis, U1LocalChangeMatchesTheFullAction)
{
  for (const auto& shape : {LatticeShape{4, 6}, LatticeShape{2, 2}, LatticeShape{2, 4}}) {
    SCOPED_TRACE(testing::Message() << shape.extent_x << " x " << shape.extent_y);
    expect_local_changes_match(fl::U1Action<double>(shape, 1.3), 42, 2.0, 1.5);
    // steps of several turns (a proposal reduced to [0, 2 pi) is one)
    expect_local_changes_match(fl::U1Action<double>(shape, 6), 43, 0.3, 10.0);
  }
}

TEST(LocalMetropolis, DefaultWidths)
{
  // Free theory: 3 sigma of the Gaussian conditional, exactly; a tiny lambda changes it little.
  EXPECT_DOUBLE_EQ(fl::phi4_default_width({1, 0}), 3 / std::sqrt(10.0));
  EXPECT_NEAR(fl::phi4_default_width({1, 1e-9}), 3 / std::sqrt(10.0), 1e-8);
  // m2 = -4: the density exp(-lambda v^4), <v^2> = Gamma(3/4) / (Gamma(1/4) sqrt(lambda)).
  EXPECT_NEAR(fl::phi4_default_width({-4, 8}), 3 * std::sqrt(std::tgamma(0.75) / std::tgamma(0.25) / std::sqrt(8.0)),
              1e-9);
  // A deep double well: the wells at +-sqrt(-a / 2 lambda) = +-sqrt(5), each narrow.
  EXPECT_NEAR(fl::phi4_default_width({-14, 1}), 3 * std::sqrt(5.0), 0.2);
  // U(1): a von Mises density of concentration 2 beta, variance ~ 1 / (2 beta) at large beta;
  // at small beta the whole circle.
  EXPECT_NEAR(fl::u1_default_width(100), 3 / std::sqrt(200.0), 0.01 * 3 / std::sqrt(200.0));
  EXPECT_DOUBLE_EQ(fl::u1_default_width(0.1), pi);
  std::printf("default widths: phi^4 m2 1 lambda 0: %.4f, m2 -4 lambda 8: %.4f; U(1) beta 2: %.4f, beta 6: %.4f\n",
              fl::phi4_default_width({1, 0}), fl::phi4_default_width({-4, 8}), fl::u1_default_width(2),
              fl::u1_default_width(6));
  EXPECT_THROW(fl::phi4_default_width({-4, 0}), tessera::InputError);
  EXPECT_THROW(fl::u1_default_width(0), tessera::InputError);
}

TEST(LocalMetropolis, RefusesBadParameters)
{
  const fl::Phi4Action<double> phi4({4, 4}, {1, 0});
  const fl::U1Action<double> u1({4, 4}, 2);
  const auto with = [](auto change) {
    fl::LocalMetropolisParams params;
    change(params);
    return params;
  };
  EXPECT_THROW(fl::LocalMetropolis<double>(phi4, 0, {}), tessera::InputError);
  EXPECT_THROW(fl::LocalMetropolis<double>(phi4, 1, with([](auto& p) { p.sweeps = 0; })), tessera::InputError);
  EXPECT_THROW(fl::LocalMetropolis<double>(u1, 1, with([](auto& p) { p.hits = 0; })), tessera::InputError);
  EXPECT_THROW(fl::LocalMetropolis<double>(u1, 1, with([](auto& p) { p.width = -1; })), tessera::InputError);
  EXPECT_THROW(fl::LocalMetropolis<double>(u1, 1, with([](auto& p) { p.width = std::nan(""); })), tessera::InputError);
  EXPECT_THROW(fl::LocalMetropolis<double>(fl::Phi4Action<double>({4, 5}, {1, 0}), 1, {}), tessera::InputError);
  EXPECT_THROW(fl::LocalMetropolis<double>(fl::U1Action<double>({3, 4}, 1), 1, {}), tessera::InputError);
  // No default width where one site's density is not normalisable, but a given width runs.
  const fl::Phi4Action<double> unbounded({4, 4}, {-5, 0});
  EXPECT_THROW(fl::LocalMetropolis<double>(unbounded, 1, {}), tessera::InputError);
  EXPECT_EQ(fl::LocalMetropolis<double>(unbounded, 1, with([](auto& p) { p.width = 0.5; })).params().width, 0.5);
  fl::LocalMetropolis<double> metropolis(phi4, 2, {});
  EXPECT_EQ(metropolis.params().width, fl::phi4_default_width({1, 0}));
  EXPECT_THROW(metropolis.start_from(ft::random_batch<double>(3, 1)), std::invalid_argument);
}

// Chains 0..7 in one batch, and as two batches of 4 (first_chain 0 and 4): the same fields to the
// bit, phi^4 and U(1), with 2 hits and 3 sweeps per update; and the same 12 sweeps one per update.
TEST(LocalMetropolis, ChainsDoNotDependOnTheBatch)
{
  fl::LocalMetropolisParams params;
  params.sweeps = 3;
  params.hits = 2;
  params.seed = 99;
  const auto check = [&](auto make) {
    const std::vector<double> all = make(8, 0);
    const std::vector<double> low = make(4, 0), high = make(4, 4);
    std::vector<double> joined = low;
    joined.insert(joined.end(), high.begin(), high.end());
    ASSERT_EQ(joined.size(), all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
      ASSERT_EQ(joined[i], all[i]) << "value " << i;
  };
  check([&](Index chains, std::uint64_t first) {
    auto p = params;
    p.first_chain = first;
    return run_phi4({4, 6}, {-4, 8}, chains, p, 4);
  });
  check([&](Index chains, std::uint64_t first) {
    auto p = params;
    p.first_chain = first;
    p.sweeps = 1;
    return chains == 8 ? run_phi4({4, 6}, {-4, 8}, chains, params, 4) : run_phi4({4, 6}, {-4, 8}, chains, p, 12);
  });
  check([&](Index chains, std::uint64_t first) {
    auto p = params;
    p.first_chain = first;
    fl::LocalMetropolis<double> metropolis(fl::U1Action<double>({6, 4}, 2), chains, p);
    metropolis.start_hot(2);
    for (int i = 0; i < 4; ++i)
      metropolis.update();
    return ft::host_values(metropolis.fields());
  });
}

// 10 sweeps, then 10 more; and the same 10 more from the fields after 10 (restore): the same
// fields and acceptances to the bit (float phi^4, double U(1)).
TEST(LocalMetropolis, RestartContinuesBitForBit)
{
  fl::LocalMetropolisParams params;
  params.sweeps = 5;
  params.seed = 17;
  expect_restart_continues<float>(fl::Phi4Action<float>({4, 4}, {-4, 8}), params);
  expect_restart_continues<double>(fl::U1Action<double>({4, 4}, 2), params);
  expect_restart_continues<float>(fl::U1Action<float>({4, 4}, 2), params);
}

// U(1) angles from a wide hot start: after 3 sweeps of 3 hits, every angle a hit moved lies in
// [0, 2 pi] (2 pi itself only where T's rounding reaches it), in float and double.
TEST(LocalMetropolis, U1AnglesAreStoredReduced)
{
  const auto check = [](auto zero) {
    using T = decltype(zero);
    fl::LocalMetropolisParams params;
    params.sweeps = 3;
    params.hits = 3;
    fl::LocalMetropolis<T> metropolis(fl::U1Action<T>({4, 6}, 1), 4, params);
    metropolis.start_hot(10);
    const auto start = ft::host_values(metropolis.fields());
    metropolis.update();
    const auto end = ft::host_values(metropolis.fields());
    int moved = 0;
    for (std::size_t i = 0; i < end.size(); ++i) {
      if (end[i] == start[i]) continue;
      ++moved;
      EXPECT_GE(end[i], 0) << "link " << i;
      EXPECT_LE(end[i], static_cast<double>(static_cast<T>(2 * pi))) << "link " << i;
    }
    EXPECT_GT(moved, static_cast<int>(end.size()) * 9 / 10);
  };
  check(0.0f);
  check(0.0);
}

// The acceptance at the default widths (8 chains, 30 sweeps after 30 from a hot start of width
// 0.4): 0.49 in the free theory, whose conditional density is the Gaussian the default is made
// for; near 0.5 elsewhere too.
TEST(LocalMetropolis, AcceptanceAtTheDefaultWidths)
{
  const auto acceptance = [](const auto& action) {
    fl::LocalMetropolis<double> metropolis(action, 8, {});
    metropolis.start_hot(0.4);
    for (int i = 0; i < 30; ++i)
      metropolis.update();
    double sum = 0;
    for (int i = 0; i < 30; ++i)
      sum += metropolis.update().acceptance() / 30;
    return sum;
  };
  const double free = acceptance(fl::Phi4Action<double>({4, 4}, {1, 0}));
  const double tutorial = acceptance(fl::Phi4Action<double>({8, 8}, {-4, 8}));
  const double beta2 = acceptance(fl::U1Action<double>({8, 8}, 2)), beta6 = acceptance(fl::U1Action<double>({8, 8}, 6));
  std::printf("acceptance at the default width: phi^4 free (m2 1) %.3f, tutorial point %.3f; U(1) beta 2 %.3f, beta 6 "
              "%.3f\n",
              free, tutorial, beta2, beta6);
  EXPECT_NEAR(free, 0.49, 0.02);
  for (const double a : {tutorial, beta2, beta6}) {
    EXPECT_GT(a, 0.3);
    EXPECT_LT(a, 0.7);
  }
}

// 64 chains x 1000 sweeps after 100 on 4 x 4 at m2 = 1, lambda = 0: <phi^2> and chi_2 within 3
// sigma of the exact free propagator.
TEST(LocalMetropolisPhi4, ReproducesTheFreeTheory)
{
  const LatticeShape shape{4, 4};
  const double m2 = 1;
  const Index chains = 64;
  fl::LocalMetropolisParams params;
  params.seed = 2024;
  fl::LocalMetropolis<double> metropolis(fl::Phi4Action<double>(shape, {m2, 0}), chains, params);
  metropolis.start_hot(0.4);
  for (int i = 0; i < 100; ++i)
    metropolis.update();
  fl::Phi4Estimates estimates(shape, chains);
  double acceptance = 0;
  const int sweeps = 1000;
  for (int i = 0; i < sweeps; ++i) {
    acceptance += metropolis.update().acceptance() / sweeps;
    estimates.measure<double>(ExecSpace{}, metropolis.fields());
  }
  const auto r = estimates.results();
  const double phi2 = fl::free_phi2(shape, m2), chi2 = fl::free_chi2(m2);
  std::printf("acceptance %.3f (width %.4f)\n<phi^2> %s (exact %.5f)\nchi_2 %s (exact %.5f)\n<|M|>/V %s\n", acceptance,
              metropolis.params().width, r.phi2.describe(5).c_str(), phi2, r.chi2.describe(5).c_str(), chi2,
              r.abs_magnetisation.describe(5).c_str());
  ASSERT_TRUE(r.phi2.has_estimate && r.chi2.has_estimate);
  EXPECT_EQ(r.steps, sweeps);
  EXPECT_NEAR(r.phi2.mean, phi2, 3 * r.phi2.error);
  EXPECT_NEAR(r.chi2.mean, chi2, 3 * r.chi2.error);
}

// The tutorial's point, L = 8, m2 = -4, lambda = 8 (64 chains, 4000 sweeps after 500): <phi^2>,
// <|M|>/V and chi_2 against HMC's 4000-trajectory reference in docs/flows.md (seed 8), within 4
// combined sigma; prints tau_int of |M| per sweep.
TEST(LocalMetropolisPhi4, TutorialPoint)
{
  const LatticeShape shape{8, 8};
  const Index chains = 64;
  fl::LocalMetropolisParams params;
  params.seed = 8;
  fl::LocalMetropolis<double> metropolis(fl::Phi4Action<double>(shape, {-4, 8}), chains, params);
  metropolis.start_hot(0.4);
  for (int i = 0; i < 500; ++i)
    metropolis.update();
  fl::Phi4Estimates estimates(shape, chains);
  double acceptance = 0;
  const int sweeps = 4000;
  for (int i = 0; i < sweeps; ++i) {
    acceptance += metropolis.update().acceptance() / sweeps;
    estimates.measure<double>(ExecSpace{}, metropolis.fields());
  }
  const auto r = estimates.results();
  std::printf("L = 8, m2 = -4, lambda = 8: %lld chains x %d sweeps (after 500, seed 8, width %.4f): acceptance %.3f\n"
              "<phi^2>  %s\n<|M|>/V  %s\nchi_2    %s\n",
              static_cast<long long>(chains), sweeps, metropolis.params().width, acceptance, r.phi2.describe(4).c_str(),
              r.abs_magnetisation.describe(4).c_str(), r.chi2.describe(4).c_str());
  struct Reference {
    const tessera::ChainEstimate* estimate;
    double value, error;
  };
  for (const auto& [e, value, error] :
       {Reference{&r.phi2, 0.1433, 0.0001}, {&r.abs_magnetisation, 0.0873, 0.0002}, {&r.chi2, 0.7468, 0.0026}}) {
    ASSERT_TRUE(e->has_estimate);
    EXPECT_NEAR(e->mean, value, 4 * std::hypot(e->error, error));
  }
}

// 32 chains x 1000 sweeps after 100 on 8 x 8 at beta = 2: <p> and <Q^2> / V within 3 sigma of the
// exact finite-volume values.
TEST(LocalMetropolisU1, ReproducesTheExactPlaquette)
{
  const LatticeShape shape{8, 8};
  const double beta = 2;
  const auto run = run_u1(shape, beta, 32, 100, 1000, 2025);
  const auto& r = run.results;
  const double exact = fl::u1_plaquette(beta, shape.sites());
  const double chi = fl::u1_topological_susceptibility(beta, shape.sites());
  std::printf("beta 2, L 8: acceptance %.3f (width %.4f)\n<p> %s (exact %.6f)\n<Q^2>/V %s (exact %.6f)\n"
              "tau_int(Q) %.2f +- %.2f sweeps\n",
              run.acceptance, run.width, r.plaquette.describe(6).c_str(), exact, r.susceptibility.describe(6).c_str(),
              chi, r.charge.tau_int, r.charge.tau_int_error);
  ASSERT_TRUE(r.plaquette.has_estimate && r.susceptibility.has_estimate && r.charge.has_estimate);
  EXPECT_EQ(r.steps, 1000);
  EXPECT_NEAR(r.plaquette.mean, exact, 3 * r.plaquette.error);
  EXPECT_NEAR(r.susceptibility.mean, chi, 3 * r.susceptibility.error);
}

// tau_int(Q) per sweep at beta = 2 and 6 on 8 x 8 (16 chains; 1000 sweeps after 200 from a hot
// start, 2000 after 300 from a cold one): topological freezing makes the second much longer. At
// beta = 6 the run is far too short for tau_int(Q) itself (30000 sweeps gave 600 to 1000, +-50%)
// or for <Q^2> (below the exact value, and the plaquette above it by ~5 sigma: the Q = 0 sector is
// over-represented): printed only.
TEST(LocalMetropolisU1, ChargeAutocorrelationGrowsWithBeta)
{
  const LatticeShape shape{8, 8};
  const auto low = run_u1(shape, 2, 16, 200, 1000, 7);
  const auto high = run_u1(shape, 6, 16, 300, 2000, 7, false);
  std::printf("tau_int(Q) per sweep: %.2f +- %.2f at beta 2 (acceptance %.3f), %.2f +- %.2f at beta 6 (acceptance "
              "%.3f)\n",
              low.results.charge.tau_int, low.results.charge.tau_int_error, low.acceptance, high.results.charge.tau_int,
              high.results.charge.tau_int_error, high.acceptance);
  std::printf("beta 6: <p> %s (exact %.6f), <Q^2>/V %s (exact %.6f)\n", high.results.plaquette.describe(6).c_str(),
              fl::u1_plaquette(6, shape.sites()), high.results.susceptibility.describe(6).c_str(),
              fl::u1_topological_susceptibility(6, shape.sites()));
  ASSERT_TRUE(low.results.charge.has_estimate && high.results.charge.has_estimate);
  EXPECT_GT(high.results.charge.tau_int, 2 * low.results.charge.tau_int);
}
