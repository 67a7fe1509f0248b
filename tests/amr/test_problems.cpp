// Problem generators: the built-in states at known points, and a user's generator registered
// and run through the driver's code (the example of docs/amr.md).
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>

#include "tessera/amr/params.hpp"
#include "tessera/amr/problems.hpp"
#include "tessera/amr/run.hpp"
#include "tessera/core/comm.hpp"

namespace tessera::amr {
namespace {

Config config_of(const std::string& toml)
{
  return Config::parse(schema(), toml, "test.toml");
}

TEST(Problems, BuiltInStatesAtKnownPoints)
{
  {
    const auto c = config_of("problem.kind = 'sod'\n[mesh]\ndims = 2\n[sod]\naxis = 'y'\nposition = 0.25\n");
    const auto p = params_from(c, ".");
    const auto state = find_problem("sod", "test").make({c, p.shape, p.hydro.gamma});
    const auto left = state({0.9, 0.2, 0}), right = state({0.1, 0.3, 0});
    EXPECT_EQ(left.rho, 1.0);
    EXPECT_EQ(left.p, 1.0);
    EXPECT_EQ(right.rho, 0.125);
    EXPECT_EQ(right.p, 0.1);
  }
  {
    const auto c = config_of("problem.kind = 'linear_wave'\n[mesh]\ndims = 1\nx_min = 1.0\nx_max = 3.0\n"
                             "[wave]\namplitude = 1e-3\n[hydro]\ngamma = 1.4\n");
    const auto p = params_from(c, ".");
    const auto w = find_problem("linear_wave", "test").make({c, p.shape, p.hydro.gamma})({1.5, 0, 0});
    // A quarter wavelength in: sin = 1; a right-moving sound wave has dv = c drho / rho = drho.
    EXPECT_NEAR(w.rho, 1.001, 1e-15);
    EXPECT_NEAR(w.vn, 1e-3, 1e-15);
    EXPECT_NEAR(w.p, 1 / 1.4 + 1e-3, 1e-15);
  }
  {
    const auto c = config_of("problem.kind = 'kelvin_helmholtz'\n[mesh]\ndims = 2\ny_max = 2.0\n");
    const auto p = params_from(c, ".");
    const auto state = find_problem("kelvin_helmholtz", "test").make({c, p.shape, p.hydro.gamma});
    // Layers at y = 0.5 and 1.5, width 0.1: half-way between them the inner fraction is
    // tanh(5) = 0.99991, at y = 0 it is (tanh(15) - tanh(5)) / 2 = 4.5e-5.
    const auto inner = state({0.25, 1.0, 0}), outer = state({0.25, 0.0, 0});
    const double f_inner = std::tanh(5.0), f_outer = 0.5 * (std::tanh(15.0) - std::tanh(5.0));
    EXPECT_NEAR(inner.rho, 1 + f_inner, 1e-12);
    EXPECT_NEAR(outer.rho, 1 + f_outer, 1e-12);
    EXPECT_NEAR(inner.vn, f_inner - 0.5, 1e-12);
    EXPECT_NEAR(outer.vn, f_outer - 0.5, 1e-12);
    EXPECT_EQ(inner.p, 10.0);
  }
}

// docs/amr.md's example: a dense blob in a uniform flow, as a user would register it.
ProblemGenerator blob()
{
  return {"blob",
          "a dense blob in a uniform flow",
          [](ConfigSchema& s) { s.add_real("blob.density", 10.0, "density of the blob", 0.0, 1e30); },
          [](const ProblemContext& ctx) -> InitialState {
            const double inside = ctx.config.get_real("blob.density");
            return [=](const std::array<double, 3>& x) {
              Primitive w;
              w.rho = std::hypot(x[0] - 0.5, x[1] - 0.5) < 0.1 ? inside : 1.0;
              w.vn = 1.0;
              return w;
            };
          },
          {}};
}

TEST(Problems, UserGeneratorRunsThroughTheDriver)
{
  register_problem(blob());
  const auto c = config_of("problem.kind = 'blob'\n[blob]\ndensity = 5.0\n[mesh]\ndims = 2\ncells_x = 32\n"
                           "cells_y = 32\nblock_cells = 8\nmax_level = 2\n[run]\nt_end = 0.05\nlog_interval = 1000\n"
                           "[output]\nhistory_interval = 0\n");
  const auto dir = std::filesystem::temp_directory_path() / "tessera-amr-user-problem";
  std::filesystem::create_directories(dir);
  const auto p = params_from(c, dir);
  const Comm comm;
  PhaseTimers timers;
  const auto summary = run(comm, c, p, std::nullopt, timers);
  const double mass_start = summary["totals"]["mass"]["start"], mass_end = summary["totals"]["mass"]["end"];
  const double mx_start = summary["totals"]["momentum_x"]["start"], mx_end = summary["totals"]["momentum_x"]["end"];
  std::printf("User problem 'blob': %d blocks per level", static_cast<int>(summary["blocks"]));
  for (const auto& n : summary["blocks_per_level"])
    std::printf(" %d", n.get<int>());
  std::printf(", mass %.15g -> %.15g\n", mass_start, mass_end);
  EXPECT_GT(mass_start, 1.0); // the blob is there (pi 0.1^2 (5 - 1) = 0.126 on top of 1)
  EXPECT_LT(mass_start, 1.2);
  EXPECT_NEAR(mass_end, mass_start, 1e-13 * mass_start); // periodic: conserved with AMR
  EXPECT_NEAR(mx_end, mx_start, 1e-13 * mx_start);
  EXPECT_GT(summary["blocks_per_level"].size(), 2u); // the blob's edge is on the finest level
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace tessera::amr
