// SPDX-License-Identifier: Apache-2.0
// The HMC as the driver runs it (lqcd::Simulation): a chain restarted from the checkpoint of
// trajectory 3 continues bit for bit, and its running sums (the summary's averages) cover the
// whole chain; the last configuration replaces an older run's file of the same name and is
// not written when the run was interrupted, and its SEQUENCE_NUMBER is the trajectory count.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <unistd.h>

#include "lqcd_test_fields.hpp"
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
  EXPECT_EQ(a.sum, b.sum) << what;
  EXPECT_EQ(a.sum2, b.sum2) << what;
  EXPECT_EQ(a.n, b.n) << what;
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
  EXPECT_EQ(b.plaquette.n, 4) << "trajectories 2..5, three of them before the restart";
  EXPECT_EQ(b.charge.n, 2) << "flowed after trajectories 2 and 5";

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
