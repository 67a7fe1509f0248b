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
#include "tessera/amr/adaptive_run.hpp"

namespace tessera::amr {
namespace {

Primitive blob(const std::array<double, 3>& x, int dims)
{
  Primitive w;
  double r2 = 0;
  for (int a = 0; a < dims; ++a)
    r2 += (x[a] - 0.35) * (x[a] - 0.35);
  w.rho = r2 < 0.2 * 0.2 ? 4.0 : 1.0; // sharp edges to refine on
  w.vn = 1.0;
  w.vt1 = 0.6;
  w.vt2 = dims > 2 ? -0.4 : 0.0;
  w.p = r2 < 0.1 * 0.1 ? 5.0 : 1.0; // and a blast inside it
  w.s[0] = w.rho - 1;
  return w;
}

MeshShape shape_of(int dims)
{
  MeshShape shape;
  shape.tree.dims = dims;
  shape.tree.root = {4, dims > 1 ? 2 : 1, dims > 2 ? 2 : 1};
  shape.tree.periodic = {true, false, false};
  shape.tree.max_level = 2;
  shape.block_cells = dims > 2 ? 4 : 8;
  shape.upper = {2, 1, 1};
  shape.scalars = 1;
  return shape;
}

// Periodic along x, reflecting below and outflow above along y and z: every kind of ghost.
BoundaryConditions boundaries()
{
  return {{{Boundary::periodic, Boundary::periodic},
           {Boundary::reflecting, Boundary::outflow},
           {Boundary::reflecting, Boundary::outflow}}};
}

std::unique_ptr<AdaptiveRun> evolve(int dims, const Comm& comm, int steps)
{
  RefinementParams refinement;
  refinement.interval = 2;
  refinement.refine_threshold = 0.5;
  refinement.derefine_threshold = 0.15;
  HydroParams params;
  const auto shape = shape_of(dims);
  auto run = std::make_unique<AdaptiveRun>(shape, BlockTree(shape.tree), params, boundaries(), refinement, comm);
  const auto state = [dims](const std::array<double, 3>& x) { return blob(x, dims); };
  for (int pass = 0; pass <= shape.tree.max_level; ++pass) {
    BlockData u = run->mesh().allocate("test::u");
    set_primitive_state(run->mesh(), u, params.gamma, state);
    run->set_data(u);
    if (pass == shape.tree.max_level || !run->regrid()) break;
  }
  for (int step = 1; step <= steps; ++step) {
    run->step(run->time_step());
    if (step % refinement.interval == 0) run->regrid();
  }
  return run;
}

// Interior cells of this rank's blocks of `mine` that differ (as bits) from the same blocks
// of the one-rank `reference`.
std::int64_t differing_cells(const AdaptiveRun& mine, const AdaptiveRun& reference)
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
  EXPECT_EQ(distributed->floors_applied(), reference->floors_applied());
}

TEST(Distributed, TwoDimensionalRunIsTheSameOnAnyNumberOfRanks)
{
  expect_same_run_on_any_ranks(2, 16);
}

TEST(Distributed, ThreeDimensionalRunIsTheSameOnAnyNumberOfRanks)
{
  expect_same_run_on_any_ranks(3, 6);
}

TEST(Distributed, LeavesAreSplitIntoContiguousRangesOfEqualCost)
{
  EXPECT_EQ(partition_leaves(10, 3), (std::vector<std::int64_t>{0, 4, 7, 10}));
  EXPECT_EQ(partition_leaves(2, 4), (std::vector<std::int64_t>{0, 1, 2, 2, 2}));
  const Comm world;
  const Mesh mesh(shape_of(2), world);
  const auto first = partition_leaves(mesh.global_blocks(), world.size());
  EXPECT_EQ(mesh.first_block(), first[static_cast<std::size_t>(world.rank())]);
  for (std::int64_t leaf = 0; leaf < mesh.global_blocks(); ++leaf) {
    const int owner = mesh.owner_of(leaf);
    EXPECT_TRUE(first[static_cast<std::size_t>(owner)] <= leaf && leaf < first[static_cast<std::size_t>(owner) + 1]);
  }
}

} // namespace
} // namespace tessera::amr
