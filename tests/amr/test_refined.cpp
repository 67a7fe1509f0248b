// SPDX-License-Identifier: Apache-2.0
// Statically refined meshes: ghost cells across levels reproduce a linear field exactly
// (copies, restriction and limited prolongation are exact for it) on random 2:1-balanced
// trees; flux correction conserves every total to rounding with refinement (the driver's
// Simulation on a mesh refined around random points, never regridded); Sod with the
// interface region refined (refinement.region_*) is closer to the exact solution than the
// coarse uniform mesh.
#include <cmath>
#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "exact_riemann.hpp"
#include "simulation.hpp"

namespace tessera::amr {
namespace {

using testing::box_keys;
using testing::context;
using testing::for_each_cell;
using testing::run_to_end;
using testing::TestSimulation;
using testing::operator+;

// Refines random leaves of a root grid of blocks (the tree keeps the 2:1 rule).
BlockTree random_tree(const TreeShape& shape, int refinements, unsigned seed)
{
  BlockTree tree(shape);
  std::mt19937 random(seed);
  for (int r = 0; r < refinements; ++r) {
    const auto leaves = tree.leaves();
    tree.refine(leaves[std::uniform_int_distribution<std::size_t>(0, leaves.size() - 1)(random)]);
  }
  return tree;
}

double linear(const std::array<double, 3>& x, int v)
{
  return 1.0 + v + 0.3 * x[0] - 0.7 * x[1] + 0.45 * x[2];
}

TEST(GhostCells, LinearFieldExactAcrossLevels)
{
  for (int dims : {1, 2, 3}) {
    for (unsigned seed = 1; seed <= 4; ++seed) {
      const int n = dims == 3 ? 4 : 8;
      const auto p = params_for<Simulation>(box_keys(dims, {3 * n, 3 * n, 3 * n}, n, "outflow") +
                                            std::vector<std::string>{"problem.kind=sod", "mesh.max_level=3",
                                                                     "mesh.x_max=3", "mesh.y_max=3", "mesh.z_max=3"});
      const auto& shape = p.shape;
      Mesh mesh(shape, random_tree(shape.tree, dims == 3 ? 12 : 20, seed));
      // Even seeds cut the ghost boxes into layers of one cell (as large blocks are cut into
      // boxes of ghost_cells_per_team cells): the same values.
      GhostExchange exchange(mesh, p.boundaries, seed % 2 == 0 ? 1 : ghost_cells_per_team);
      BlockData u = mesh.allocate("test::u");
      // Interior cells only; every ghost cell then comes from the exchange.
      auto host = Kokkos::create_mirror_view(u);
      const auto origin = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.origin);
      const auto width = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.width);
      const auto& e = mesh.extent();
      const auto inside = [&](Index k, Index j, Index i) {
        const Index idx[3] = {i, j, k};
        for (int a = 0; a < dims; ++a)
          if (idx[a] < e.begin[a] || idx[a] >= e.end[a]) return false;
        return true;
      };
      for (Index b = 0; b < mesh.blocks(); ++b)
        for (Index k = 0; k < e.cells[2]; ++k)
          for (Index j = 0; j < e.cells[1]; ++j)
            for (Index i = 0; i < e.cells[0]; ++i)
              for (int v = 0; v < mesh.variables(); ++v)
                host(b, v, k, j, i) = inside(k, j, i) ? linear(cell_centre(e, origin, width, b, k, j, i), v) : -99;
      Kokkos::deep_copy(u, host);
      exchange.fill(u);
      Kokkos::deep_copy(host, u);
      // Ghost cells whose stencils stay clear of the physical boundary (outflow is constant,
      // not linear): 2 root-level cells of margin.
      const double margin = 2 * mesh.cell_width(0)[0];
      int checked = 0, wrong = 0;
      for (Index b = 0; b < mesh.blocks(); ++b)
        for (Index k = 0; k < e.cells[2]; ++k)
          for (Index j = 0; j < e.cells[1]; ++j)
            for (Index i = 0; i < e.cells[0]; ++i) {
              if (inside(k, j, i)) continue;
              const auto x = cell_centre(e, origin, width, b, k, j, i);
              bool clear = true;
              for (int a = 0; a < dims; ++a)
                clear = clear && x[a] > margin && x[a] < shape.upper[a] - margin;
              if (!clear) continue;
              for (int v = 0; v < mesh.variables(); ++v) {
                ++checked;
                if (std::abs(host(b, v, k, j, i) - linear(x, v)) > 1e-12) ++wrong;
              }
            }
      SCOPED_TRACE(::testing::Message() << dims << "-D, seed " << seed << ", " << mesh.blocks() << " blocks");
      EXPECT_GT(checked, 100);
      EXPECT_EQ(wrong, 0);
    }
  }
}

