// SPDX-License-Identifier: Apache-2.0
// Defaults live only in the schema: the Params of an empty input deck carry exactly the
// defaults docs/amr.md documents (tessera-amr --help-input prints the same table).
#include <string>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tessera/amr/simulation.hpp"
#include "tessera/core/errors.hpp"

namespace tessera::amr {
namespace {

TEST(Defaults, ParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const Params p = Simulation::params(Config::parse(Simulation::schema(), "", "(empty)"));
  EXPECT_EQ(p.shape.tree.dims, 3);
  EXPECT_EQ(p.shape.tree.root, (std::array<std::int64_t, 3>{4, 4, 4})); // 64 cells in blocks of 16
  EXPECT_EQ(p.shape.tree.periodic, (std::array<bool, 3>{true, true, true}));
  EXPECT_EQ(p.shape.tree.max_level, 2);
  EXPECT_EQ(p.shape.block_cells, 16);
  EXPECT_EQ(p.shape.lower, (std::array<double, 3>{0, 0, 0}));
  EXPECT_EQ(p.shape.upper, (std::array<double, 3>{1, 1, 1}));
  EXPECT_EQ(p.shape.scalars, 0);
  for (const auto& axis : p.boundaries) {
    EXPECT_EQ(axis[0], Boundary::periodic);
    EXPECT_EQ(axis[1], Boundary::periodic);
  }
  EXPECT_EQ(p.hydro.gamma, 5.0 / 3.0);
  EXPECT_EQ(p.hydro.cfl, 0.3);
  EXPECT_EQ(p.hydro.riemann, RiemannSolver::hllc);
  EXPECT_EQ(p.hydro.limiter, Limiter::van_leer);
  EXPECT_EQ(p.hydro.density_floor, 1e-10);
  EXPECT_EQ(p.hydro.pressure_floor, 1e-12);
  EXPECT_EQ(p.hydro.host_team_threads, 1);
  EXPECT_EQ(p.max_floored_fraction, 0.01);
  EXPECT_EQ(p.refinement.interval, 4);
  EXPECT_EQ(p.refinement.refine_threshold, 0.8);
  EXPECT_EQ(p.refinement.derefine_threshold, 0.2);
  EXPECT_EQ(p.refinement.filter, 0.01);
  EXPECT_EQ(p.refinement.buffer, 1);
  EXPECT_TRUE(p.refinement.regions.empty()); // refinement.region_level = 0: none
  EXPECT_EQ(p.problem.kind, "sedov");
  EXPECT_TRUE(p.problem.state);
  ASSERT_EQ(p.problem.initial_regions.size(), 1u); // the deposit, on the finest level
  EXPECT_EQ(p.problem.initial_regions[0].level, 2);
  EXPECT_EQ(p.t_end, 0.1);
  EXPECT_EQ(p.max_steps, 0);
  EXPECT_FALSE(p.plots); // output.interval = 0
}

// Issue 24: hydro.cfl up to 1/mesh.dims (the unsplit step's stability limit), refused above
// it at input time with a line naming the key, the value, the dimension and the limit.
TEST(Defaults, TheCflNumberIsCheckedAgainstTheDimension)
{
  const auto parse = [](int dims, const std::string& cfl) {
    return Simulation::params(
        Config::parse(Simulation::schema(), "", "(test)",
                      {fmt::format("mesh.dims={}", dims), "mesh.cells_x=32", "mesh.cells_y=32", "mesh.cells_z=32",
                       "mesh.block_cells=8", "mesh.max_level=0", "problem.kind=sod", "hydro.cfl=" + cfl}));
  };
  EXPECT_EQ(parse(1, "1").hydro.cfl, 1.0);
  EXPECT_EQ(parse(2, "0.5").hydro.cfl, 0.5);
  EXPECT_EQ(parse(3, "0.3333333333333333").hydro.cfl, 1.0 / 3);
  // From the deck, the deck is named.
  try {
    Simulation::params(Config::parse(Simulation::schema(),
                                     "[mesh]\ndims = 2\ncells_x = 32\ncells_y = 32\ncells_z = 32\nblock_cells = 8\n"
                                     "max_level = 0\n[problem]\nkind = \"sod\"\n[hydro]\ncfl = 0.6\n",
                                     "deck.toml"));
    ADD_FAILURE() << "hydro.cfl = 0.6 accepted in 2-D";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "deck.toml: key 'hydro.cfl' = 0.6 exceeds the stability limit 1/2 = 0.5 of a 2-D mesh (mesh.dims = 2)");
  }
  for (const auto& [dims, cfl, text] :
       {std::tuple{2, "0.51",
                   "command line '--hydro.cfl=0.51', '--mesh.dims=2': key 'hydro.cfl' = 0.51 exceeds the stability "
                   "limit 1/2 = 0.5 of a 2-D mesh "
                   "(mesh.dims = 2)"},
        std::tuple{3, "1",
                   "command line '--hydro.cfl=1', '--mesh.dims=3': key 'hydro.cfl' = 1 exceeds the stability limit "
                   "1/3 = 0.333333 of a 3-D mesh "
                   "(mesh.dims = 3)"}}) {
    try {
      parse(dims, cfl);
      ADD_FAILURE() << "hydro.cfl = " << cfl << " accepted in " << dims << "-D";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()), text);
      EXPECT_EQ(e.code(), ExitCode::bad_input);
    }
  }
}

