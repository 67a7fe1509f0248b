// SPDX-License-Identifier: Apache-2.0
// Defaults live only in the schema: the Params of an empty input deck carry exactly the
// defaults docs/shower.md documents (tessera-shower --help-input prints the same table).
#include <gtest/gtest.h>

#include "tessera/shower/simulation.hpp"

namespace tessera::shower {
namespace {

TEST(Defaults, ParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const Params p = Simulation::params(Config::parse(Simulation::schema(), "", "(empty)"));
  EXPECT_EQ(p.events, 1000000);
  const auto& g = p.generator;
  EXPECT_EQ(g.shower.seed, 1u);
  // events.batch = 0 and shower.trials_per_pass = -1 mean the backend's choice: 2^20 events
  // and 8 trials per pass on GPUs, 2^14 events and one launch (0) on hosts.
  EXPECT_EQ(g.batch_size, device_is_host ? 1 << 14 : 1 << 20);
  EXPECT_EQ(g.batch_size, default_batch_size());
  EXPECT_EQ(g.trials_per_pass, device_is_host ? 0 : 8);
  EXPECT_EQ(g.trials_per_pass, default_trials_per_pass());
  EXPECT_EQ(g.hard.sqrt_s(), 91.2);
  const auto& ew = g.hard.electroweak();
  EXPECT_EQ(ew.mz, 91.1876);
  EXPECT_EQ(ew.gamma_z, 2.4952);
  EXPECT_EQ(ew.alpha, 1.0 / 128.802);
  EXPECT_EQ(ew.sin2_theta_w, 0.22293);
  const auto& s = g.shower;
  EXPECT_EQ(s.t_cutoff, 1.0);
  EXPECT_EQ(p.alpha_s_mz, 0.118);
  EXPECT_EQ(p.running, "two_loop");
  EXPECT_FALSE(s.fixed_coupling);
  EXPECT_EQ(s.alpha_fixed, 0.118);
  EXPECT_EQ(p.mb, 4.75);
  EXPECT_EQ(p.mc, 1.27);
  // The running coupling starts at alpha_s(mZ); the overestimate uses its value at the cutoff.
  EXPECT_NEAR(s.alpha_s(91.1876 * 91.1876), 0.118, 1e-15);
  EXPECT_EQ(s.alpha_max, s.alpha_s(1.0));
  EXPECT_EQ(s.g_to_qqbar_flavours, 5);
  EXPECT_EQ(s.competition, Competition::summed);
  EXPECT_EQ(g.max_partons, 64);
  EXPECT_EQ(p.max_overflow_fraction, 1e-3);
  EXPECT_EQ(p.yoda, "shower.yoda");
  EXPECT_EQ(p.yoda_format, YodaFormat::yoda2); // YODA 2 / Rivet 4's layout
  EXPECT_EQ(p.hdf5, "shower.h5");
  EXPECT_EQ(p.hepmc_events, 0);
}

TEST(Defaults, TheBackendDefaultsAreOverridden)
{
  const auto p = params_for<Simulation>({"events.batch=1000", "shower.trials_per_pass=0"});
  EXPECT_EQ(p.generator.batch_size, 1000);
  EXPECT_EQ(p.generator.trials_per_pass, 0);
  EXPECT_EQ(params_for<Simulation>({"shower.trials_per_pass=4"}).generator.trials_per_pass, 4);
}

TEST(Defaults, RunLoopKeysHaveTheDocumentedDefaults)
{
  const auto c = Config::parse(Simulation::schema(), "", "(empty)");
  // In events (output.checkpoint_interval was wall-clock seconds before the run loop).
  EXPECT_EQ(c.get_int("output.checkpoint_interval"), 0);
  EXPECT_EQ(c.get_real("output.checkpoint_wall_seconds"), 600.0);
  EXPECT_EQ(c.get_int("output.log_interval"), 100000);
  // No table and no scheduled outputs: the histograms are written at the end.
  EXPECT_EQ(Simulation::schema().find("output.interval"), nullptr);
  EXPECT_EQ(Simulation::schema().find("output.table_interval"), nullptr);
  const auto info = Simulation::info();
  EXPECT_EQ(info.unit.name, "event");
  EXPECT_FALSE(info.unit.continuous);
  EXPECT_TRUE(info.table_file.empty());
  EXPECT_FALSE(info.final_checkpoint);
}

TEST(Defaults, ARestartMustKeepTheEventsAndThePhysicsOnly)
{
  const auto schema = Simulation::schema();
  for (const auto& key : schema.keys()) {
    const bool tuning = key.name == "events.batch" || key.name == "shower.trials_per_pass";
    const bool verdict = key.name == "shower.max_overflow_fraction";
    const bool physics = key.name == "events.n" || key.name == "events.seed" || key.name.rfind("process.", 0) == 0 ||
                         (key.name.rfind("shower.", 0) == 0 && !tuning && !verdict);
    EXPECT_EQ(key.fixed_on_restart, physics) << key.name;
  }
}

} // namespace
} // namespace tessera::shower
