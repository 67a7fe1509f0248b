// SPDX-License-Identifier: Apache-2.0
// The same trajectory on 1 and 2 ranks: rank 0 integrates alone on its own communicator,
// then all ranks integrate together; particles are compared by id. Also the initial
// conditions: the same particles on any rank count (counter-based RNG keyed by id).
#include <cmath>
#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/simulation.hpp"

using namespace tessera;
using namespace tessera::nbody;

namespace {
Params small_run()
{
  // 300 stars: not divisible by 2, uneven ranks.
  return params_for<Simulation>(
      {"ic.n=300", "ic.seed=3", "gravity.softening=0.01", "integrator.eta=0.02", "integrator.dt_max=0.015625"});
}

// Positions after t (gathered to rank 0 of `comm`, ordered by id).
std::vector<double> trajectory_end(const Comm& comm, double t, bool integrate)
{
  Simulation sim(RunContext{comm}, small_run());
  while (integrate && sim.position() < t)
    sim.advance(t);
  const State& s = sim.state();
  const auto x = to_host(s.x);
  const auto id = to_host(s.id);
  std::vector<double> mine;
  for (Index i = 0; i < s.local(); ++i) {
    mine.push_back(static_cast<double>(id(i)));
    for (int d = 0; d < 3; ++d)
      mine.push_back(x(i, d));
  }
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(comm.size()), offsets(comm.size());
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm.native());
  for (int r = 1; r < comm.size(); ++r)
    offsets[r] = offsets[r - 1] + counts[r - 1];
  std::vector<double> all(comm.is_root() ? offsets.back() + counts.back() : 0);
  MPI_Gatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0, comm.native());
  std::map<long, std::vector<double>> by_id;
  for (std::size_t k = 0; k + 3 < all.size(); k += 4)
    by_id[static_cast<long>(all[k])] = {all[k + 1], all[k + 2], all[k + 3]};
  std::vector<double> out;
  for (const auto& [id_value, xyz] : by_id)
    out.insert(out.end(), xyz.begin(), xyz.end());
  return out;
}

void compare_with_one_rank(double t, bool integrate, double tolerance)
{
  const Comm world;
  MPI_Comm alone;
  MPI_Comm_split(world.native(), world.rank() == 0 ? 0 : MPI_UNDEFINED, 0, &alone);
  std::vector<double> reference;
  if (world.rank() == 0) {
    const Comm single(alone);
    reference = trajectory_end(single, t, integrate);
    MPI_Comm_free(&alone);
  }
  const auto together = trajectory_end(world, t, integrate);
  if (world.rank() == 0) {
    ASSERT_EQ(reference.size(), together.size());
    double worst = 0;
    for (std::size_t k = 0; k < reference.size(); ++k)
      worst = std::max(worst, std::abs(reference[k] - together[k]));
    EXPECT_LT(worst, tolerance) << "over " << world.size() << " ranks";
  }
}
} // namespace

TEST(Ranks, InitialConditionsIndependentOfRankCount)
{
  compare_with_one_rank(0.0, false, 1e-14);
}
TEST(Ranks, BlockStepTrajectoryIndependentOfRankCount)
{
  compare_with_one_rank(0.125, true, 1e-10);
}

TEST(Ranks, PlummerSeedGivesPinnedParticles)
{
  // The same numbers on every backend: pinned from the OpenMP build (2026-11-23).
  const Comm world;
  MPI_Comm alone;
  MPI_Comm_split(world.native(), world.rank() == 0 ? 0 : MPI_UNDEFINED, 0, &alone);
  if (world.rank() != 0) return;
  const Comm single(alone);
  const State s = initial_state(single, small_run());
  const auto x = to_host(s.x);
  RecordProperty("x0", std::to_string(x(0, 0)));
  EXPECT_NEAR(x(0, 0), 0.21944320645931151, 1e-13);
  EXPECT_NEAR(x(299, 2), -0.32709011815677047, 1e-13);
  MPI_Comm_free(&alone);
}
