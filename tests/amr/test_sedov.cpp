// SPDX-License-Identifier: Apache-2.0
// The Sedov-Taylor blast in 3-D on the adaptive mesh, run by the driver's own Simulation
// (input text -> Config -> Params with the "sedov" generator's state -> the initial
// refinement around it -> advance(): steps with regrids). One octant of the sphere: the centre on the
// corner (0, 0, 0) of [0, 1]^3 with reflecting walls there and outflow elsewhere, so the
// domain holds 1/8 of a blast of 8 times sedov.energy. Checked: the shock radius against the
// similarity solution R = xi_0 (E t^2 / rho)^(1/5), the deposited energy and the conservation
// of energy and mass, the symmetry of the solution under permutations of the axes, and that
// the mesh refined around the shock.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "simulation.hpp"

namespace tessera::amr {
namespace {

// xi_0 of the 3-D (spherical) Sedov-Taylor solution for gamma = 5/3 (Kamm & Timmes 2007, "On
// efficient generation of numerically robust Sedov solutions", LA-UR-07-2849; Sedov 1959):
// R = xi_0 (E t^2 / rho)^(1/5) with E the energy of the whole blast. (1.03278 for gamma 1.4.)
constexpr double xi_0 = 1.15167;

// A root grid of 12^3 cells in blocks of 6^3 (2^3 blocks), refined up to twice: 48^3 at the
// finest level, dx = 1/48. Gamma 5/3, a cold ambient medium (rho 1, p 1e-5). Energy 1/8 in
// the domain (1 in the whole blast), deposited by the generator over its default radius of 3
// finest cells (0.0625): at t = 0.3 the shock is at R = 1.15167 * 0.3^0.4 = 0.7115, 11 deposit
// radii and 34 finest cells from the centre, 0.29 from the nearest outflow face. (Sized for a
// quarter of a minute in an optimised build on two cores; (64/48)^4 = 3 times that at dx = 1/64.)
const char* const input = R"(
[problem]
kind = "sedov"

[sedov]
energy = 0.125
density = 1.0
pressure = 1e-5

[mesh]
dims = 3
cells_x = 12
cells_y = 12
cells_z = 12
block_cells = 6
max_level = 2
boundary_x_lower = "reflecting"
boundary_x_upper = "outflow"
boundary_y_lower = "reflecting"
boundary_y_upper = "outflow"
boundary_z_lower = "reflecting"
boundary_z_upper = "outflow"

[hydro]
gamma = 1.6666666666666667
cfl = 0.3

[refinement]
interval = 4

[run]
t_end = 0.3
)";

// One interior cell on the host: its level, its index among the cells of that level, its
// centre and volume, and its conserved variables.
struct Cell {
  int level = 0;
  std::array<std::int64_t, 3> index{0, 0, 0};
  std::array<double, 3> x{0, 0, 0};
  double volume = 0;
  double rho = 0, e = 0;
  std::array<double, 3> m{0, 0, 0};
};

// What the run leaves behind, on the host (no Views: it outlives the tests that read it).
struct Outcome {
  double energy_domain = 0, rho0 = 0, p0 = 0, gamma = 0, t_end = 0, dx = 0;
  int max_level = 0, uniform_blocks = 0;
  double deposit = 0;                      // total energy minus the ambient thermal energy, at t = 0
  double energy_drift = 0, mass_drift = 0; // largest |total / initial - 1| over the run
  double ambient_near_outflow = 0;         // largest |rho / rho0 - 1| within 0.05 of an outflow face
  int steps = 0, regrids = 0, blocks = 0, initial_blocks = 0;
  std::vector<int> blocks_per_level;
  std::int64_t floors = 0;
  double seconds = 0;
  std::vector<Cell> cells;
};

std::vector<Cell> cells_of(const Mesh& mesh, const BlockData& u)
{
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), u);
  const auto origin = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.origin);
  const auto width = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.width);
  const auto& e = mesh.extent();
  std::vector<Cell> cells;
  cells.reserve(static_cast<std::size_t>(mesh.cells()));
  for (Index b = 0; b < mesh.blocks(); ++b) {
    const auto& loc = mesh.locations()[static_cast<std::size_t>(b)];
    for (Index k = e.begin[2]; k < e.end[2]; ++k)
      for (Index j = e.begin[1]; j < e.end[1]; ++j)
        for (Index i = e.begin[0]; i < e.end[0]; ++i) {
          Cell c;
          c.level = loc.level;
          const Index local[3] = {i - e.begin[0], j - e.begin[1], k - e.begin[2]};
          for (int a = 0; a < 3; ++a)
            c.index[static_cast<std::size_t>(a)] = loc.lx[static_cast<std::size_t>(a)] * e.n + local[a];
          c.x = cell_centre(e, origin, width, b, k, j, i);
          c.volume = width(b, 0) * width(b, 1) * width(b, 2);
          c.rho = host(b, density, k, j, i);
          c.m = {host(b, momentum_x, k, j, i), host(b, momentum_y, k, j, i), host(b, momentum_z, k, j, i)};
          c.e = host(b, energy, k, j, i);
          cells.push_back(c);
        }
  }
  return cells;
}

