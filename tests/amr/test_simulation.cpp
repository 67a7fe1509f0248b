// SPDX-License-Identifier: Apache-2.0
// The simulation's own contract, below the driver: a restart from its checkpoint continues
// bit for bit (cells, tree, step, regrids, time), the last step lands on the end time
// exactly, and run.max_steps counts the steps of one process.
#include <cstring>

#include <gtest/gtest.h>

#include "../core/test_paths.hpp"
#include "simulation.hpp"

namespace tessera::amr {
namespace {

using testing::operator+;

// A 2-D blast in a quadrant that refines and derefines (a regrid every 4 steps).
Params blast(const std::vector<std::string>& more = {})
{
  return params_for<Simulation>(testing::box_keys(2, {32, 32, 32}, 8, "outflow") +
                                std::vector<std::string>{"mesh.max_level=2", "mesh.boundary_x_lower=reflecting",
                                                         "mesh.boundary_y_lower=reflecting", "refinement.interval=4",
                                                         "run.t_end=0.01"} +
                                more);
}

bool same_bits(const Simulation& a, const Simulation& b)
{
  if (!(a.mesh().leaves() == b.mesh().leaves())) return false;
  const auto x = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a.data());
  const auto y = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), b.data());
  const auto& e = a.mesh().extent();
  for (Index block = 0; block < a.mesh().blocks(); ++block)
    for (int v = 0; v < a.mesh().variables(); ++v)
      for (Index k = e.begin[2]; k < e.end[2]; ++k)
        for (Index j = e.begin[1]; j < e.end[1]; ++j)
          for (Index i = e.begin[0]; i < e.end[0]; ++i) {
            const double p = x(block, v, k, j, i), q = y(block, v, k, j, i);
            if (std::memcmp(&p, &q, sizeof p) != 0) return false;
          }
  return true;
}

TEST(Simulation, RestartFromItsCheckpointContinuesBitForBit)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "amr-simulation-restart");
  const RunContext context{comm, dir.path()};
  Simulation uninterrupted(context, blast());
  testing::run_to_end(uninterrupted);
  EXPECT_EQ(uninterrupted.position(), uninterrupted.end()); // the last step lands on t_end
  EXPECT_GT(uninterrupted.regrids(), 0);

  const auto split = blast({"run.max_steps=13"}); // not a multiple of the regrid interval
  Simulation first(context, split);
  while (!first.finished())
    first.advance(first.end());
  EXPECT_EQ(first.step(), 13);
  {
    CheckpointWriter writer(comm, dir / "amr.chk.h5");
    first.write_checkpoint(writer);
    writer.commit();
  }
  CheckpointReader reader(comm, dir / "amr.chk.h5");
  Simulation second(context, split, reader);
  EXPECT_EQ(second.position(), first.position());
  EXPECT_FALSE(second.finished()); // 13 steps of this process, not of the run
  while (!second.finished() && second.position() < second.end())
    second.advance(second.end());
  EXPECT_EQ(second.step(), 26);
  testing::run_to_end(second);
  EXPECT_EQ(second.step(), uninterrupted.step());
  EXPECT_EQ(second.regrids(), uninterrupted.regrids());
  EXPECT_EQ(second.position(), uninterrupted.position());
  EXPECT_EQ(second.last_dt(), uninterrupted.last_dt());
  EXPECT_TRUE(same_bits(second, uninterrupted));
}

} // namespace
} // namespace tessera::amr
