// SPDX-License-Identifier: Apache-2.0
// Defaults live only in the schema: the Params of an empty input deck carry exactly the
// defaults docs/nbody.md documents (tessera-nbody --help-input prints the same table).
#include <cmath>

#include <gtest/gtest.h>

#include "tessera/nbody/simulation.hpp"

namespace tessera::nbody {
namespace {

TEST(Defaults, ParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const Params p = Simulation::params(Config::parse(Simulation::schema(), "", "(empty)"));
  EXPECT_EQ(p.ic, "plummer");
  EXPECT_EQ(p.ic_file, "");
  EXPECT_EQ(p.n, 16384);
  EXPECT_EQ(p.seed, 1u);
  EXPECT_EQ(p.mass_spectrum, "equal");
  EXPECT_EQ(p.kroupa_min, 0.08);
  EXPECT_EQ(p.kroupa_max, 100.0);
  EXPECT_TRUE(p.standard_units);
  EXPECT_EQ(p.softening, 1.0 / 1024);
  EXPECT_EQ(p.integrator, Integrator::hermite_block);
  EXPECT_EQ(p.precision, Precision::fp64);
  EXPECT_EQ(p.eta, 0.02);
  EXPECT_EQ(p.eta_start, 0.01);
  EXPECT_EQ(p.dt_max, 1.0 / 64);
  EXPECT_EQ(p.dt_min, std::ldexp(1.0, -40));
  EXPECT_EQ(p.dt_fixed, 0.0);
  EXPECT_EQ(p.t_end, 1.0);
  EXPECT_EQ(p.max_energy_error, 0.01);
  EXPECT_TRUE(p.snapshots);
  EXPECT_EQ(p.tile, 0);
  EXPECT_EQ(p.team_size, 0);
  EXPECT_EQ(p.j_split, 0);
}

TEST(Defaults, RunLoopKeysHaveTheDocumentedDefaults)
{
  const auto c = Config::parse(Simulation::schema(), "", "(empty)");
  EXPECT_EQ(c.get_real("output.interval"), 0.125);
  EXPECT_EQ(c.get_real("output.table_interval"), 0.125);
  EXPECT_EQ(c.get_real("output.log_interval"), 0.125);
  EXPECT_EQ(c.get_real("output.checkpoint_interval"), 0.0);
  EXPECT_EQ(c.get_real("output.checkpoint_wall_seconds"), 3600.0);
}

TEST(Defaults, ARestartMustKeepThePhysicsKeysOnly)
{
  const auto schema = Simulation::schema();
  for (const auto& key : schema.keys()) {
    const bool physics =
        key.name.rfind("ic.", 0) == 0 || key.name.rfind("gravity.", 0) == 0 || key.name.rfind("integrator.", 0) == 0;
    EXPECT_EQ(key.fixed_on_restart, physics) << key.name;
  }
}

} // namespace
} // namespace tessera::nbody