// Ghost boxes and boundary faces cut for one-cell teams fill every cell (physical boundaries,
// outflow and reflecting, included) with the same bits as the default cut.
TEST(GhostCells, CutForTeamsFillsTheSameBits)
{
  for (int dims : {2, 3}) {
    const int n = dims == 3 ? 4 : 8;
    auto keys = box_keys(dims, {3 * n, 3 * n, 3 * n}, n, "outflow") +
                std::vector<std::string>{"problem.kind=sod", "mesh.max_level=3", "mesh.x_max=3", "mesh.y_max=3",
                                         "mesh.z_max=3"};
    for (auto& key : keys)
      if (key == "mesh.boundary_x_upper=outflow" || key == "mesh.boundary_y_lower=outflow")
        key.replace(key.find('=') + 1, std::string::npos, "reflecting");
    const auto p = params_for<Simulation>(keys);
    Mesh mesh(p.shape, random_tree(p.shape.tree, dims == 3 ? 12 : 20, 5));
    BlockData u = mesh.allocate("test::u");
    auto host = Kokkos::create_mirror_view(u);
    std::mt19937 random(11);
    std::uniform_real_distribution<double> value(0.5, 1.5);
    for (std::size_t k = 0; k < host.size(); ++k)
      host.data()[k] = value(random);
    BlockData whole = mesh.allocate("test::whole"), cut = mesh.allocate("test::cut");
    Kokkos::deep_copy(whole, host);
    Kokkos::deep_copy(cut, host);
    GhostExchange(mesh, p.boundaries).fill(whole);
    GhostExchange(mesh, p.boundaries, 1).fill(cut);
    const auto a = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), whole);
    const auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), cut);
    int differ = 0, changed = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
      differ += a.data()[k] != b.data()[k];
      changed += a.data()[k] != host.data()[k];
    }
    SCOPED_TRACE(::testing::Message() << dims << "-D, " << mesh.blocks() << " blocks");
    EXPECT_GT(changed, 1000); // the exchange did fill ghosts
    EXPECT_EQ(differ, 0);
  }
}

// A shear layer on a periodic mesh refined around random points (the tree is kept: no
// regrids), 2-D and 3-D: every total conserved to rounding through the coarse-fine faces.
TEST(Conservation, RefinedPeriodicMeshToRounding)
{
  for (int dims : {2, 3}) {
    const int n = dims == 3 ? 4 : 8;
    const auto params = params_for<TestSimulation>(
        box_keys(dims, {4 * n, 4 * n, 2 * n}, n, "periodic") +
        std::vector<std::string>{"problem.kind=shear_layer", "shear.amplitude=0.05",
                                 fmt::format("shear.random_regions={}", dims == 3 ? 6 : 10), "shear.seed=7",
                                 "mesh.max_level=2", "refinement.refine_threshold=1", "refinement.derefine_threshold=0",
                                 "hydro.scalars=1", fmt::format("run.t_end={}", dims == 3 ? 0.05 : 0.2)});
    Simulation sim(context(), params);
    const auto before = sim.adaptive_run().totals();
    run_to_end(sim);
    const auto after = sim.adaptive_run().totals();
    int levels = 0;
    for (const auto& leaf : sim.mesh().leaves())
      levels = std::max(levels, leaf.level);
    SCOPED_TRACE(::testing::Message() << dims << "-D, " << sim.mesh().blocks() << " blocks, " << sim.step()
                                      << " steps");
    EXPECT_GT(levels, 0) << "the random points should have refined the mesh";
    EXPECT_GT(sim.step(), 5);
    for (int v = 0; v < sim.mesh().variables(); ++v) {
      const double scale = std::max(1.0, std::abs(before[static_cast<std::size_t>(v)]));
      EXPECT_NEAR(after[static_cast<std::size_t>(v)], before[static_cast<std::size_t>(v)], 1e-13 * scale) << v;
    }
    EXPECT_EQ(sim.adaptive_run().floors_applied(), 0);
  }
}

