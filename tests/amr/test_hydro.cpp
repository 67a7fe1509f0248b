// Hydrodynamics on uniform meshes of blocks: Sod against the exact Riemann solution, along
// every axis; second-order convergence of sound and entropy waves and of a passive scalar;
// one block and many blocks giving the same bits; conservation to rounding.
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "exact_riemann.hpp"
#include "simulation.hpp"
#include "tessera/amr/hydro.hpp"
#include "tessera/amr/initial_state.hpp"

namespace tessera::amr {
namespace {

using testing::all;
using testing::ExactRiemann;
using testing::Simulation;
using testing::State1D;

MeshShape line(int cells, int block_cells, bool periodic, int axis = 0, int dims = 1)
{
  MeshShape s;
  s.tree.dims = dims;
  s.tree.root = {1, 1, 1};
  s.tree.root[static_cast<std::size_t>(axis)] = cells / block_cells;
  s.tree.periodic = {periodic, periodic, periodic};
  s.tree.max_level = 0;
  s.block_cells = block_cells;
  return s;
}

// Sod's shock tube (gamma = 1.4) along `axis`, interface at 0.5.
Primitive sod(const std::array<double, 3>& x, int axis)
{
  Primitive w;
  const bool left = x[static_cast<std::size_t>(axis)] < 0.5;
  w.rho = left ? 1.0 : 0.125;
  w.p = left ? 1.0 : 0.1;
  return w;
}

HydroParams sod_params(RiemannSolver riemann)
{
  HydroParams p;
  p.gamma = 1.4;
  p.cfl = 0.4;
  p.riemann = riemann;
  return p;
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
SodResult run_sod(int cells, int block_cells, RiemannSolver riemann, int axis = 0, int dims = 1)
{
  Simulation sim(line(cells, block_cells, false, axis, dims), sod_params(riemann), all(Boundary::outflow));
  set_primitive_state(sim.mesh, sim.u, 1.4, [&](const auto& x) { return sod(x, axis); });
  sim.run_to(sod_time);
  const ExactRiemann exact({1, 0, 1}, {0.125, 0, 0.1}, 1.4);
  SodResult r;
  double count = 0;
  const std::size_t a = static_cast<std::size_t>(axis);
  sim.for_each_cell(density, [&](const auto& x, double rho, const auto& host, Index b, Index k, Index j, Index i) {
    r.l1_density += std::abs(rho - exact.sample((x[a] - 0.5) / sod_time).rho) / sim.mesh.cells();
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
    SCOPED_TRACE(riemann == RiemannSolver::hllc ? "hllc" : "hlle");
    std::printf("Sod %s: L1(rho) %.3e (128) %.3e (256); p* %.6f u* %.6f (exact 0.303130 0.927453)\n",
                riemann == RiemannSolver::hllc ? "hllc" : "hlle", coarse.l1_density, fine.l1_density,
                fine.star_pressure, fine.star_velocity);
    EXPECT_LT(fine.l1_density, 0.006);
    EXPECT_LT(fine.l1_density, 0.7 * coarse.l1_density);
    EXPECT_NEAR(fine.star_pressure, 0.30313017805065, 5e-4 * 0.303);
    EXPECT_NEAR(fine.star_velocity, 0.92745262004895, 5e-4 * 0.927);
  }
}

TEST(Sod, SameAlongEveryAxis)
{
  const auto x = run_sod(64, 8, RiemannSolver::hllc, 0, 3);
  const auto y = run_sod(64, 8, RiemannSolver::hllc, 1, 3);
  const auto z = run_sod(64, 8, RiemannSolver::hllc, 2, 3);
  const auto one_d = run_sod(64, 8, RiemannSolver::hllc, 0, 1);
  for (const auto& r : {x, y, z}) {
    EXPECT_NEAR(r.l1_density, one_d.l1_density, 1e-12);
    EXPECT_NEAR(r.star_pressure, one_d.star_pressure, 1e-12);
  }
}

// A sound wave (gamma = 5/3, rho = 1, p = 0.6: c = 1) or an entropy wave (advected at v = 1)
// of amplitude 1e-6 along x, one period on [0, 1]; the L1 density error against the start.
double wave_error(int cells, bool sound, int scalars = 0)
{
  MeshShape shape = line(cells, 16, true);
  shape.scalars = scalars;
  HydroParams params;
  params.cfl = 0.4;
  Simulation sim(shape, params, all(Boundary::periodic));
  const double amplitude = 1e-6, k = 2 * std::numbers::pi;
  const auto state = [&](const std::array<double, 3>& x) {
    Primitive w;
    const double s = amplitude * std::sin(k * x[0]);
    w.rho = 1 + s;
    w.vn = sound ? s : 1.0;
    w.p = sound ? 0.6 + s : 0.6;
    w.s[0] = 1 + 0.5 * std::sin(k * x[0]);
    return w;
  };
  set_primitive_state(sim.mesh, sim.u, params.gamma, state);
  sim.run_to(1.0);
  double error = 0;
  const int v = scalars > 0 ? first_scalar : density;
  sim.for_each_cell(v, [&](const auto& x, double value, const auto& host, Index b, Index kk, Index j, Index i) {
    const auto w = state(x);
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

// A 2-D state with structure everywhere (a shear layer with a perturbation), on 1 block of
// 32^2 and on 4 x 4 blocks of 8^2: the same bits after 20 steps; totals conserved.
Primitive shear(const std::array<double, 3>& x)
{
  return testing::shear_layer(x, 0.01);
}

MeshShape square(int blocks_per_axis, int block_cells)
{
  MeshShape s;
  s.tree.dims = 2;
  s.tree.root = {blocks_per_axis, blocks_per_axis, 1};
  s.tree.periodic = {true, true, true};
  s.tree.max_level = 0;
  s.block_cells = block_cells;
  s.scalars = 1;
  return s;
}

TEST(Blocks, OneBlockAndManyBlocksAgreeBitwise)
{
  for (auto riemann : {RiemannSolver::hllc, RiemannSolver::hlle}) {
    HydroParams params;
    params.riemann = riemann;
    Simulation one(square(1, 32), params, all(Boundary::periodic));
    Simulation many(square(4, 8), params, all(Boundary::periodic));
    for (auto* sim : {&one, &many}) {
      set_primitive_state(sim->mesh, sim->u, params.gamma, shear);
      for (int s = 0; s < 20; ++s)
        sim->hydro.step(sim->u, sim->hydro.time_step(sim->u), sim->ghosts);
    }
    std::map<std::pair<double, double>, std::vector<double>> cells;
    for (int v = 0; v < one.mesh.variables(); ++v)
      one.for_each_cell(v, [&](const auto& x, double value, auto&&...) { cells[{x[0], x[1]}].push_back(value); });
    int compared = 0, different = 0;
    for (int v = 0; v < many.mesh.variables(); ++v)
      many.for_each_cell(v, [&](const auto& x, double value, auto&&...) {
        ++compared;
        if (cells.at({x[0], x[1]}).at(static_cast<std::size_t>(v)) != value) ++different;
      });
    EXPECT_EQ(compared, 32 * 32 * 6);
    EXPECT_EQ(different, 0);
  }
}

TEST(Conservation, PeriodicTotalsToRounding)
{
  HydroParams params;
  Simulation sim(square(4, 8), params, all(Boundary::periodic));
  set_primitive_state(sim.mesh, sim.u, params.gamma, shear);
  const auto before = sim.hydro.totals(sim.u);
  sim.run_to(0.5);
  const auto after = sim.hydro.totals(sim.u);
  EXPECT_GT(sim.steps, 20);
  for (int v = 0; v < sim.mesh.variables(); ++v) {
    const double scale = std::max(1.0, std::abs(before[static_cast<std::size_t>(v)]));
    EXPECT_NEAR(after[static_cast<std::size_t>(v)], before[static_cast<std::size_t>(v)], 1e-13 * scale) << v;
  }
  EXPECT_EQ(sim.hydro.floors_applied(), 0);
}

// Einfeldt's 1-2-3 problem (two streams leaving the centre at Mach 2) has a near-vacuum
// between them (p about 0.002); with the pressure floor above that, the floor fires, is
// counted, and holds everywhere.
TEST(Floors, RaiseCellsAndAreCounted)
{
  HydroParams params;
  params.gamma = 1.4;
  params.pressure_floor = 0.05;
  Simulation sim(line(64, 16, false), params, all(Boundary::outflow));
  set_primitive_state(sim.mesh, sim.u, params.gamma, [](const std::array<double, 3>& x) {
    Primitive w;
    w.rho = 1;
    w.vn = x[0] < 0.5 ? -2.0 : 2.0;
    w.p = 0.4;
    return w;
  });
  sim.run_to(0.15);
  const auto floors = sim.hydro.floors_applied();
  double lowest = 1e300;
  sim.for_each_cell(energy, [&](const auto&, double e, const auto& host, Index b, Index k, Index j, Index i) {
    const double rho = host(b, density, k, j, i), m = host(b, momentum_x, k, j, i);
    lowest = std::min(lowest, (params.gamma - 1) * (e - 0.5 * m * m / rho));
  });
  std::printf("1-2-3 problem with a pressure floor of 0.05: %lld cells raised, lowest pressure %.6f\n",
              static_cast<long long>(floors), lowest);
  EXPECT_GT(floors, 0);
  EXPECT_GE(lowest, params.pressure_floor * (1 - 1e-12));
}

} // namespace
} // namespace tessera::amr