double radius(const Cell& c)
{
  return std::sqrt(c.x[0] * c.x[0] + c.x[1] * c.x[1] + c.x[2] * c.x[2]);
}

Outcome run_sedov()
{
  const auto start = std::chrono::steady_clock::now();
  const Config config = Config::parse(Simulation::schema(), input, "sedov-test");
  const Params params = Simulation::params(config);
  Outcome out;
  out.energy_domain = config.get_real("sedov.energy");
  out.rho0 = config.get_real("sedov.density");
  out.p0 = config.get_real("sedov.pressure");
  out.gamma = params.hydro.gamma;
  out.t_end = params.t_end;
  out.dx = finest_cell_width(params.shape);
  out.max_level = params.shape.tree.max_level;
  out.uniform_blocks =
      static_cast<int>(params.shape.tree.root[0] * params.shape.tree.root[1] * params.shape.tree.root[2]) *
      (1 << (3 * out.max_level));

  Simulation sim(testing::context(), params);
  out.initial_blocks = sim.mesh().blocks();
  const auto initial = sim.adaptive_run().totals();
  const double volume = 1.0; // [0, 1]^3
  out.deposit = initial[energy] - out.p0 / (out.gamma - 1) * volume;
  // After every step and the regrid it may bring: both must conserve.
  while (sim.position() < sim.end()) {
    sim.advance(sim.end());
    const auto now = sim.adaptive_run().totals();
    out.energy_drift = std::max(out.energy_drift, std::abs(now[energy] / initial[energy] - 1));
    out.mass_drift = std::max(out.mass_drift, std::abs(now[density] / initial[density] - 1));
  }
  out.steps = static_cast<int>(sim.step());
  out.regrids = static_cast<int>(sim.regrids());
  const auto& amr = sim.adaptive_run();
  out.blocks = amr.mesh().blocks();
  out.blocks_per_level.assign(static_cast<std::size_t>(out.max_level) + 1, 0);
  for (const auto& loc : amr.mesh().locations())
    ++out.blocks_per_level[static_cast<std::size_t>(loc.level)];
  out.floors = amr.floors_applied();
  out.cells = cells_of(amr.mesh(), amr.data());
  for (const auto& c : out.cells)
    if (std::max({c.x[0], c.x[1], c.x[2]}) > 1 - 0.05)
      out.ambient_near_outflow = std::max(out.ambient_near_outflow, std::abs(c.rho / out.rho0 - 1));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("Sedov: %d steps to t = %g, %d regrids changed the mesh, blocks %d at t = 0 -> %d at t_end (", out.steps,
              out.t_end, out.regrids, out.initial_blocks, out.blocks);
  for (std::size_t l = 0; l < out.blocks_per_level.size(); ++l)
    std::printf("%s%d", l > 0 ? "+" : "", out.blocks_per_level[l]);
  std::printf("; uniform level %d: %d), %lld floor corrections, %.2f s\n", out.max_level, out.uniform_blocks,
              static_cast<long long>(out.floors), out.seconds);
  return out;
}

// The run is shared by the tests below (it takes most of their time).
const Outcome& outcome()
{
  static const Outcome o = run_sedov();
  return o;
}

// The shock radius from the density alone: the volume-weighted mean density in thin spherical
// shells (width half a finest cell, cell centres binned by radius) gives a radial profile;
// outside its peak (the compressed shell behind the shock) the profile falls to rho0 across
// the shock, which the scheme smears over ~2-3 cells about its true position. The radius
// where the profile crosses halfway between the peak and rho0 on that outer flank (linear
// interpolation between shells) is the estimate: unlike the peak's position, which sits a
// cell or two behind the front and depends on how the scheme rounds the peak off, the
// half-height of the jump moves with the front itself.
struct ShockEstimate {
  double peak_radius = 0, peak_density = 0, half_height_radius = 0;
};