// The stage kernel with teams of two threads (hydro.host_team_threads = 2: each tile's phases
// split between threads, with the barriers and the thread-to-item mapping the GPU uses) gives
// the same bits as one thread per team, on refined meshes (faces between levels): 2-D in blocks
// of 16^2 (two tiles per block) with a scalar (the kernel of up to 9 variables), 3-D without
// (the 5-variable kernel, with z faces).
TEST(StageKernel, TeamsOfTwoThreadsGiveTheSameBits)
{
  // (if constexpr: a host lambda's team_size_max would instantiate a device kernel on CUDA)
  int most = 1;
  if constexpr (device_is_host)
    most = TeamPolicy(ExecSpace(), 1, 1).team_size_max([](const TeamMember&) {}, Kokkos::ParallelForTag());
  if (most < 2) GTEST_SKIP() << "needs a host backend whose teams have 2 threads";
  for (int dims : {2, 3}) {
    const int n = dims == 3 ? 4 : 16;
    std::vector<std::vector<double>> cells(2);
    for (int threads : {1, 2}) {
      const auto params = params_for<TestSimulation>(
          box_keys(dims, {4 * n, 4 * n, 2 * n}, n, "periodic") +
          std::vector<std::string>{"problem.kind=shear_layer", "shear.amplitude=0.05", "shear.random_regions=6",
                                   "shear.seed=7", "mesh.max_level=2", "refinement.refine_threshold=1",
                                   "refinement.derefine_threshold=0",
                                   fmt::format("hydro.scalars={}", dims == 3 ? 0 : 1),
                                   fmt::format("hydro.host_team_threads={}", threads), "run.t_end=1e9"});
      Simulation sim(context(), params);
      for (int s = 0; s < 6; ++s)
        sim.advance(sim.end());
      EXPECT_GT(sim.mesh().blocks(), 4 * 4 * (dims == 3 ? 2 : 1)) << "the random points should have refined the mesh";
      auto& out = cells[static_cast<std::size_t>(threads - 1)];
      for (int v = 0; v < sim.mesh().variables(); ++v)
        for_each_cell(sim, v, [&](const auto&, double value, auto&&...) { out.push_back(value); });
    }
    SCOPED_TRACE(::testing::Message() << dims << "-D, " << cells[0].size() << " values");
    ASSERT_EQ(cells[0].size(), cells[1].size());
    int different = 0;
    for (std::size_t c = 0; c < cells[0].size(); ++c)
      different += cells[0][c] != cells[1][c];
    EXPECT_EQ(different, 0);
  }
}

// Sod on 128 root cells (8 blocks of 16) with the blocks from the rarefaction to the shock
// refined twice (refinement.region_* over (0.2, 0.9), the estimator off): closer to the
// exact solution than the uniform 128-cell mesh.
TEST(Sod, RefinedInterfaceRegionIsMoreAccurate)
{
  const auto l1_error = [](int refine_levels) {
    Simulation sim(context(),
                   params_for<Simulation>(
                       box_keys(1, {128, 16, 16}, 16, "outflow") +
                       std::vector<std::string>{"problem.kind=sod", "mesh.max_level=2",
                                                fmt::format("refinement.region_level={}", refine_levels),
                                                "refinement.region_x_min=0.2", "refinement.region_x_max=0.9",
                                                "refinement.refine_threshold=1", "refinement.derefine_threshold=0",
                                                "hydro.gamma=1.4", "hydro.cfl=0.4", "run.t_end=0.2"}));
    run_to_end(sim);
    const testing::ExactRiemann exact({1, 0, 1}, {0.125, 0, 0.1}, 1.4);
    double error = 0;
    const auto width = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sim.mesh().width);
    testing::for_each_cell(sim, density, [&](const auto& x, double rho, const auto&, Index b, auto&&...) {
      error += std::abs(rho - exact.sample((x[0] - 0.5) / 0.2).rho) * width(b, 0);
    });
    std::printf("Sod, 128 root cells refined %d times around the waves: %d blocks, L1(rho) %.3e\n", refine_levels,
                sim.mesh().blocks(), error);
    return error;
  };
  const double uniform = l1_error(0), once = l1_error(1), twice = l1_error(2);
  EXPECT_LT(once, 0.75 * uniform);
  EXPECT_LT(twice, 0.75 * once);
}

} // namespace
} // namespace tessera::amr
