// SPDX-License-Identifier: Apache-2.0
// Batched HMC on phi^4: the leapfrog's reversibility and dH ~ step^2, the free theory against
// its exact propagator, the tutorial's point (L = 8, m2 = -4, lambda = 8: the reference numbers
// the flow is compared with), and chains that do not depend on the batch they run in.
#include <cmath>
#include <cstdio>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "flow_testing.hpp"
#include "tessera/flow/free_theory.hpp"
#include "tessera/flow/hmc.hpp"
#include "tessera/flow/phi4.hpp"
#include "tessera/flow/phi4_observables.hpp"

namespace fl = tessera::flow;
namespace ft = tessera::flow::testing;
using tessera::ExecSpace;
using tessera::Index;
using tessera::nn::FieldBatch;
using tessera::nn::LatticeShape;

namespace {

void negate(const FieldBatch<double>& p)
{
  tessera::par_for("test::negate", static_cast<Index>(p.extent(0)), KOKKOS_LAMBDA(Index i) { p(i) = -p(i); });
}

double max_difference(const std::vector<double>& a, const std::vector<double>& b)
{
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

// Sum over chains of |H(end) - H(start)| for one leapfrog trajectory of length 1 in `steps` steps
// from phi0 with the momenta of trajectory 0.
double energy_violation(const fl::Phi4Action<double>& action, const FieldBatch<double>& phi0, Index chains, int steps)
{
  const Index n = static_cast<Index>(phi0.extent(0));
  FieldBatch<double> phi("phi", n), p("p", n), force("force", n);
  tessera::nn::SampleValues<double> s("s", chains);
  tessera::View<double*> h0("h0", chains), h1("h1", chains);
  Kokkos::deep_copy(phi, phi0);
  fl::draw_momenta<double>(ExecSpace{}, p, action.components(), 5, 0, 0);
  fl::hamiltonian<double>(ExecSpace{}, action, phi, p, s, h0);
  fl::leapfrog<double>(ExecSpace{}, action, phi, p, 1.0 / steps, steps, force, s);
  fl::hamiltonian<double>(ExecSpace{}, action, phi, p, s, h1);
  const auto a = ft::host_values(h0), b = ft::host_values(h1);
  double sum = 0;
  for (Index c = 0; c < chains; ++c)
    sum += std::abs(b[c] - a[c]);
  return sum;
}

} // namespace

TEST(Leapfrog, ReturnsToItsStartWithTheMomentaFlipped)
{
  const LatticeShape shape{6, 5};
  const fl::Phi4Action<double> action(shape, {-4, 8});
  const Index chains = 4, n = chains * shape.sites();
  const auto phi = ft::random_batch<double>(n, 21, 0.7);
  FieldBatch<double> p("p", n), force("force", n);
  tessera::nn::SampleValues<double> s("s", chains);
  fl::draw_momenta<double>(ExecSpace{}, p, shape.sites(), 3, 0, 0);
  const auto phi0 = ft::host_values(phi), p0 = ft::host_values(p);

  fl::leapfrog<double>(ExecSpace{}, action, phi, p, 0.02, 50, force, s);
  EXPECT_GT(max_difference(ft::host_values(phi), phi0), 0.1); // it moved
  negate(p);
  fl::leapfrog<double>(ExecSpace{}, action, phi, p, 0.02, 50, force, s);
  negate(p);
  EXPECT_LT(max_difference(ft::host_values(phi), phi0), 1e-12);
  EXPECT_LT(max_difference(ft::host_values(p), p0), 1e-12);
}

TEST(Leapfrog, EnergyViolationScalesAsTheStepSquared)
{
  const LatticeShape shape{6, 5};
  const fl::Phi4Action<double> action(shape, {-4, 8});
  const Index chains = 8;
  const auto phi0 = ft::random_batch<double>(chains * shape.sites(), 22, 0.5);
  const double coarse = energy_violation(action, phi0, chains, 40);
  const double fine = energy_violation(action, phi0, chains, 80);
  std::printf("sum |dH| over %lld chains: %.4g with 40 steps, %.4g with 80, ratio %.3f\n",
              static_cast<long long>(chains), coarse, fine, coarse / fine);
  EXPECT_GT(coarse, 1e-6);
  EXPECT_NEAR(coarse / fine, 4, 0.8);
}

// 64 chains x 200 trajectories on 6 x 6 at m2 = 0.5, lambda = 0 after 50 to thermalise: <phi^2>,
// chi_2, G_c(x) at a few x, G(t) and the pole mass within 4 sigma of the exact values.
TEST(Hmc, ReproducesTheFreeTheory)
{
  const LatticeShape shape{6, 6};
  const double m2 = 0.5;
  const fl::Phi4Action<double> action(shape, {m2, 0});
  const Index chains = 64;
  fl::HmcParams params;
  // 0.7: every mode's frequency sqrt(2 (phat^2 + m2)) <= 4.12 turns by less than pi in a
  // trajectory. With length 1 the modes of phat^2 = 4 (frequency 3) turn by ~pi, phi -> -phi,
  // and phi^2 barely decorrelates (tau_int ~ 20 for <phi^2>).
  params.trajectory_length = 0.7;
  params.steps = 7;
  params.seed = 2024;
  fl::BatchedHmc<double> hmc(action, chains, params);
  hmc.start_hot();
  for (int i = 0; i < 50; ++i)
    hmc.trajectory();
  fl::Phi4Estimates estimates(shape, chains);
  double acceptance = 0;
  for (int i = 0; i < 200; ++i) {
    acceptance += hmc.trajectory().acceptance() / 200;
    estimates.measure<double>(ExecSpace{}, hmc.fields());
  }
  const auto r = estimates.results();
  const auto g = fl::free_propagator(shape, m2);
  std::printf("acceptance %.3f\n<phi^2> %s (exact %.5f)\nchi_2 %s (exact %.5f)\n", acceptance,
              r.phi2.describe(5).c_str(), g[0], r.chi2.describe(5).c_str(), fl::free_chi2(m2));
  EXPECT_GT(acceptance, 0.8);
  EXPECT_EQ(r.steps, 200);
  ASSERT_TRUE(r.phi2.has_estimate && r.chi2.has_estimate);
  EXPECT_NEAR(r.phi2.mean, g[0], 4 * r.phi2.error);
  EXPECT_NEAR(r.chi2.mean, fl::free_chi2(m2), 4 * r.chi2.error);
  EXPECT_NEAR(r.chi2_connected.value, fl::free_chi2(m2), 4 * r.chi2_connected.error);
  for (const auto& [x, y] : {std::pair{0, 0}, {1, 0}, {0, 1}, {2, 1}, {3, 3}}) {
    const auto k = static_cast<std::size_t>(shape.site(x, y));
    std::printf("G_c(%d, %d) = %.5f +- %.5f (exact %.5f)\n", x, y, r.connected[k].value, r.connected[k].error, g[k]);
    EXPECT_NEAR(r.connected[k].value, g[k], 4 * r.connected[k].error) << "x = (" << x << ", " << y << ")";
  }
  const auto gt = fl::free_zero_momentum_correlator(shape, m2);
  for (int t = 0; t < shape.extent_x; ++t) {
    const auto k = static_cast<std::size_t>(t);
    std::printf("G(%d) = %.5f +- %.5f (exact %.5f)   m_p(%d) = %.4f +- %.4f\n", t, r.zero_momentum[k].value,
                r.zero_momentum[k].error, gt[k], t, r.effective_mass[k].value, r.effective_mass[k].error);
    EXPECT_NEAR(r.zero_momentum[k].value, gt[k], 4 * r.zero_momentum[k].error) << "t = " << t;
  }
  std::printf("pole mass %.4f +- %.4f (exact %.4f)\n", r.pole_mass.value, r.pole_mass.error, fl::free_pole_mass(m2));
  EXPECT_NEAR(r.pole_mass.value, fl::free_pole_mass(m2), 4 * r.pole_mass.error);
}

// The tutorial's point, L = 8, m2 = -4, lambda = 8: finite, positive estimates and an
// acceptance in (0.5, 1). The printed numbers are the reference the flow sampler is compared with.
TEST(Hmc, TutorialPoint)
{
  const LatticeShape shape{8, 8};
  const fl::Phi4Action<double> action(shape, {-4, 8});
  const Index chains = 64;
  fl::HmcParams params;
  params.trajectory_length = 1;
  params.steps = 16;
  params.seed = 8;
  fl::BatchedHmc<double> hmc(action, chains, params);
  // Near equilibrium (<phi^2> ~ 0.14): from width 1, sites with |phi| > 2.5 make the
  // leapfrog unstable (S'' = 96 phi^2 at lambda = 8, m2 = -4), every trajectory of the chain
  // diverges and is rejected, and the chain never leaves its start.
  hmc.start_hot(0.4);
  for (int i = 0; i < 100; ++i)
    hmc.trajectory();
  fl::Phi4Estimates estimates(shape, chains);
  double acceptance = 0, exp_dh = 0, exp_dh2 = 0;
  int not_finite = 0;
  const int trajectories = 300;
  for (int i = 0; i < trajectories; ++i) {
    const auto t = hmc.trajectory();
    acceptance += t.acceptance() / trajectories;
    for (const double dh : t.delta_h) {
      not_finite += std::isfinite(dh) ? 0 : 1;
      exp_dh += std::exp(-dh) / static_cast<double>(trajectories * chains);
      exp_dh2 += std::exp(-2 * dh) / static_cast<double>(trajectories * chains);
    }
    estimates.measure<double>(ExecSpace{}, hmc.fields());
  }
  // <exp(-dH)> = 1 exactly in equilibrium; its naive error (the chains' trajectories as independent)
  const double exp_dh_error = std::sqrt((exp_dh2 - exp_dh * exp_dh) / (trajectories * chains));
  const auto r = estimates.results();
  std::printf("L = 8, m2 = -4, lambda = 8: %lld chains x %d trajectories (length 1, 16 steps, seed 8, after 100)\n"
              "acceptance %.3f, <exp(-dH)> %.4f +- %.4f\n<phi^2>  %s\n<|M|>/V  %s\nchi_2    %s\nchi_2,c  %.4f +- %.4f\n"
              "pole mass (t = 1..3) %.4f +- %.4f\n",
              static_cast<long long>(chains), trajectories, acceptance, exp_dh, exp_dh_error,
              r.phi2.describe(4).c_str(), r.abs_magnetisation.describe(4).c_str(), r.chi2.describe(4).c_str(),
              r.chi2_connected.value, r.chi2_connected.error, r.pole_mass.value, r.pole_mass.error);
  for (int t = 0; t < shape.extent_x; ++t)
    std::printf("G(%d) = %.5f +- %.5f   m_p(%d) = %.4f +- %.4f\n", t, r.zero_momentum[t].value,
                r.zero_momentum[t].error, t, r.effective_mass[t].value, r.effective_mass[t].error);
  EXPECT_GT(acceptance, 0.5);
  EXPECT_LT(acceptance, 1);
  EXPECT_EQ(not_finite, 0);
  EXPECT_NEAR(exp_dh, 1, 5 * exp_dh_error);
  for (const auto* e : {&r.phi2, &r.abs_magnetisation, &r.chi2}) {
    ASSERT_TRUE(e->has_estimate);
    EXPECT_TRUE(std::isfinite(e->mean) && std::isfinite(e->error));
    EXPECT_GT(e->mean, 0);
    EXPECT_LT(e->error, 0.1 * e->mean);
  }
  EXPECT_EQ(hmc.trajectories(), 400u);
  EXPECT_LE(hmc.accepted_total(), 400u * chains);
}

// Chain k of a run is the same, to the bit, whether it runs among 8 chains, among the first 5,
// or in a batch of 3 that starts at global chain 2 (HmcParams::first_chain).
TEST(Hmc, ChainsDoNotDependOnTheBatch)
{
  const LatticeShape shape{4, 3};
  const fl::Phi4Action<double> action(shape, {-1, 1});
  const auto run = [&](Index chains, std::uint64_t first) {
    fl::HmcParams params;
    params.steps = 8;
    params.seed = 77;
    params.first_chain = first;
    fl::BatchedHmc<double> hmc(action, chains, params);
    hmc.start_hot();
    std::vector<std::vector<double>> dh; // [trajectory][chain]
    for (int i = 0; i < 6; ++i)
      dh.push_back(hmc.trajectory().delta_h);
    return std::tuple{ft::host_values(hmc.fields()), hmc.accepted(), dh};
  };
  const auto [all, accepted_all, dh_all] = run(8, 0);
  const Index v = shape.sites();
  for (const auto& [chains, first] : {std::pair<Index, std::uint64_t>{5, 0}, {3, 2}}) {
    const auto [some, accepted_some, dh_some] = run(chains, first);
    for (Index c = 0; c < chains; ++c) {
      const auto global = static_cast<std::size_t>(first) + static_cast<std::size_t>(c);
      EXPECT_EQ(accepted_some[static_cast<std::size_t>(c)], accepted_all[global]) << "chain " << global;
      for (std::size_t t = 0; t < dh_all.size(); ++t)
        EXPECT_EQ(dh_some[t][static_cast<std::size_t>(c)], dh_all[t][global])
            << "chain " << global << " trajectory " << t;
      for (Index s = 0; s < v; ++s)
        ASSERT_EQ(some[static_cast<std::size_t>(c * v + s)], all[global * static_cast<std::size_t>(v) + s])
            << "chain " << global << " site " << s << " in a batch of " << chains;
    }
  }
  // a batch started from fields continues from them
  fl::BatchedHmc<double> hmc(action, 2, {});
  const auto start = ft::random_batch<double>(2 * v, 5);
  hmc.start_from(start);
  EXPECT_EQ(ft::host_values(hmc.fields()), ft::host_values(start));
  hmc.start_cold();
  EXPECT_EQ(ft::host_values(hmc.fields()), std::vector<double>(static_cast<std::size_t>(2 * v), 0.0));
}
