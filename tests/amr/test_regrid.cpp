// SPDX-License-Identifier: Apache-2.0
// Regridding: the data survive refinement and derefinement (a linear field exactly, every
// total to rounding), and a run with the estimator refines where a blob is and derefines
// where it was, conserving mass, momentum, energy and the scalar to rounding throughout.
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include <gtest/gtest.h>

#include "simulation.hpp"
#include "tessera/amr/remesh.hpp"

namespace tessera::amr {
namespace {

using testing::box_keys;
using testing::context;
using testing::TestSimulation;
using testing::operator+;

double linear(const std::array<double, 3>& x, int v)
{
  return 2.0 + v + 0.3 * x[0] - 0.7 * x[1] + 0.45 * x[2];
}

// 4 root blocks along each active axis of [0, 4]^dims, up to two levels finer, one scalar.
Params box_of_blocks(int dims, const std::string& boundary)
{
  const int n = dims > 2 ? 4 : 8;
  return params_for<Simulation>(box_keys(dims, {4 * n, 4 * n, 4 * n}, n, boundary) +
                                std::vector<std::string>{"problem.kind=sod", "mesh.max_level=2", "hydro.scalars=1",
                                                         "mesh.x_max=4", "mesh.y_max=4", "mesh.z_max=4"});
}

// Interior cells of every block of `mesh` on the host, as f(x, v, value).
template <class F>
void for_each_interior(const Mesh& mesh, const BlockData& u, const F& f)
{
  testing::for_each_interior_cell(
      mesh, u, [&](const std::array<double, 3>& x, const auto& host, Index b, Index k, Index j, Index i) {
        for (int v = 0; v < mesh.variables(); ++v)
          f(x, v, host(b, v, k, j, i));
      });
}

Primitive shear(const std::array<double, 3>& x)
{
  Primitive w;
  w.rho = 1.5 + 0.5 * std::sin(std::numbers::pi * x[0]) * std::cos(std::numbers::pi * x[1]);
  w.vn = 0.3 * std::sin(std::numbers::pi * x[1]);
  w.vt1 = -0.2;
  w.p = 1.0 + 0.2 * std::cos(std::numbers::pi * x[0]);
  w.s[0] = x[0] < 2 ? 1.0 : 0.0;
  return w;
}

TEST(Regrid, RandomRefineAndDerefineConserveTotalsAndLinearFields)
{
  for (int dims : {1, 2, 3}) {
    std::mt19937 random(11);
    const auto p = box_of_blocks(dims, "periodic");
    const MeshShape& shape = p.shape;
    const HydroParams& params = p.hydro;
    auto mesh = std::make_unique<Mesh>(shape);
    BlockData u = mesh->allocate("test::u");
    set_primitive_state(*mesh, u, 1.4, shear);
    double mass = Hydro(*mesh, params).totals(u)[0];
    for (int round = 0; round < 6; ++round) {
      BlockTree tree = mesh->tree();
      const auto leaves = tree.leaves();
      for (int r = 0; r < 4; ++r) { // refine some, merge some (2:1 kept by the tree)
        const auto& leaf = leaves[std::uniform_int_distribution<std::size_t>(0, leaves.size() - 1)(random)];
        if (tree.is_leaf(leaf)) tree.refine(leaf);
        const auto& other = leaves[std::uniform_int_distribution<std::size_t>(0, leaves.size() - 1)(random)];
        if (other.level > 0) tree.derefine(other.parent());
      }
      GhostExchange(*mesh, p.boundaries).fill(u);
      auto next = std::make_unique<Mesh>(shape, std::move(tree));
      u = remesh(*mesh, u, *next);
      mesh = std::move(next);
      const auto totals = Hydro(*mesh, params).totals(u);
      SCOPED_TRACE(::testing::Message() << dims << "-D, round " << round << ", " << mesh->blocks() << " blocks");
      EXPECT_NEAR(totals[0], mass, 1e-13 * mass);
      mass = totals[0];
    }
    // A linear field (non-periodic, so no wrap) through one more refine and merge: exact
    // away from the boundary, where the old ghost cells are outflow copies.
    const MeshShape open = box_of_blocks(dims, "outflow").shape;
    Mesh coarse(open);
    BlockData lin = coarse.allocate("test::linear");
    set_primitive_state(coarse, lin, 1.4, [](const auto&) { return Primitive{}; });
    {
      auto host = Kokkos::create_mirror_view(lin);
      const auto origin = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), coarse.origin);
      const auto width = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), coarse.width);
      const auto& e = coarse.extent();
      for (Index b = 0; b < coarse.blocks(); ++b)
        for (Index k = 0; k < e.cells[2]; ++k)
          for (Index j = 0; j < e.cells[1]; ++j)
            for (Index i = 0; i < e.cells[0]; ++i)
              for (int v = 0; v < coarse.variables(); ++v)
                host(b, v, k, j, i) = linear(cell_centre(e, origin, width, b, k, j, i), v);
      Kokkos::deep_copy(lin, host);
    }
    BlockTree refined = coarse.tree();
    for (const auto& leaf : coarse.tree().leaves())
      if (leaf.lx[0] == 1 || leaf.lx[0] == 2) refined.refine(leaf);
    Mesh fine(open, refined);
    const BlockData fine_data = remesh(coarse, lin, fine);
    int wrong = 0, checked = 0;
    for_each_interior(fine, fine_data, [&](const auto& x, int v, double value) {
      for (int a = 0; a < dims; ++a)
        if (x[a] < 1 || x[a] > 3) return;
      ++checked;
      if (std::abs(value - linear(x, v)) > 1e-12) ++wrong;
    });
    EXPECT_GT(checked, 0);
    EXPECT_EQ(wrong, 0) << dims << "-D prolongation";
    const BlockData back = remesh(fine, fine_data, coarse);
    wrong = 0;
    for_each_interior(coarse, back, [&](const auto& x, int v, double value) {
      for (int a = 0; a < dims; ++a)
        if (x[a] < 1 || x[a] > 3) return;
      if (std::abs(value - linear(x, v)) > 1e-12) ++wrong;
    });
    EXPECT_EQ(wrong, 0) << dims << "-D restriction";
  }
}