ShockEstimate shock_radius(const Outcome& o)
{
  const double h = 0.5 * o.dx;
  const auto shells = static_cast<std::size_t>(std::ceil(std::sqrt(3.0) / h)) + 1;
  std::vector<double> mass(shells, 0.0), volume(shells, 0.0);
  for (const auto& c : o.cells) {
    const auto s = static_cast<std::size_t>(radius(c) / h);
    mass[s] += c.rho * c.volume;
    volume[s] += c.volume;
  }
  std::vector<double> profile(shells, 0.0);
  std::size_t peak = 0;
  for (std::size_t s = 0; s < shells; ++s) {
    profile[s] = volume[s] > 0 ? mass[s] / volume[s] : 0.0;
    if (profile[s] > profile[peak]) peak = s;
  }
  ShockEstimate est;
  est.peak_radius = (static_cast<double>(peak) + 0.5) * h;
  est.peak_density = profile[peak];
  const double half = 0.5 * (profile[peak] + o.rho0);
  for (std::size_t s = peak + 1; s < shells; ++s)
    if (profile[s] < half) {
      const double r0 = (static_cast<double>(s) - 0.5) * h, f = (profile[s - 1] - half) / (profile[s - 1] - profile[s]);
      est.half_height_radius = r0 + f * h;
      break;
    }
  return est;
}

TEST(Sedov, ShockRadiusMatchesTheSimilaritySolution)
{
  const auto& o = outcome();
  const double e_full = 8 * o.energy_domain; // the octant holds 1/8 of the blast
  const double exact = xi_0 * std::pow(e_full * o.t_end * o.t_end / o.rho0, 0.2);
  const auto est = shock_radius(o);
  const double error = est.half_height_radius / exact - 1;
  std::printf("Sedov: R_exact = %.5f (xi_0 = %.5f, E = %g, t = %g); half-height R = %.5f (%+.2f%%, %+.2f finest "
              "cells), density peak %.3f at r = %.5f (strong-shock limit %.3f)\n",
              exact, xi_0, e_full, o.t_end, est.half_height_radius, 100 * error,
              (est.half_height_radius - exact) / o.dx, est.peak_density, est.peak_radius,
              (o.gamma + 1) / (o.gamma - 1) * o.rho0);
  // The front is 34 finest cells from the centre: one cell is 2.1% of R. The blast starts from
  // a deposit of 3 cells' radius rather than a point, and the scheme smears the front over a
  // few cells; the estimate lands 0.72 cells ahead of R here (0.74 cells at dx = 1/64 in a
  // trial run: an offset of fixed size in cells, so first order in dx). Allowed: 1.5 cells.
  EXPECT_LT(std::abs(est.half_height_radius - exact), 1.5 * o.dx);
  // The shell behind the shock is compressed (4 rho0 in the strong-shock limit; the scheme
  // rounds the narrow peak off) and sits just inside the front.
  EXPECT_GT(est.peak_density, 2.5 * o.rho0);
  EXPECT_LT(est.peak_radius, est.half_height_radius);
  EXPECT_GT(est.peak_radius, est.half_height_radius - 4 * o.dx);
}

TEST(Sedov, DepositsTheEnergyAndConservesIt)
{
  const auto& o = outcome();
  std::printf("Sedov: deposited energy %.15g (sedov.energy %.15g, relative %.2e); largest drift over the run: energy "
              "%.2e, mass %.2e; |rho/rho0 - 1| within 0.05 of the outflow faces %.2e\n",
              o.deposit, o.energy_domain, std::abs(o.deposit / o.energy_domain - 1), o.energy_drift, o.mass_drift,
              o.ambient_near_outflow);
  EXPECT_NEAR(o.deposit, o.energy_domain, 1e-12 * o.energy_domain);
  // The shock has not reached the outflow faces (the gas there is untouched), so nothing has
  // left, and the reflecting walls and the flux correction at level jumps conserve: the totals
  // drift by rounding alone, accumulated over ~430 steps and ~70 regrids of ~10^5 cells
  // (7e-13 here; the bound leaves room for another summation order, e.g. on a GPU).
  EXPECT_LT(o.ambient_near_outflow, 1e-12);
  EXPECT_LT(o.energy_drift, 3e-12);
  EXPECT_LT(o.mass_drift, 3e-12);
  EXPECT_EQ(o.floors, 0);
}

