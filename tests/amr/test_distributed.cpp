// SPDX-License-Identifier: Apache-2.0
// The same run on any number of ranks: a moving blob on a mesh that refines and derefines
// around it, run on every rank of MPI_COMM_WORLD (blocks split among the ranks, ghost cells,
// coarse-fine fluxes and remeshed blocks moved between them) and, as the reference, on each
// rank alone (MPI_COMM_SELF). Every cell of every rank's blocks must match the reference bit
// for bit, and the trees must be the same. Run at 1 and 2 ranks (ctest .np1 and .np2).
#include <cmath>
#include <cstring>
#include <memory>

#include <gtest/gtest.h>

#include "simulation.hpp"
#include "tessera/amr/ghost_exchange.hpp"

namespace tessera::amr {
namespace {

using testing::box_keys;
using testing::TestSimulation;
using testing::operator+;

// A blob (density 4 within 0.2 of (0.35, 0.35, 0.35), a blast of pressure 5 within 0.1 of
// it) moving at (1, 0.6, -0.4) through [0, 2] x [0, 1] x [0, 1]: 4 x 2 x 2 root blocks,
// two levels finer, a regrid every 2 steps. Periodic along x, reflecting below and outflow
// above along y and z: every kind of ghost.
Params blob_params(int dims)
{
  const int n = dims > 2 ? 4 : 8;
  return params_for<TestSimulation>(box_keys(dims, {4 * n, 2 * n, 2 * n}, n, "periodic") +
                                    std::vector<std::string>{"problem.kind=blob",
                                                             "blob.centre_x=0.35",
                                                             "blob.centre_y=0.35",
                                                             "blob.centre_z=0.35",
                                                             "blob.radius=0.2",
                                                             "blob.density=4",
                                                             "blob.hot_radius=0.1",
                                                             "blob.hot_pressure=5",
                                                             "blob.vx=1",
                                                             "blob.vy=0.6",
                                                             fmt::format("blob.vz={}", dims > 2 ? -0.4 : 0.0),
                                                             "mesh.x_max=2",
                                                             "mesh.boundary_y_lower=reflecting",
                                                             "mesh.boundary_y_upper=outflow",
                                                             "mesh.boundary_z_lower=reflecting",
                                                             "mesh.boundary_z_upper=outflow",
                                                             "mesh.max_level=2",
                                                             "hydro.scalars=1",
                                                             "refinement.interval=2",
                                                             "refinement.refine_threshold=0.5",
                                                             "refinement.derefine_threshold=0.15",
                                                             "run.t_end=1e9"});
}

std::unique_ptr<Simulation> evolve(int dims, const Comm& comm, int steps)
{
  auto run = std::make_unique<Simulation>(RunContext{comm}, blob_params(dims));
  for (int step = 1; step <= steps; ++step)
    run->advance(run->end());
  return run;
}

// Interior cells of this rank's blocks of `mine` that differ (as bits) from the same blocks
// of the one-rank `reference`.
std::int64_t differing_cells(const Simulation& mine, const Simulation& reference)
{
  const auto& mesh = mine.mesh();
  const auto& e = mesh.extent();
  const auto a = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mine.data());
  const auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), reference.data());
  const auto first = static_cast<Index>(mesh.first_block());
  std::int64_t differ = 0;
  for (Index block = 0; block < mesh.blocks(); ++block)
    for (int v = 0; v < mesh.variables(); ++v)
      for (Index k = e.begin[2]; k < e.end[2]; ++k)
        for (Index j = e.begin[1]; j < e.end[1]; ++j)
          for (Index i = e.begin[0]; i < e.end[0]; ++i) {
            const double x = a(block, v, k, j, i), y = b(first + block, v, k, j, i);
            differ += std::memcmp(&x, &y, sizeof x) != 0;
          }
  return differ;
}

void expect_same_run_on_any_ranks(int dims, int steps)
{
  const Comm world, alone(MPI_COMM_SELF);
  const auto distributed = evolve(dims, world, steps);
  const auto reference = evolve(dims, alone, steps);
  ASSERT_TRUE(distributed->mesh().leaves() == reference->mesh().leaves()) << "the trees differ";
  EXPECT_GT(distributed->mesh().shape().tree.max_level, 0);
  int levels = 0;
  for (const auto& leaf : reference->mesh().leaves())
    levels = std::max(levels, leaf.level);
  EXPECT_EQ(levels, 2) << "the blob should refine the mesh to its finest level";
  EXPECT_EQ(world.sum(static_cast<std::int64_t>(distributed->mesh().blocks())), reference->mesh().blocks());
  EXPECT_EQ(world.sum(differing_cells(*distributed, *reference)), 0);
  EXPECT_EQ(distributed->adaptive_run().floors_applied(), reference->adaptive_run().floors_applied());
}

TEST(Distributed, TwoDimensionalRunIsTheSameOnAnyNumberOfRanks)
{
  expect_same_run_on_any_ranks(2, 16);
}

TEST(Distributed, ThreeDimensionalRunIsTheSameOnAnyNumberOfRanks)
{
  expect_same_run_on_any_ranks(3, 6);
}

// The ghost exchange of a refined mesh split among the ranks, its boxes, faces and halo
// transfers cut for one-cell teams: every cell (ghosts and halo slots included) gets the same
// bits as with the default cut.
TEST(Distributed, GhostsCutForTeamsAreTheSameBits)
{
  const Comm world;
  const auto run = evolve(3, world, 2);
  const auto& mesh = run->mesh();
  const auto params = blob_params(3);
  BlockData whole = mesh.allocate("test::whole"), cut = mesh.allocate("test::cut");
  Kokkos::deep_copy(whole, run->data());
  Kokkos::deep_copy(cut, run->data());
  GhostExchange(mesh, params.boundaries).fill(whole);
  GhostExchange(mesh, params.boundaries, 1).fill(cut);
  const auto a = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), whole);
  const auto b = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), cut);
  std::int64_t differ = 0;
  for (std::size_t k = 0; k < a.size(); ++k)
    differ += std::memcmp(a.data() + k, b.data() + k, sizeof(double)) != 0;
  EXPECT_EQ(world.sum(differ), 0);
  EXPECT_GT(world.sum(static_cast<std::int64_t>(mesh.blocks())), 32) << "the mesh should be refined";
}

TEST(Distributed, LeavesAreSplitIntoContiguousRangesOfEqualCost)
{
  EXPECT_EQ(partition_leaves(10, 3), (std::vector<std::int64_t>{0, 4, 7, 10}));
  EXPECT_EQ(partition_leaves(2, 4), (std::vector<std::int64_t>{0, 1, 2, 2, 2}));
  const Comm world;
  const Mesh mesh(blob_params(2).shape, world);
  const auto first = partition_leaves(mesh.global_blocks(), world.size());
  EXPECT_EQ(mesh.first_block(), first[static_cast<std::size_t>(world.rank())]);
  for (std::int64_t leaf = 0; leaf < mesh.global_blocks(); ++leaf) {
    const int owner = mesh.owner_of(leaf);
    EXPECT_TRUE(first[static_cast<std::size_t>(owner)] <= leaf && leaf < first[static_cast<std::size_t>(owner) + 1]);
  }
}

} // namespace
} // namespace tessera::amr
