// SPDX-License-Identifier: Apache-2.0
// Problem generators: the built-in states at known points (as the parameters carry them),
// and a user's generator in a simulation of their own, run through core's run loop like a
// driver (the example of docs/amr.md).
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <gtest/gtest.h>

#include "../core/test_paths.hpp"
#include "tessera/amr/simulation.hpp"
#include "tessera/core/run_loop.hpp"

namespace tessera::amr {
namespace {

Params params_of(const std::string& toml)
{
  return Simulation::params(Config::parse(Simulation::schema(), toml, "test.toml"));
}

TEST(Problems, BuiltInStatesAtKnownPoints)
{
  {
    const auto p = params_of("problem.kind = 'sod'\n[mesh]\ndims = 2\n[sod]\naxis = 'y'\nposition = 0.25\n");
    EXPECT_EQ(p.problem.kind, "sod");
    const auto left = p.problem.state({0.9, 0.2, 0}), right = p.problem.state({0.1, 0.3, 0});
    EXPECT_EQ(left.rho, 1.0);
    EXPECT_EQ(left.p, 1.0);
    EXPECT_EQ(right.rho, 0.125);
    EXPECT_EQ(right.p, 0.1);
  }
  {
    const auto p = params_of("problem.kind = 'linear_wave'\n[mesh]\ndims = 1\nx_min = 1.0\nx_max = 3.0\n"
                             "[wave]\namplitude = 1e-3\n[hydro]\ngamma = 1.4\n");
    const auto w = p.problem.state({1.5, 0, 0});
    // A quarter wavelength in: sin = 1; a right-moving sound wave has dv = c drho / rho = drho.
    EXPECT_NEAR(w.rho, 1.001, 1e-15);
    EXPECT_NEAR(w.vn, 1e-3, 1e-15);
    EXPECT_NEAR(w.p, 1 / 1.4 + 1e-3, 1e-15);
  }
  {
    const auto p = params_of("problem.kind = 'kelvin_helmholtz'\n[mesh]\ndims = 2\ny_max = 2.0\n");
    // Layers at y = 0.5 and 1.5, width 0.1: half-way between them the inner fraction is
    // tanh(5) = 0.99991, at y = 0 it is (tanh(15) - tanh(5)) / 2 = 4.5e-5.
    const auto inner = p.problem.state({0.25, 1.0, 0}), outer = p.problem.state({0.25, 0.0, 0});
    const double f_inner = std::tanh(5.0), f_outer = 0.5 * (std::tanh(15.0) - std::tanh(5.0));
    EXPECT_NEAR(inner.rho, 1 + f_inner, 1e-12);
    EXPECT_NEAR(outer.rho, 1 + f_outer, 1e-12);
    EXPECT_NEAR(inner.vn, f_inner - 0.5, 1e-12);
    EXPECT_NEAR(outer.vn, f_outer - 0.5, 1e-12);
    EXPECT_EQ(inner.p, 10.0);
  }
  {
    // The Sedov deposit is refined from the start: a box around it at the finest level.
    const auto p = params_of("problem.kind = 'sedov'\n[mesh]\nmax_level = 2\n");
    ASSERT_EQ(p.problem.initial_regions.size(), 1u);
    EXPECT_EQ(p.problem.initial_regions[0].level, 2);
  }
}

TEST(Problems, AnUnknownKindNamesTheKnownOnes)
{
  try {
    params_of("problem.kind = 'blob'\n");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'problem.kind' = \"blob\" is no problem generator; expected one of sod, "
                                         "linear_wave, sedov, kelvin_helmholtz"),
              std::string::npos)
        << e.what();
  }
}

// docs/amr.md's example: a dense blob in a uniform flow, as a user adds it.
ProblemGenerator blob()
{
  return {.name = "blob",
          .doc = "a dense blob in a uniform flow",
          .declare_keys = [](ConfigSchema& s) { s.add_real("blob.density", 10.0, "density of the blob", 0.0, 1e30); },
          .make = [](const ProblemContext& ctx) -> InitialState {
            const double inside = ctx.config.get_real("blob.density");
            return [=](const std::array<double, 3>& x) {
              Primitive w;
              w.rho = std::hypot(x[0] - 0.5, x[1] - 0.5) < 0.1 ? inside : 1.0;
              w.vn = 1.0;
              return w;
            };
          },
          .initial_regions = {}};
}

ProblemSet my_problems()
{
  return with_problem(builtin_problems(), blob());
}

using MySimulation = SimulationWith<my_problems>;
static_assert(SimulationContract<MySimulation>);

TEST(Problems, UserGeneratorRunsThroughTheDriver)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "amr-user-problem");
  // The user's keys are part of the schema (and kept on restart like the built-in ones'),
  // the built-in problems stay.
  const auto schema = MySimulation::schema();
  ASSERT_NE(schema.find("blob.density"), nullptr);
  EXPECT_TRUE(schema.find("blob.density")->fixed_on_restart);
  EXPECT_NE(schema.find("sedov.energy"), nullptr);
  const auto config = Config::parse(schema,
                                    "problem.kind = 'blob'\n[blob]\ndensity = 5.0\n[mesh]\ndims = 2\ncells_x = 32\n"
                                    "cells_y = 32\nblock_cells = 8\nmax_level = 2\n[run]\nt_end = 0.05\n"
                                    "[output]\nlog_interval = 1.0\n",
                                    "blob.toml");
  DriverOptions options;
  options.output_dir = dir.path();
  PhaseTimers timers;
  const auto summary = run_simulation<MySimulation>({nullptr, comm, config, options, timers});
  const double mass_start = summary["totals"]["mass"]["start"], mass_end = summary["totals"]["mass"]["end"];
  const double mx_start = summary["totals"]["momentum_x"]["start"], mx_end = summary["totals"]["momentum_x"]["end"];
  std::printf("User problem 'blob': %d blocks per level", static_cast<int>(summary["blocks"]));
  for (const auto& n : summary["blocks_per_level"])
    std::printf(" %d", n.get<int>());
  std::printf(", mass %.15g -> %.15g\n", mass_start, mass_end);
  EXPECT_EQ(summary["problem"], "blob");
  EXPECT_GT(mass_start, 1.0); // the blob is there (pi 0.1^2 (5 - 1) = 0.126 on top of 1)
  EXPECT_LT(mass_start, 1.2);
  EXPECT_NEAR(mass_end, mass_start, 1e-13 * mass_start); // periodic: conserved with AMR
  EXPECT_NEAR(mx_end, mx_start, 1e-13 * mx_start);
  EXPECT_GT(summary["blocks_per_level"].size(), 2u); // the blob's edge is on the finest level
  EXPECT_TRUE(std::filesystem::exists(dir / "amr.hst"));
  EXPECT_TRUE(std::filesystem::exists(dir / "amr.chk.h5"));
}

} // namespace
} // namespace tessera::amr