// A dense disc carried across a periodic 2-D box by a uniform flow (v = (1, 0.5)): the mesh
// follows it (refined where it is, merged where it was) and every total is conserved.
TEST(Regrid, FollowsAnAdvectedBlobConservingEverything)
{
  const auto params = params_for<TestSimulation>(
      box_keys(2, {32, 32, 32}, 8, "periodic") +
      std::vector<std::string>{"problem.kind=blob", "blob.centre_x=0.3", "blob.centre_y=0.3", "blob.radius=0.12",
                               "blob.density=5", "blob.vx=1", "blob.vy=0.5", "mesh.max_level=2", "hydro.scalars=1",
                               "refinement.interval=4", "refinement.refine_threshold=0.5",
                               "refinement.derefine_threshold=0.15", "run.t_end=0.4"});
  const int max_level = params.shape.tree.max_level;
  Simulation run(context(), params); // the initial mesh fitted to the state
  const auto finest_near = [&](double cx, double cy) {
    int near = 0, far = 0;
    const auto& mesh = run.mesh();
    for (const auto& loc : mesh.locations()) {
      if (loc.level != max_level) continue;
      const double size = 1.0 / (4 << loc.level);
      const double x = (static_cast<double>(loc.lx[0]) + 0.5) * size, y = (static_cast<double>(loc.lx[1]) + 0.5) * size;
      const double dx = std::remainder(x - cx, 1.0), dy = std::remainder(y - cy, 1.0);
      // Near: within the disc's radius (0.12) plus one level-1 block (0.125: a merge needs all
      // four siblings quiet) plus a finest block's half diagonal (0.044).
      (std::sqrt(dx * dx + dy * dy) < 0.3 ? near : far) += 1;
    }
    return std::pair{near, far};
  };
  const auto [near0, far0] = finest_near(0.3, 0.3);
  EXPECT_GT(near0, 0);
  EXPECT_EQ(far0, 0);
  const auto before = run.adaptive_run().totals();
  testing::run_to_end(run);
  const auto after = run.adaptive_run().totals();
  const auto changes = run.regrids();
  const auto [near1, far1] = finest_near(0.7, 0.5);
  std::printf("blob: %lld regrids changed the mesh in %lld steps; finest blocks near the blob %d, far %d; %d blocks\n",
              static_cast<long long>(changes), static_cast<long long>(run.step()), near1, far1, run.mesh().blocks());
  EXPECT_GT(changes, 2);
  EXPECT_GT(near1, 0);
  EXPECT_EQ(far1, 0);
  for (int v = 0; v < run.mesh().variables(); ++v) {
    const double scale = std::max(1.0, std::abs(before[static_cast<std::size_t>(v)]));
    EXPECT_NEAR(after[static_cast<std::size_t>(v)], before[static_cast<std::size_t>(v)], 1e-13 * scale) << v;
  }
  EXPECT_EQ(run.adaptive_run().floors_applied(), 0);
}

} // namespace
} // namespace tessera::amr
