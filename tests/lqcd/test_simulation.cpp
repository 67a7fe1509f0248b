// SPDX-License-Identifier: Apache-2.0
// The HMC as the driver runs it (lqcd::Simulation): a chain restarted from the checkpoint of
// trajectory 3 continues bit for bit, and its samples (the summary's averages) cover the
// whole chain; the summary's errors are the Gamma method's, with tau_int, and "no estimate"
// from 0 or 1 samples; the last configuration replaces an older run's file of the same name and
// is not written when the run was interrupted, and its SEQUENCE_NUMBER is the trajectory count.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/ranges.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include "lqcd_test_fields.hpp"
#include "tessera/core/statistics.hpp"
#include "tessera/lqcd/gauge_io.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace lq = tessera::lqcd;
namespace lt = tessera::lqcd::testing;
namespace fs = std::filesystem;
using tessera::Comm;

namespace {

// A short quenched chain with the flow (Q) every 3 trajectories and averages after 2.
lq::Params chain_params()
{
  return lt::params({"lattice.size=4x4x4x4", "hmc.trajectories=6", "hmc.thermalisation=2", "hmc.no_metropolis_until=1",
                     "hmc.steps=6", "flow.interval=3", "flow.time=0.2", "flow.step=0.05"});
}

void expect_same(const lq::Average& a, const lq::Average& b, const char* what)
{
  EXPECT_EQ(a.samples, b.samples) << what;
}

class HmcSimulation : public ::testing::Test {
protected:
  void SetUp() override
  {
    dir_ = fs::temp_directory_path() / fmt::format("tessera-lqcd-sim-{}-{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override
  {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
  Comm comm_;
};

TEST_F(HmcSimulation, RestartContinuesTheChainAndItsAverages)
{
  const auto p = chain_params();
  const tessera::RunContext context{comm_, dir_};
  lq::Simulation whole(context, p);
  const auto checkpoint = dir_ / "lqcd.chk.h5";
  while (whole.position() < 3)
    whole.advance(whole.end());
  {
    tessera::CheckpointWriter writer(comm_, checkpoint);
    whole.write_checkpoint(writer);
    writer.commit();
  }
  while (whole.position() < whole.end())
    whole.advance(whole.end());

  tessera::CheckpointReader reader(comm_, checkpoint);
  lq::Simulation again(context, p, reader);
  EXPECT_EQ(again.position(), 3);
  while (again.position() < again.end())
    again.advance(again.end());

  const auto& a = whole.chain();
  const auto& b = again.chain();
  EXPECT_EQ(a.next_trajectory, b.next_trajectory);
  EXPECT_EQ(a.accepted, b.accepted);
  EXPECT_EQ(a.attempted, b.attempted);
  expect_same(a.plaquette, b.plaquette, "plaquette");
  expect_same(a.exp_minus_dh, b.exp_minus_dh, "exp(-dH)");
  expect_same(a.acceptance, b.acceptance, "acceptance");
  expect_same(a.polyakov_abs, b.polyakov_abs, "|polyakov|");
  expect_same(a.charge, b.charge, "Q");
  expect_same(a.charge2, b.charge2, "Q^2");
  EXPECT_EQ(b.plaquette.n(), 4) << "trajectories 2..5, three of them before the restart";
  EXPECT_EQ(b.charge.n(), 2) << "flowed after trajectories 2 and 5";

  const auto ua = lq::gather_gauge(whole.decomposition(), whole.links());
  const auto ub = lq::gather_gauge(again.decomposition(), again.links());
  EXPECT_TRUE(ua.links == ub.links) << "the links differ after the restart";

  const auto ra = whole.results().json, rb = again.results().json;
  for (const char* key : {"trajectories", "acceptance", "production_acceptance", "exp_minus_dh", "plaquette",
                          "polyakov_abs", "topological_charge"})
    EXPECT_EQ(ra[key], rb[key]) << key;
  EXPECT_EQ(ra["history"].size(), 6u);
  EXPECT_EQ(rb["history"].size(), 3u) << "the history is this process's trajectories";
}

TEST_F(HmcSimulation, ErrorsAreTheGammaMethodsWithTauInt)
{
  lq::Simulation sim(tessera::RunContext{comm_, dir_}, chain_params());
  while (sim.position() < sim.end())
    sim.advance(sim.end());
  const auto& c = sim.chain();
  ASSERT_EQ(c.plaquette.n(), 4) << "trajectories 2..5";
  const auto e = tessera::gamma_method(c.plaquette.samples);
  ASSERT_TRUE(e.has_estimate);
  const auto r = sim.results();
  const auto joined = fmt::format("{}", fmt::join(r.lines, "\n"));
  std::cout << joined << "\n";
  EXPECT_NE(joined.find("  plaquette " + e.describe(8) + "\n"), std::string::npos) << joined;
  EXPECT_NE(joined.find("(tau_int "), std::string::npos);
  const auto& j = r.json["plaquette"];
  EXPECT_EQ(j["mean"].get<double>(), e.mean);
  EXPECT_EQ(j["error"].get<double>(), e.error);
  EXPECT_EQ(j["tau_int"].get<double>(), e.tau_int);
  EXPECT_EQ(j["tau_int_error"].get<double>(), e.tau_int_error);
  EXPECT_EQ(j["window"].get<std::size_t>(), e.window);
  EXPECT_EQ(j["samples"].get<std::size_t>(), 4u);
  // Two samples never give an estimate (rho(1) = -1): the mean and why.
  EXPECT_NE(joined.find(fmt::format("  Q {:.4f} (no estimate from 2 samples)\n", c.charge.mean())), std::string::npos);
  EXPECT_EQ(r.json["topological_charge"]["samples"], 2);
  EXPECT_EQ(r.json["topological_charge"]["q2"]["samples"], 2);
}

TEST_F(HmcSimulation, NoEstimateFromNoneOrOneProductionTrajectory)
{
  for (const int trajectories : {2, 3}) {
    auto p = chain_params();
    p.trajectories = trajectories;
    const auto dir = dir_ / std::to_string(trajectories);
    fs::create_directories(dir);
    lq::Simulation sim(tessera::RunContext{comm_, dir}, p);
    while (sim.position() < sim.end())
      sim.advance(sim.end());
    const auto r = sim.results();
    const auto joined = fmt::format("{}", fmt::join(r.lines, "\n"));
    const auto& j = r.json["plaquette"];
    EXPECT_EQ(j["samples"], trajectories - 2);
    EXPECT_TRUE(j["error"].is_null()) << j;
    EXPECT_TRUE(j["tau_int"].is_null()) << j;
    EXPECT_TRUE(j["window"].is_null()) << j;
    if (trajectories == 2) {
      EXPECT_TRUE(j["mean"].is_null()) << j;
      EXPECT_NE(joined.find("  plaquette no estimate (no samples)"), std::string::npos) << joined;
    } else {
      EXPECT_EQ(j["mean"].get<double>(), sim.chain().plaquette.samples.at(0));
      EXPECT_NE(joined.find(fmt::format("  plaquette {:.8f} (no estimate: 1 sample)", j["mean"].get<double>())),
                std::string::npos)
          << joined;
    }
    EXPECT_EQ(joined.find("+- 0.0000"), std::string::npos) << joined;
  }
}

TEST_F(HmcSimulation, LastConfigurationReplacesAnOldFileAndNotWhenInterrupted)
{
  const auto p = chain_params();
  lq::Simulation sim(tessera::RunContext{comm_, dir_}, p);
  while (sim.position() < sim.end())
    sim.advance(sim.end());
  const auto path = dir_ / "lqcd.000006.nersc";

  sim.write_output({.index = 0, .final = true, .interrupted = true});
  EXPECT_FALSE(fs::exists(path)) << "an interrupted run writes no last configuration";

  if (comm_.is_root()) std::ofstream(path) << "an older run's file\n";
  sim.write_output({.index = 0, .final = true, .interrupted = false});
  lq::NerscInfo info;
  const auto read = lq::read_nersc(path, &info);
  EXPECT_TRUE(read.links == lq::gather_gauge(sim.decomposition(), sim.links()).links);
  EXPECT_EQ(info.header.at("SEQUENCE_NUMBER"), "6") << "the trajectories done, as in the file name";
  EXPECT_EQ(info.header.at("BETA"), "5.7");
  EXPECT_EQ(sim.results().json["configuration"], path.string());
}

TEST_F(HmcSimulation, DiagnosticsRowHasTheColumnsOfHmcDat)
{
  lq::Simulation sim(tessera::RunContext{comm_, dir_}, chain_params());
  EXPECT_TRUE(sim.diagnostics().empty()) << "no trajectory, no row";
  sim.advance(sim.end());
  std::string names;
  for (const auto& [name, value] : sim.diagnostics().cells)
    names += (names.empty() ? "" : " ") + name;
  EXPECT_EQ(names, "trajectory accepted dH exp(-dH) plaquette plaquette_s plaquette_t polyakov_re polyakov_im "
                   "solver_iterations seconds t2E_clover Q");
}

} // namespace
