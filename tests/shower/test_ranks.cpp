// Events split over the ranks give the same histograms and cross section as one rank
// doing all events: each event's random numbers depend only on its number, and the sums
// are combined with an all-reduce (equal to rounding: floating-point sums in another order).
#include <cmath>

#include <gtest/gtest.h>

#include "shower_testing.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/shower/output.hpp"
#include "tessera/shower/run.hpp"

using namespace tessera;
using namespace tessera::shower;
using namespace tessera::shower::testing;

namespace {
struct Result {
  GeneratorTotals totals;
  std::vector<HostHistogram> histograms;
};

Result generate(const Comm& comm, std::int64_t events)
{
  auto p = test_params();
  p.generator.batch_size = 1000;
  HistogramBook book(standard_histograms());
  Generator generator(p.generator, book);
  const auto mine = block_range(events, comm.rank(), comm.size());
  Result r;
  r.totals = generator.run(mine.first, mine.count);
  r.totals.sum_w = comm.sum(r.totals.sum_w);
  r.totals.events = comm.sum(r.totals.events);
  r.totals.partons = comm.sum(r.totals.partons);
  book.combine(comm);
  r.histograms = host_histograms(book, 1.0 / static_cast<double>(events));
  return r;
}
} // namespace

TEST(ShowerRanks, SameHistogramsOnAnyRankCount)
{
  const Comm world;
  const std::int64_t events = 2501; // uneven split
  const auto together = generate(world, events);
  const auto alone = generate(Comm(MPI_COMM_SELF), events);
  EXPECT_EQ(together.totals.events, events);
  EXPECT_EQ(together.totals.partons, alone.totals.partons); // integer: exact
  EXPECT_NEAR(together.totals.sum_w, alone.totals.sum_w, 1e-12 * alone.totals.sum_w);
  ASSERT_EQ(together.histograms.size(), alone.histograms.size());
  for (std::size_t h = 0; h < alone.histograms.size(); ++h) {
    const auto& a = alone.histograms[h];
    const auto& b = together.histograms[h];
    for (std::size_t k = 0; k < a.bins.size(); ++k) {
      EXPECT_EQ(a.bins[k][entries], b.bins[k][entries]) << a.path << " bin " << k;
      EXPECT_NEAR(a.bins[k][sum_w], b.bins[k][sum_w], 1e-12 * std::abs(a.total[sum_w])) << a.path << " bin " << k;
    }
  }
}
