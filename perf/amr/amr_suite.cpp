// SPDX-License-Identifier: Apache-2.0
// Zone-cycles per second (interior cells of every block updated by one full SSP-RK2 step,
// per second; the driver's time step included) of 3-D hydrodynamics, PLM + HLLC, double
// precision, a periodic sound wave (the linear_wave problem along x, amplitude 1e-6; the
// estimator sees nothing in it), run by the driver's Simulation (advance()):
//   uniform_b<n>     a uniform mesh of N^3 cells in blocks of n^3 (n = 16, 32, 64, 128)
//   amr3_b16         the same root grid refined twice in a central box (three levels, 2:1)
//   amr3_b16_regrid  the same, with one regrid (estimator + tree + data move) per 4 steps
// Bounds (perf/NOTES.md, issue 25): the bytes the kernels must move through HBM per
// zone-cycle, against the copy bandwidth (the figure's fraction), and the FP64 instructions
// they issue, against the FP64 FMA rate (in the figure's extra fields). Neither is near: the
// kernels are bound by latency (dependent chains of FP64 divisions and square roots).
#include "amr_suite.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernel_times.hpp"
#include "tessera/amr/simulation.hpp"
#include "tessera/core/log.hpp"

namespace tessera::amr {
namespace {

// Bytes one zone-cycle moves through HBM with these kernels, each array read or written once
// per pass and stencil neighbours from the caches, for blocks of n^3 cells and their ghost
// layers (g = ((n + 4) / n)^3 cells per interior cell): per stage the primitive kernel reads u
// and writes w with ghosts (80 g), the ghost exchange reads and writes u's ghost cells
// (80 (g - 1)), the stage kernel reads w and u, writes u and writes (first stage) or reads
// (second) the initial state (160); the time step reads u once per step (40).
double bytes_per_zone_cycle(int n)
{
  const double g = std::pow((n + 2.0 * ghosts) / n, 3);
  return 2 * (80 * g + 80 * (g - 1) + 160) + 40;
}

// FP64 instructions of one zone-cycle (PLM with van Leer slopes + HLLC + SSP-RK2, counted from
// the kernels in perf/NOTES.md: per cell and stage ~480 adds, multiplies and FMAs, 26
// divisions, 9 square roots and 6 reciprocal square roots at ~10, ~10 and ~6 instructions
// each, and ~8% more for the faces and slopes on tile edges).
constexpr double fp64_instructions_per_zone_cycle = 1880;

// A run on the root grid refined to `levels` - 1 in a central box (the 2:1 rule adds rings),
// with a regrid every 4 steps or none.
std::unique_ptr<Simulation> make_run(int cells, int block_cells, int levels, bool regrid)
{
  std::vector<std::string> keys{"mesh.dims=3",
                                fmt::format("mesh.block_cells={}", block_cells),
                                fmt::format("mesh.max_level={}", levels - 1),
                                "problem.kind=linear_wave",
                                "wave.amplitude=1e-6",
                                "hydro.riemann=hllc",
                                fmt::format("refinement.interval={}", regrid ? 4 : 0),
                                "run.t_end=1e30"};
  for (const char* x : {"x", "y", "z"})
    keys.push_back(fmt::format("mesh.cells_{}={}", x, cells));
  if (levels > 1) {
    keys.push_back(fmt::format("refinement.region_level={}", levels - 1));
    for (const char* x : {"x", "y", "z"}) {
      keys.push_back(fmt::format("refinement.region_{}_min=0.375", x));
      keys.push_back(fmt::format("refinement.region_{}_max=0.625", x));
    }
  }
  static const Comm comm;
  return std::make_unique<Simulation>(RunContext{comm}, params_for<Simulation>(keys));
}

// Where the time of a few steps goes, kernel by kernel (fenced: for tuning, not a figure).
void profile(const std::string& name, Simulation& run)
{
  log::info("kernel times of 4 steps (and the regrid they bring, if any), {}:", name);
  bench::start_kernel_times();
  for (int s = 0; s < 4; ++s)
    run.advance(run.end());
  bench::stop_kernel_times();
}

// steps_per_call steps (and the regrids they bring) per timed call.
double record(bench::Suite& suite, const std::string& name, int cells, int block_cells, Simulation& run,
              int steps_per_call, bool regrid)
{
  const auto once = [&] {
    for (int s = 0; s < steps_per_call; ++s)
      run.advance(run.end());
  };
  const auto timing = bench::time_it(once, 3, 1.0, 20);
  const double zones = run.mesh().global_cells() * steps_per_call;
  bench::Figure f{"amr",
                  name,
                  {{"root_cells", cells}, {"block_cells", block_cells}, {"blocks", run.mesh().blocks()}},
                  run.mesh().global_cells(),
                  "cells",
                  "zone-cycles/s",
                  zones,
                  timing};
  std::vector<int> per_level(static_cast<std::size_t>(run.mesh().shape().tree.max_level) + 1, 0);
  for (const auto& loc : run.mesh().locations())
    ++per_level[static_cast<std::size_t>(loc.level)];
  f.extra = {{"blocks_per_level", per_level}, {"steps_per_call", steps_per_call}, {"regrid_per_call", regrid}};
  const double fp64_issue = suite.ceiling("fma_fp64") / 2; // FMA instructions per second
  if (fp64_issue > 0) {
    f.extra["fp64_instructions_per_zone_cycle"] = fp64_instructions_per_zone_cycle;
    f.extra["fraction_of_fp64_issue"] = zones / timing.median * fp64_instructions_per_zone_cycle / fp64_issue;
  }
  suite.add(f, "copy_bandwidth", bytes_per_zone_cycle(block_cells));
  const double rate = zones / timing.median;
  log::info("{:>18} {:>5} {:>6} {:>7} {:>12.4g} {:>7.1f}%", name, cells, block_cells, run.mesh().blocks(), rate,
            100.0 * (timing.max - timing.min) / timing.median);
  return rate;
}

} // namespace

void amr_benchmarks(bench::Suite& suite, const BenchOptions& options)
{
  const int cells = suite.quick() ? 32 : (options.cells > 0 ? options.cells : (device_is_host ? 64 : 256));
  log::info("{:>18} {:>5} {:>6} {:>7} {:>12} {:>8}", "benchmark", "cells", "block", "blocks", "zone-cycles/s",
            "spread");
  double uniform16 = 0;
  for (int block : {16, 32, 64, 128}) {
    if (block > cells || (suite.quick() && block > 16)) continue;
    auto run = make_run(cells, block, 1, false);
    const auto name = fmt::format("uniform_b{}", block);
    const double rate = record(suite, name, cells, block, *run, 1, false);
    if (options.kernel_times) profile(name, *run);
    if (block == 16) uniform16 = rate;
  }
  auto amr = make_run(cells, 16, 3, false);
  const double amr_rate = record(suite, "amr3_b16", cells, 16, *amr, 1, false);
  if (options.kernel_times) profile("amr3_b16", *amr);
  amr.reset();
  auto regridded = make_run(cells, 16, 3, true); // a regrid every 4 steps: one per call
  record(suite, "amr3_b16_regrid", cells, 16, *regridded, 4, true);
  if (uniform16 > 0)
    log::info("three-level AMR at {:.0f}% of the uniform rate (blocks of 16^3)", 100 * amr_rate / uniform16);
}

} // namespace tessera::amr
