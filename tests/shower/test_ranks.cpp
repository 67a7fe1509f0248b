// SPDX-License-Identifier: Apache-2.0
// Events split over the ranks give the same histograms and cross section as one rank
// doing all events: each event's random numbers depend only on its number, and the sums
// are combined with an all-reduce (equal to rounding: floating-point sums in another order).
// A run stopped after a checkpoint and restarted from it ends with the same histograms, and
// a checkpoint is refused by another number of ranks.
#include <cmath>
#include <filesystem>
#include <optional>

#include <unistd.h>

#include <gtest/gtest.h>

#include "shower_testing.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/shower/output.hpp"

using namespace tessera;
using namespace tessera::shower;
using namespace tessera::shower::testing;

namespace {
struct Result {
  GeneratorTotals totals;
  std::vector<HostHistogram> histograms;
};

Params run_of(std::int64_t events)
{
  return test_params({fmt::format("events.n={}", events), "events.batch=1000"});
}

void run_to_end(Simulation& sim)
{
  while (sim.position() < sim.end())
    sim.advance(sim.end());
}

Result result_of(const Simulation& sim)
{
  return {sim.totals(), sim.histograms()};
}

Result generate(const Comm& comm, std::int64_t events)
{
  Simulation sim(RunContext{comm}, run_of(events));
  run_to_end(sim);
  return result_of(sim);
}

void expect_same(const Result& a, const Result& b)
{
  EXPECT_EQ(a.totals.events, b.totals.events);
  EXPECT_EQ(a.totals.partons, b.totals.partons); // integer: exact
  EXPECT_EQ(a.totals.trials, b.totals.trials);
  EXPECT_NEAR(a.totals.sum_w, b.totals.sum_w, 1e-12 * a.totals.sum_w);
  ASSERT_EQ(a.histograms.size(), b.histograms.size());
  for (std::size_t h = 0; h < a.histograms.size(); ++h) {
    const auto& x = a.histograms[h];
    const auto& y = b.histograms[h];
    for (std::size_t k = 0; k < x.bins.size(); ++k) {
      EXPECT_EQ(x.bins[k][entries], y.bins[k][entries]) << x.path << " bin " << k;
      EXPECT_NEAR(x.bins[k][sum_w], y.bins[k][sum_w], 1e-12 * std::abs(x.total[sum_w])) << x.path << " bin " << k;
    }
  }
}

// A checkpoint path shared by the ranks of `comm`, private to this process group.
std::filesystem::path checkpoint_file(const Comm& comm)
{
  int pid = static_cast<int>(::getpid());
  comm.broadcast(&pid, 1);
  return std::filesystem::temp_directory_path() / fmt::format("tessera_test_shower_{}_np{}.chk.h5", pid, comm.size());
}
} // namespace

TEST(ShowerRanks, SameHistogramsOnAnyRankCount)
{
  const Comm world;
  const std::int64_t events = 2501; // uneven split
  const auto together = generate(world, events);
  const auto alone = generate(Comm(MPI_COMM_SELF), events);
  EXPECT_EQ(together.totals.events, events);
  expect_same(alone, together);
}

TEST(ShowerRanks, RestartEndsWithTheHistogramsOfAnUninterruptedRun)
{
  const Comm world;
  const std::int64_t events = 4501; // rank blocks of several batches of 1000
  const auto path = checkpoint_file(world);
  {
    Simulation first(RunContext{world}, run_of(events));
    first.advance(first.end());
    first.advance(first.end());
    EXPECT_EQ(first.position(), std::min<double>(events, 2000.0 * world.size()));
    CheckpointWriter writer(world, path);
    first.write_checkpoint(writer);
    writer.commit();
  }
  std::optional<Simulation> restarted;
  {
    CheckpointReader reader(world, path);
    restarted.emplace(RunContext{world}, run_of(events), reader);
  }
  EXPECT_EQ(restarted->position(), std::min<double>(events, 2000.0 * world.size()));
  run_to_end(*restarted);
  EXPECT_EQ(restarted->position(), static_cast<double>(events));
  expect_same(generate(world, events), result_of(*restarted));

  // Another number of ranks would own other blocks of events: refused.
  if (world.size() > 1 && world.rank() == 0) {
    const Comm self(MPI_COMM_SELF);
    EXPECT_THROW(
        {
          CheckpointReader reader(self, path);
          Simulation wrong(RunContext{self}, run_of(events), reader);
        },
        InputError);
  }
  world.barrier();
  if (world.is_root()) std::filesystem::remove(path);
}
