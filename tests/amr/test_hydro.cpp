// SPDX-License-Identifier: Apache-2.0
// Hydrodynamics on uniform meshes of blocks, run by the driver's Simulation from input keys:
// Sod against the exact Riemann solution, along every axis; second-order convergence of
// sound and entropy waves and of a passive scalar; one block and many blocks giving the same
// bits; conservation to rounding; floors on the 1-2-3 problem.
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "exact_riemann.hpp"
#include "simulation.hpp"

namespace tessera::amr {
namespace {

using testing::box_keys;
using testing::context;
using testing::ExactRiemann;
using testing::for_each_cell;
using testing::run_to_end;
using testing::TestSimulation;
using testing::operator+;

// `cells` along `axis` in blocks of `block_cells`, one block across the other active axes.
std::vector<std::string> line(int cells, int block_cells, const std::string& boundary, int axis = 0, int dims = 1)
{
  std::array<int, 3> n{block_cells, block_cells, block_cells};
  n[static_cast<std::size_t>(axis)] = cells;
  return box_keys(dims, n, block_cells, boundary);
}

const char* name(RiemannSolver riemann)
{
  return riemann == RiemannSolver::hllc ? "hllc" : "hlle";
}

// Sod's shock tube (gamma = 1.4) along `axis`, interface at 0.5.
std::vector<std::string> sod(RiemannSolver riemann, int axis, double cfl = 0.4)
{
  const char* axes[3] = {"x", "y", "z"};
  return {"problem.kind=sod",
          fmt::format("sod.axis={}", axes[axis]),
          "hydro.gamma=1.4",
          fmt::format("hydro.cfl={}", cfl),
          fmt::format("hydro.riemann={}", name(riemann)),
          "run.t_end=0.2"};
}

constexpr double sod_time = 0.2;

TEST(ExactRiemannSolver, SodStarState)
{
  const ExactRiemann exact({1, 0, 1}, {0.125, 0, 0.1}, 1.4);
  EXPECT_NEAR(exact.p_star, 0.30313017805065, 1e-12); // Toro, table 4.2, test 1
  EXPECT_NEAR(exact.u_star, 0.92745262004895, 1e-12);
  const auto left_star = exact.sample(0.5), right_star = exact.sample(1.5);
  EXPECT_NEAR(left_star.rho, 0.42631942817849, 1e-11);
  EXPECT_NEAR(right_star.rho, 0.26557371170530, 1e-11);
}

struct SodResult {
  double l1_density = 0, star_pressure = 0, star_velocity = 0;
};

// L1 density error against the exact solution, and the mean pressure and velocity in the
// star region between the contact (x = 0.5 + u* t) and the shock, away from both.
SodResult run_sod(int cells, int block_cells, RiemannSolver riemann, int axis = 0, int dims = 1, double cfl = 0.4)
{
  Simulation sim(context(),
                 params_for<Simulation>(line(cells, block_cells, "outflow", axis, dims) + sod(riemann, axis, cfl)));
  run_to_end(sim);
  const ExactRiemann exact({1, 0, 1}, {0.125, 0, 0.1}, 1.4);
  SodResult r;
  double count = 0;
  const std::size_t a = static_cast<std::size_t>(axis);
  for_each_cell(sim, density, [&](const auto& x, double rho, const auto& host, Index b, Index k, Index j, Index i) {
    r.l1_density += std::abs(rho - exact.sample((x[a] - 0.5) / sod_time).rho) / sim.mesh().cells();
    if (x[a] > 0.72 && x[a] < 0.82) {
      const double mx = host(b, momentum_x + axis, k, j, i), e = host(b, energy, k, j, i);
      r.star_velocity += mx / rho;
      r.star_pressure += 0.4 * (e - 0.5 * mx * mx / rho);
      count += 1;
    }
  });
  r.star_pressure /= count;
  r.star_velocity /= count;
  return r;
}

TEST(Sod, ConvergesToTheExactSolution)
{
  for (auto riemann : {RiemannSolver::hllc, RiemannSolver::hlle}) {
    const auto coarse = run_sod(128, 16, riemann), fine = run_sod(256, 16, riemann);
    SCOPED_TRACE(name(riemann));
    std::printf("Sod %s: L1(rho) %.3e (128) %.3e (256); p* %.6f u* %.6f (exact 0.303130 0.927453)\n", name(riemann),
                coarse.l1_density, fine.l1_density, fine.star_pressure, fine.star_velocity);
    EXPECT_LT(fine.l1_density, 0.006);
    EXPECT_LT(fine.l1_density, 0.7 * coarse.l1_density);
    EXPECT_NEAR(fine.star_pressure, 0.30313017805065, 5e-4 * 0.303);
    EXPECT_NEAR(fine.star_velocity, 0.92745262004895, 5e-4 * 0.927);
  }
}

TEST(Sod, SameAlongEveryAxis)
{
  // hydro.cfl at most 1/3 in a 3-D box (refused above it), the same in 1-D for the comparison.
  const auto x = run_sod(64, 8, RiemannSolver::hllc, 0, 3, 0.3);
  const auto y = run_sod(64, 8, RiemannSolver::hllc, 1, 3, 0.3);
  const auto z = run_sod(64, 8, RiemannSolver::hllc, 2, 3, 0.3);
  const auto one_d = run_sod(64, 8, RiemannSolver::hllc, 0, 1, 0.3);
  for (const auto& r : {x, y, z}) {
    EXPECT_NEAR(r.l1_density, one_d.l1_density, 1e-12);
    EXPECT_NEAR(r.star_pressure, one_d.star_pressure, 1e-12);
  }
}

// A sound wave (gamma = 5/3, rho = 1, p = 0.6: c = 1) or an entropy wave (advected at v = 1)
// of amplitude 1e-6 along x, one period on [0, 1] (the linear_wave problem); the L1 density
// (or scalar) error against the start.
double wave_error(int cells, bool sound, int scalars = 0)
{
  const auto params = params_for<Simulation>(
      line(cells, 16, "periodic") +
      std::vector<std::string>{"problem.kind=linear_wave", fmt::format("wave.kind={}", sound ? "sound" : "entropy"),
                               fmt::format("wave.background_velocity={}", sound ? 0 : 1), "wave.amplitude=1e-6",
                               "hydro.cfl=0.4", fmt::format("hydro.scalars={}", scalars), "run.t_end=1"});
  Simulation sim(context(), params);
  run_to_end(sim);
  double error = 0;
  const int v = scalars > 0 ? first_scalar : density;
  for_each_cell(sim, v, [&](const auto& x, double value, const auto& host, Index b, Index kk, Index j, Index i) {
    const auto w = params.problem.state(x);
    const double expected = scalars > 0 ? w.s[0] : w.rho;
    const double got = scalars > 0 ? value / host(b, density, kk, j, i) : value;
    error += std::abs(got - expected) / cells;
  });
  return error;
}

TEST(LinearWaves, SecondOrderConvergence)
{
  for (bool sound : {true, false}) {
    const double e32 = wave_error(32, sound), e64 = wave_error(64, sound), e128 = wave_error(128, sound);
    SCOPED_TRACE(sound ? "sound" : "entropy");
    std::printf("%s wave: L1 %.3e %.3e %.3e (32, 64, 128): ratios %.2f %.2f\n", sound ? "sound" : "entropy", e32, e64,
                e128, e32 / e64, e64 / e128);
    EXPECT_GT(e32 / e64, 3.5);
    EXPECT_GT(e64 / e128, 3.5);
    EXPECT_LT(e128, 1e-6 * 0.01);
  }
}

TEST(PassiveScalar, SecondOrderConvergence)
{
  const double e32 = wave_error(32, false, 1), e64 = wave_error(64, false, 1), e128 = wave_error(128, false, 1);
  std::printf("scalar: L1 %.3e %.3e %.3e (32, 64, 128): ratios %.2f %.2f\n", e32, e64, e128, e32 / e64, e64 / e128);
  EXPECT_GT(e32 / e64, 3.0);
  EXPECT_GT(e64 / e128, 3.0);
}

// A 2-D state with structure everywhere (a shear layer with a perturbation), periodic, on
// blocks of `block_cells` covering [0, 1]^2 with 32^2 cells.
Params shear_square(int block_cells, const std::vector<std::string>& more = {})
{
  return params_for<TestSimulation>(box_keys(2, {32, 32, 32}, block_cells, "periodic") +
                                    std::vector<std::string>{"problem.kind=shear_layer", "hydro.scalars=1"} + more);
}

// On 1 block of 32^2 and on 4 x 4 blocks of 8^2: the same bits after 20 steps.
TEST(Blocks, OneBlockAndManyBlocksAgreeBitwise)
{
  for (auto riemann : {RiemannSolver::hllc, RiemannSolver::hlle}) {
    const std::vector<std::string> keys{fmt::format("hydro.riemann={}", name(riemann)), "run.t_end=1e9"};
    Simulation one(context(), shear_square(32, keys));
    Simulation many(context(), shear_square(8, keys));
    for (auto* sim : {&one, &many})
      for (int s = 0; s < 20; ++s)
        sim->advance(sim->end());
    std::map<std::pair<double, double>, std::vector<double>> cells;
    for (int v = 0; v < one.mesh().variables(); ++v)
      for_each_cell(one, v, [&](const auto& x, double value, auto&&...) { cells[{x[0], x[1]}].push_back(value); });
    int compared = 0, different = 0;
    for (int v = 0; v < many.mesh().variables(); ++v)
      for_each_cell(many, v, [&](const auto& x, double value, auto&&...) {
        ++compared;
        if (cells.at({x[0], x[1]}).at(static_cast<std::size_t>(v)) != value) ++different;
      });
    EXPECT_EQ(compared, 32 * 32 * 6);
    EXPECT_EQ(different, 0);
  }
}

TEST(Conservation, PeriodicTotalsToRounding)
{
  Simulation sim(context(), shear_square(8, {"run.t_end=0.5"}));
  const auto before = sim.adaptive_run().totals();
  run_to_end(sim);
  const auto after = sim.adaptive_run().totals();
  EXPECT_GT(sim.step(), 20);
  for (int v = 0; v < sim.mesh().variables(); ++v) {
    const double scale = std::max(1.0, std::abs(before[static_cast<std::size_t>(v)]));
    EXPECT_NEAR(after[static_cast<std::size_t>(v)], before[static_cast<std::size_t>(v)], 1e-13 * scale) << v;
  }
  EXPECT_EQ(sim.adaptive_run().floors_applied(), 0);
}

// Einfeldt's 1-2-3 problem (two streams leaving the centre at Mach 2: a Riemann problem of
// the sod generator) has a near-vacuum between them (p about 0.002); with the pressure floor
// above that, the floor fires, is counted, and holds everywhere (the limit on corrections per
// step, which would stop this run as a blow-up, raised to its largest value).
TEST(Floors, RaiseCellsAndAreCounted)
{
  const auto params = params_for<Simulation>(
      line(64, 16, "outflow") +
      std::vector<std::string>{"problem.kind=sod", "sod.rho_left=1", "sod.u_left=-2", "sod.p_left=0.4",
                               "sod.rho_right=1", "sod.u_right=2", "sod.p_right=0.4", "hydro.gamma=1.4",
                               "hydro.pressure_floor=0.05", "hydro.max_floored_fraction=4", "run.t_end=0.15"});
  Simulation sim(context(), params);
  run_to_end(sim);
  const auto floors = sim.adaptive_run().floors_applied();
  double lowest = 1e300;
  for_each_cell(sim, energy, [&](const auto&, double e, const auto& host, Index b, Index k, Index j, Index i) {
    const double rho = host(b, density, k, j, i), m = host(b, momentum_x, k, j, i);
    lowest = std::min(lowest, (params.hydro.gamma - 1) * (e - 0.5 * m * m / rho));
  });
  std::printf("1-2-3 problem with a pressure floor of 0.05: %lld cells raised, lowest pressure %.6f\n",
              static_cast<long long>(floors), lowest);
  EXPECT_GT(floors, 0);
  EXPECT_GE(lowest, params.hydro.pressure_floor * (1 - 1e-12));
}

} // namespace
} // namespace tessera::amr
