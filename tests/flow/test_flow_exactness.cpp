// SPDX-License-Identifier: Apache-2.0
// The flow's Metropolis-Hastings chain is exact whatever the quality of the flow: with a
// roughly trained flow on the free theory (4 x 4, m2 = 1, lambda = 0) it reproduces the exact
// <phi^2>, chi_2, the zero-momentum correlator G(t) (the sum of G_c(t, x1) over x1), chi_2,c
// and the pole mass within 4 sigma; at the tutorial's point (8 x 8, m2 = -4, lambda = 8) the
// chain of a small flow and HMC agree on <phi^2>, <|M|>/V and chi_2 (slow: the flow needs
// a thousand training steps there, and its chain still has
// tau_int of a few hundred proposals: a weak but honest check).
#include <gtest/gtest.h>

#include <cmath>

#include <fmt/format.h>

#include "flow_simulation_testing.hpp"
#include "tessera/flow/free_theory.hpp"
#include "tessera/flow/u1_exact.hpp"

namespace {

using namespace tessera::flow::testing;
using tessera::Comm;
using tessera::flow::Simulation;
using Json = nlohmann::json;

nlohmann::json run(const std::vector<std::string>& keys)
{
  const Comm world;
  Simulation sim(tessera::RunContext{world}, small_run(keys));
  run_units(sim);
  auto results = sim.results();
  for (const auto& line : results.lines)
    std::printf("  %s\n", line.c_str());
  return results.json;
}

// |estimate - exact| < 4 sigma for a ChainEstimate ({mean, error}) or a jackknife estimate
// ({value, error}).
void expect_within_4_sigma(const std::string& name, const Json& estimate, double exact)
{
  const bool chain = estimate.contains("mean");
  const double value = estimate.at(chain ? "mean" : "value").get<double>();
  const double error = estimate.at("error").get<double>();
  std::printf("  %-22s %.5f +- %.5f  exact %.5f  (%+.2f sigma)\n", name.c_str(), value, error, exact,
              (value - exact) / error);
  EXPECT_GT(error, 0) << name;
  EXPECT_LT(error, 0.2 * std::fabs(exact)) << name; // a measurement, not noise
  EXPECT_LT(std::fabs(value - exact), 4 * error) << name << ": " << value << " +- " << error << ", exact " << exact;
}

// The chain's observables after a short training (`keys` add the theory and the flow's size)
// and 8192 proposals; the baselines run a token length.
Json chain_observables(std::vector<std::string> keys)
{
  for (const char* k : {"train.batch=32", "train.learning_rate=0.01", "sample.proposals=8192", "sample.batch=4096",
                        "hmc.chains=1", "hmc.thermalisation=0", "hmc.trajectories=2", "metropolis.chains=1",
                        "metropolis.thermalisation=0", "metropolis.sweeps=2"})
    keys.emplace_back(k);
  const auto j = run(keys);
  EXPECT_TRUE(j.contains("sample")) << j.dump();
  const auto& s = j["sample"];
  std::printf("  acceptance %.3f, ESS per proposal %.3f\n", s["acceptance"].get<double>(),
              s["ess_per_proposal"].get<double>());
  EXPECT_GT(s["acceptance"].get<double>(), 0.2);
  return s["observables"];
}

TEST(FlowExactness, MetropolisHastingsChainReproducesTheFreeTheory)
{
  // 60 steps leave the flow rough (chain acceptance about 0.6, tau_int of <phi^2> about 10; 8192 proposals).
  const auto o = chain_observables({"phi4.m2=1", "phi4.lambda=0", "model.coupling_layers=4", "train.steps=60"});
  const tessera::nn::LatticeShape shape{4, 4};
  const double m2 = 1;
  expect_within_4_sigma("<phi^2>", o["phi2"], tessera::flow::free_phi2(shape, m2));
  expect_within_4_sigma("chi_2", o["chi2"], tessera::flow::free_chi2(m2));
  expect_within_4_sigma("chi_2,c", o["chi2_connected"], tessera::flow::free_chi2(m2));
  const auto g = tessera::flow::free_zero_momentum_correlator(shape, m2);
  for (int t = 0; t <= 2; ++t)
    expect_within_4_sigma(fmt::format("G(t = {})", t), o["zero_momentum_correlator"][t], g[t]);
  ASSERT_TRUE(o["pole_mass"]["finite"].get<bool>());
  expect_within_4_sigma("pole mass", o["pole_mass"], tessera::flow::free_pole_mass(m2));
}

// U(1) on 4 x 4 at beta = 1.5: a lightly trained gauge-equivariant flow's chain against the
// exact plaquette and topological susceptibility of the character expansion.
TEST(FlowExactness, MetropolisHastingsChainReproducesTheExactU1Plaquette)
{
  const double beta = 1.5;
  const auto o = chain_observables({"run.theory=u1", "u1.beta=1.5", "model.coupling_layers=8", "train.steps=40"});
  expect_within_4_sigma("<P>", o["plaquette"], tessera::flow::u1_plaquette(beta, 16));
  expect_within_4_sigma("<Q^2>/V", o["topological_susceptibility"],
                        tessera::flow::u1_topological_susceptibility(beta, 16));
}

TEST(FlowExactness, FlowChainAndHmcAgreeAtTheTutorialPoint)
{
  const auto j =
      run({"lattice.size=8", "phi4.m2=-4", "phi4.lambda=8", "model.coupling_layers=8", "model.hidden_channels=8",
           "train.steps=1000", "train.batch=32", "train.learning_rate=0.003", "sample.proposals=32768",
           "sample.batch=4096", "hmc.chains=16", "hmc.thermalisation=50", "hmc.trajectories=200", "hmc.steps=12"});
  ASSERT_TRUE(j.contains("sample") && j.contains("hmc")) << j.dump();
  const auto& flow = j["sample"]["observables"];
  const auto& hmc = j["hmc"]["observables"];
  for (const char* key : {"phi2", "abs_magnetisation_per_site", "chi2"}) {
    const double a = flow[key]["mean"].get<double>(), ea = flow[key]["error"].get<double>();
    const double b = hmc[key]["mean"].get<double>(), eb = hmc[key]["error"].get<double>();
    const double sigma = std::sqrt(ea * ea + eb * eb);
    std::printf("  %-28s flow + MH %.5f +- %.5f (tau_int %.1f)  HMC %.5f +- %.5f (tau_int %.2f)  (%+.2f sigma)\n", key,
                a, ea, flow[key]["tau_int"].get<double>(), b, eb, hmc[key]["tau_int"].get<double>(), (a - b) / sigma);
    EXPECT_LT(std::fabs(a - b), 4 * sigma) << key;
  }
}

} // namespace
