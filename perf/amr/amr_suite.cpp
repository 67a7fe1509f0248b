// Zone-cycles per second (interior cells of every block updated by one full SSP-RK2 step,
// per second; the driver's time step included) of 3-D hydrodynamics, PLM + HLLC, double
// precision, a periodic sound wave (AthenaK's benchmark problem):
//   uniform_b<n>     a uniform mesh of N^3 cells in blocks of n^3 (n = 16, 32, 64, 128)
//   amr3_b16         the same root grid refined twice in a central box (three levels, 2:1)
//   amr3_b16_regrid  the same, with one regrid (estimator + tree + data move) per 4 steps
// Bound: the least memory traffic of SSP-RK2 with these arrays: each stage reads and writes
// the 5 conserved variables once, and the initial state is saved and read back once:
// 4 x 5 x 8 + 2 x 5 x 8 = 240 bytes per zone-cycle, against the copy bandwidth. Ghost
// cells, primitives and fluxes add traffic on top, so 100% is not reachable.
#include "amr_suite.hpp"

#include <cmath>

#include <fmt/format.h>

#include "kernel_times.hpp"
#include "tessera/amr/adaptive_run.hpp"
#include "tessera/amr/initial_state.hpp"
#include "tessera/core/log.hpp"

namespace tessera::amr {
namespace {

constexpr double bytes_per_zone_cycle = 240;
constexpr double pi = 3.14159265358979323846;

MeshShape cube(int cells, int block_cells, int max_level)
{
  MeshShape shape;
  shape.tree.dims = 3;
  shape.tree.max_level = max_level;
  for (auto& r : shape.tree.root)
    r = cells / block_cells;
  shape.block_cells = block_cells;
  return shape;
}

BoundaryConditions periodic()
{
  BoundaryConditions bc;
  for (auto& axis : bc)
    axis = {Boundary::periodic, Boundary::periodic};
  return bc;
}

// A sound wave along the diagonal, amplitude 1e-6 (the estimator sees nothing in it).
Primitive sound_wave(const std::array<double, 3>& x)
{
  const double phase = std::sin(2 * pi * (x[0] + x[1] + x[2]));
  Primitive w;
  w.rho = 1 + 1e-6 * phase;
  w.p = 0.6 + 1e-6 * phase;
  w.vn = w.vt1 = w.vt2 = 1e-6 * phase / std::sqrt(3.0);
  return w;
}

// A run on the root grid refined to `levels` - 1 in a central box (the 2:1 rule adds rings).
std::unique_ptr<AdaptiveRun> make_run(int cells, int block_cells, int levels)
{
  const auto shape = cube(cells, block_cells, levels - 1);
  RefinementParams refinement;
  refinement.interval = 4;
  if (levels > 1) refinement.regions.push_back({{0.375, 0.375, 0.375}, {0.625, 0.625, 0.625}, levels - 1});
  HydroParams hydro;
  hydro.riemann = RiemannSolver::hllc;
  auto run = std::make_unique<AdaptiveRun>(shape, BlockTree(shape.tree), hydro, periodic(), refinement);
  const auto fill = [&] { set_primitive_state(run->mesh(), run->data(), hydro.gamma, sound_wave); };
  fill();
  for (int pass = 0; pass < levels && run->regrid(); ++pass)
    fill();
  return run;
}

// Where the time of a few steps goes, kernel by kernel (fenced: for tuning, not a figure).
void profile(const std::string& name, AdaptiveRun& run)
{
  log::info("kernel times of 4 steps + 1 regrid, {}:", name);
  bench::start_kernel_times();
  for (int s = 0; s < 4; ++s)
    run.step(run.time_step());
  run.regrid();
  bench::stop_kernel_times();
}

double record(bench::Suite& suite, const std::string& name, int cells, int block_cells, AdaptiveRun& run,
              int steps_per_call, bool regrid)
{
  const auto once = [&] {
    for (int s = 0; s < steps_per_call; ++s)
      run.step(run.time_step());
    if (regrid) run.regrid();
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
  suite.add(f, "copy_bandwidth", bytes_per_zone_cycle);
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
    auto run = make_run(cells, block, 1);
    const auto name = fmt::format("uniform_b{}", block);
    const double rate = record(suite, name, cells, block, *run, 1, false);
    if (options.kernel_times) profile(name, *run);
    if (block == 16) uniform16 = rate;
  }
  auto amr = make_run(cells, 16, 3);
  const double amr_rate = record(suite, "amr3_b16", cells, 16, *amr, 1, false);
  record(suite, "amr3_b16_regrid", cells, 16, *amr, 4, true);
  if (options.kernel_times) profile("amr3_b16", *amr);
  if (uniform16 > 0)
    log::info("three-level AMR at {:.0f}% of the uniform rate (blocks of 16^3)", 100 * amr_rate / uniform16);
}

} // namespace tessera::amr