TEST(Defaults, RunLoopKeysHaveTheDocumentedDefaults)
{
  const auto c = Config::parse(Simulation::schema(), "", "(empty)");
  EXPECT_EQ(c.get_real("output.interval"), 0.0);
  EXPECT_EQ(c.get_real("output.table_interval"), 0.0); // a row after every step
  EXPECT_EQ(c.get_real("output.log_interval"), 0.001); // 1/100 of the default run
  EXPECT_EQ(c.get_real("output.checkpoint_interval"), 0.0);
  EXPECT_EQ(c.get_real("output.checkpoint_wall_seconds"), 3600.0);
  const auto info = Simulation::info();
  EXPECT_EQ(info.name, "amr");
  EXPECT_EQ(info.table_file, "amr.hst");
  EXPECT_TRUE(info.unit.continuous);
}

TEST(Defaults, ARestartMustKeepTheMeshTheSchemeAndTheProblem)
{
  const auto schema = Simulation::schema();
  for (const auto& key : schema.keys()) {
    const auto in = [&](const char* section) { return key.name.rfind(section, 0) == 0; };
    // hydro.max_floored_fraction only decides whether the run goes on; hydro.host_team_threads
    // how the kernel runs on a host (the same bits).
    const bool solution =
        in("mesh.") ||
        (in("hydro.") && key.name != "hydro.max_floored_fraction" && key.name != "hydro.host_team_threads") ||
        in("refinement.") || key.name == "problem.kind" || in("sod.") || in("wave.") || in("sedov.") || in("kh.");
    EXPECT_EQ(key.fixed_on_restart, solution) << key.name;
    if (in("run.") || in("output.")) {
      EXPECT_FALSE(key.fixed_on_restart) << key.name;
    }
  }
}

// Issue 24: the keys of an axis beyond mesh.dims change nothing, so a restart neither records
// nor compares them (a 1-D run restarts with another mesh.cells_y); in 2-D cells_y counts.
TEST(Defaults, KeysOfAxesBeyondTheDimensionAreNotComparedOnRestart)
{
  const auto schema = Simulation::schema();
  const auto fingerprint = [&](const std::string& deck) {
    return Config::parse(schema, deck, "(deck)").restart_fingerprint();
  };
  const auto one = fingerprint("[mesh]\ndims = 1\n"), two = fingerprint("[mesh]\ndims = 2\n");
  const auto three = fingerprint("[mesh]\ndims = 3\n");
  for (const char* key : {"mesh.cells_y", "mesh.y_min", "mesh.y_max", "mesh.boundary_y_lower", "mesh.boundary_y_upper",
                          "refinement.region_y_min", "refinement.region_y_max", "sedov.centre_y"}) {
    EXPECT_EQ(one.count(key), 0u) << key;
    EXPECT_EQ(two.count(key), 1u) << key;
  }
  for (const char* key : {"mesh.cells_z", "mesh.z_max", "mesh.boundary_z_upper", "sedov.centre_z"}) {
    EXPECT_EQ(one.count(key), 0u) << key;
    EXPECT_EQ(two.count(key), 0u) << key;
    EXPECT_EQ(three.count(key), 1u) << key;
  }
  EXPECT_EQ(one.count("mesh.cells_x"), 1u);
  EXPECT_EQ(one.count("mesh.dims"), 1u);
  EXPECT_EQ(three.size(), two.size() + 8);
}

TEST(Defaults, RenamedKeysNameTheirNewNames)
{
  const std::pair<const char*, const char*> renamed[] = {{"output.plot_interval", "output.interval"},
                                                         {"output.history_interval", "output.table_interval"},
                                                         {"run.log_interval", "output.log_interval"}};
  for (const auto& [old_name, new_name] : renamed) {
    try {
      Config::parse(Simulation::schema(), "", "(test)", {std::string(old_name) + "=1"});
      ADD_FAILURE() << old_name << " is still accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fmt::format("key '{}' was renamed '{}'", old_name, new_name)),
                std::string::npos)
          << e.what();
    }
  }
}

} // namespace
} // namespace tessera::amr
