// SPDX-License-Identifier: Apache-2.0
// Defaults live only in the schema: the Params of an empty input deck carry exactly the
// defaults docs/demo.md documents.
#include <gtest/gtest.h>

#include "tessera/demo/demo.hpp"

namespace tessera::demo {
namespace {

TEST(Defaults, ParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const Params p = Simulation::params(Config::parse(Simulation::schema(), "", "(empty)"));
  EXPECT_EQ(p.nx, 32);
  EXPECT_EQ(p.ny, 32);
  EXPECT_EQ(p.nz, 32);
  EXPECT_EQ(p.steps, 200);
  EXPECT_EQ(p.diffusivity, 0.1);
  EXPECT_EQ(p.particles, 2048);
  EXPECT_EQ(p.softening, 0.01);
  EXPECT_EQ(p.tile, 128);
  EXPECT_EQ(p.seed, 1u);
  const auto c = Config::parse(Simulation::schema(), "", "(empty)");
  EXPECT_EQ(c.get_int("output.checkpoint_interval"), 0);
  EXPECT_EQ(c.get_real("output.checkpoint_wall_seconds"), 3600.0);
  EXPECT_EQ(c.get_int("output.log_interval"), 50);
}

TEST(Defaults, ARestartMustKeepTheGridTheParticlesAndTheSeed)
{
  const auto schema = Simulation::schema();
  for (const auto& key : schema.keys()) {
    const bool fixed =
        key.name.rfind("grid.", 0) == 0 || key.name.rfind("particles.", 0) == 0 || key.name == "run.seed";
    EXPECT_EQ(key.fixed_on_restart, fixed) << key.name;
  }
}

} // namespace
} // namespace tessera::demo
