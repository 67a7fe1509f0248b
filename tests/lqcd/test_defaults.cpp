// SPDX-License-Identifier: Apache-2.0
// Defaults live only in the schema: the Params of an empty input deck carry exactly the
// defaults docs/lqcd.md documents (tessera-lqcd --help-input prints the same table).
#include <string>

#include <gtest/gtest.h>

#include "tessera/core/errors.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace tessera::lqcd {
namespace {

TEST(Defaults, ParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const Params p = Simulation::params(Config::parse(Simulation::schema(), "", "(empty)"));
  EXPECT_EQ(p.mode, Mode::hmc);
  EXPECT_EQ(p.lattice, (std::array<int, dims>{8, 8, 8, 8}));
  EXPECT_EQ(p.ranks, (std::array<int, dims>{0, 0, 0, 0}));
  EXPECT_EQ(p.start, "cold");
  EXPECT_EQ(p.config, "");
  EXPECT_EQ(p.trajectories, 100);
  EXPECT_EQ(p.thermalisation, 20);
  EXPECT_EQ(p.measure_interval, 1);
  EXPECT_EQ(p.reversibility_interval, 0);
  EXPECT_EQ(p.flow_interval, 0);
  EXPECT_EQ(p.flow_step, 0.02);
  EXPECT_EQ(p.flow_time, 1.0);
  EXPECT_EQ(p.source, (std::array<int, dims>{0, 0, 0, 0}));
  EXPECT_TRUE(p.save_config);

  const HmcParams& h = p.hmc;
  EXPECT_EQ(h.beta, 5.7);
  EXPECT_EQ(h.flavours, 0);
  EXPECT_EQ(h.wilson.kappa, 0.15);
  EXPECT_EQ(h.wilson.boundary_phase, (std::array<double, dims>{1, 1, 1, -1})); // antiperiodic in time
  EXPECT_EQ(h.solver, SolverKind::cg_even_odd);
  EXPECT_EQ(h.action_solver.tolerance, 1e-10);
  EXPECT_EQ(h.action_solver.max_iterations, 10000);
  EXPECT_EQ(h.action_solver.reliable_delta, 0.1);
  EXPECT_EQ(h.force_solver.tolerance, 1e-8);
  EXPECT_EQ(h.force_solver.max_iterations, 10000);
  EXPECT_EQ(h.force_solver.reliable_delta, 0.1);
  EXPECT_EQ(h.integrator, Integrator::omelyan);
  EXPECT_EQ(h.trajectory_length, 1.0);
  EXPECT_EQ(h.steps, 10);
  EXPECT_EQ(h.gauge_substeps, 1);
  EXPECT_EQ(h.seed, 1u);
  EXPECT_EQ(h.no_metropolis_until, 10u);
}

TEST(Defaults, RunLoopKeysHaveTheDocumentedDefaults)
{
  const auto c = Config::parse(Simulation::schema(), "", "(empty)");
  EXPECT_EQ(c.get_int("output.interval"), 0); // NERSC configurations: only the last
  EXPECT_EQ(c.get_int("output.table_interval"), 1);
  EXPECT_EQ(c.get_int("output.log_interval"), 1);
  EXPECT_EQ(c.get_int("output.checkpoint_interval"), 10);
  EXPECT_EQ(c.get_real("output.checkpoint_wall_seconds"), 3600.0);
  const auto info = Simulation::info();
  EXPECT_EQ(info.name, "lqcd");
  EXPECT_EQ(info.table_file, "hmc.dat");
  EXPECT_EQ(info.unit.name, "trajectory");
  EXPECT_FALSE(info.unit.continuous);
}

TEST(Defaults, TheOldSaveIntervalNamesItsNewKey)
{
  try {
    (void)Config::parse(Simulation::schema(), "[output]\nsave_interval = 5\n", "old.toml");
    FAIL() << "output.save_interval was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'output.interval'"), std::string::npos) << e.what();
  }
}

TEST(Defaults, ARestartMustKeepTheChainAndWhatItAverages)
{
  // The chain (lattice, start, action, seed, molecular dynamics, solver tolerances) and the
  // measurements in the running sums; not its length, the outputs, the rank grid or the
  // reversibility test (which leaves the chain alone), nor the other modes' keys.
  const auto fixed = [](const std::string& key) {
    for (const std::string section : {"action.", "solver.", "flow."})
      if (key.rfind(section, 0) == 0) return true;
    for (const std::string name :
         {"lattice.size", "gauge.start", "gauge.file", "hmc.seed", "hmc.integrator", "hmc.length", "hmc.steps",
          "hmc.gauge_substeps", "hmc.no_metropolis_until", "hmc.thermalisation", "measure.interval"})
      if (key == name) return true;
    return false;
  };
  const auto schema = Simulation::schema();
  for (const auto& key : schema.keys())
    EXPECT_EQ(key.fixed_on_restart, fixed(key.name)) << key.name;
  for (const std::string free : {"hmc.trajectories", "hmc.reversibility_interval", "lattice.ranks", "run.mode"})
    EXPECT_FALSE(schema.find(free)->fixed_on_restart) << free;
  EXPECT_TRUE(schema.find("gauge.file")->reads_file);
}

} // namespace
} // namespace tessera::lqcd