// The blast is symmetric under every permutation of the axes (the centre, the walls and the
// deposit all are), and so are the scheme's fluxes up to the order of floating-point sums:
// each cell's density and energy must equal those of the cell at its permuted position (on the
// same level: the refinement criterion is symmetric too), and its momentum the permuted
// momentum of that cell.
TEST(Sedov, SolutionIsSymmetricUnderAxisPermutations)
{
  const auto& o = outcome();
  std::map<std::array<std::int64_t, 4>, std::size_t> where;
  double m_max = 0;
  for (std::size_t n = 0; n < o.cells.size(); ++n) {
    const auto& c = o.cells[n];
    where[{c.level, c.index[0], c.index[1], c.index[2]}] = n;
    m_max = std::max({m_max, std::abs(c.m[0]), std::abs(c.m[1]), std::abs(c.m[2])});
  }
  const int permutations[5][3] = {{1, 0, 2}, {2, 1, 0}, {0, 2, 1}, {1, 2, 0}, {2, 0, 1}};
  int missing = 0;
  double rho_asymmetry = 0, e_asymmetry = 0, m_asymmetry = 0;
  for (const auto& sigma : permutations)
    for (const auto& c : o.cells) {
      // The image y of x has y_a = x_sigma(a); its velocity v(y)_a = v(x)_sigma(a).
      const auto found =
          where.find({c.level, c.index[static_cast<std::size_t>(sigma[0])], c.index[static_cast<std::size_t>(sigma[1])],
                      c.index[static_cast<std::size_t>(sigma[2])]});
      if (found == where.end()) {
        ++missing;
        continue;
      }
      const auto& d = o.cells[found->second];
      rho_asymmetry = std::max(rho_asymmetry, std::abs(d.rho - c.rho) / std::max(d.rho, c.rho));
      e_asymmetry = std::max(e_asymmetry, std::abs(d.e - c.e) / std::max(d.e, c.e));
      for (int a = 0; a < 3; ++a)
        m_asymmetry = std::max(
            m_asymmetry, std::abs(d.m[static_cast<std::size_t>(a)] - c.m[static_cast<std::size_t>(sigma[a])]) / m_max);
    }
  std::printf("Sedov: symmetry under the 5 axis permutations over %zu cells: %d without an image on their level; "
              "largest relative difference density %.2e, energy %.2e, momentum (of the largest) %.2e\n",
              o.cells.size(), missing, rho_asymmetry, e_asymmetry, m_asymmetry);
  EXPECT_EQ(missing, 0);
  // Floating-point summation order (the x, y and z flux differences are added in a fixed
  // order) breaks the symmetry at the level of rounding, which the limiter could amplify over
  // the run's steps; what the run shows is 4e-15 (density), 4e-14 (energy), 3e-15
  // (momentum): the bound leaves four orders of magnitude for other compilers and devices.
  EXPECT_LT(rho_asymmetry, 1e-10);
  EXPECT_LT(e_asymmetry, 1e-10);
  EXPECT_LT(m_asymmetry, 1e-10);
}

// The finest level follows the shock: every cell in a shell of +-2 finest cells about the
// measured front is on it, and so is the densest cell; the ambient gas well ahead of the front
// is not, and the mesh is smaller than a uniform one at the finest level. (Not by much: behind
// the front the density falls steeply towards the centre and the estimator keeps the finest
// level over much of that (55% of the domain's volume at t_end); what the adaptivity saves at
// this size is mostly the medium ahead of the shock: 40% of the blocks at t_end.)
TEST(Sedov, MeshIsRefinedAroundTheShock)
{
  const auto& o = outcome();
  const double front = shock_radius(o).half_height_radius;
  // Ahead: beyond the front by more than the diagonal of a sibling set of finest blocks (one
  // block of the level above: 12 finest cells * sqrt 3), which merges only as a whole, and the
  // estimator's buffer cell. Finest blocks there would be refined without cause.
  const double ahead = front + 12 * std::sqrt(3.0) * o.dx + 2 * o.dx;
  double shell = 0, shell_finest = 0, outside = 0, outside_finest = 0, finest = 0;
  const Cell* densest = &o.cells.front();
  for (const auto& c : o.cells) {
    if (c.rho > densest->rho) densest = &c;
    if (c.level == o.max_level) finest += c.volume;
    if (std::abs(radius(c) - front) < 2 * o.dx) {
      shell += c.volume;
      if (c.level == o.max_level) shell_finest += c.volume;
    }
    if (radius(c) > ahead) {
      outside += c.volume;
      if (c.level == o.max_level) outside_finest += c.volume;
    }
  }
  std::printf(
      "Sedov: the finest level covers %.1f%% of the shell |r - %.4f| < 2 dx, %.1f%% of the volume beyond r = "
      "%.3f (volume %.3f), %.1f%% of the domain; densest cell (rho %.3f at r = %.4f) on level %d; %d blocks against %d "
      "uniform (%.1f%%)\n",
      100 * shell_finest / shell, front, 100 * outside_finest / outside, ahead, outside, 100 * finest, densest->rho,
      radius(*densest), densest->level, o.blocks, o.uniform_blocks, 100.0 * o.blocks / o.uniform_blocks);
  EXPECT_GT(shell, 0);
  EXPECT_EQ(shell_finest, shell);
  EXPECT_EQ(densest->level, o.max_level);
  EXPECT_GT(outside, 0.1); // the corner of the domain: 0.2 of its volume
  EXPECT_EQ(outside_finest, 0);
  EXPECT_LT(3 * o.blocks, 2 * o.uniform_blocks);
}

} // namespace
} // namespace tessera::amr
