// SPDX-License-Identifier: Apache-2.0
// Comm: reductions, offsets, ring shift and View reductions, on 1 and 2 ranks.
#include <gtest/gtest.h>

#include "tessera/core/comm.hpp"
#include "tessera/core/loops.hpp"

using namespace tessera;

TEST(Comm, ScalarReductions)
{
  const Comm comm;
  const int p = comm.size(), r = comm.rank();
  EXPECT_EQ(comm.sum(r + 1), p * (p + 1) / 2);
  EXPECT_EQ(comm.min(r), 0);
  EXPECT_EQ(comm.max(1.5 * r), 1.5 * (p - 1));
  EXPECT_EQ(comm.exclusive_sum(std::int64_t{10} * (r + 1)), 10 * r * (r + 1) / 2);
  EXPECT_EQ(comm.any(r == p - 1), true);
  EXPECT_EQ(comm.any(false), false);
  EXPECT_EQ(comm.broadcast(r == 0 ? std::string("from root") : std::string()), "from root");
}

TEST(Comm, ReducesEveryIntegerType)
{
  // long long is not std::int64_t's type on Linux (long is): each integer goes by its width.
  const Comm comm;
  const long long big = 3'000'000'000LL * (comm.rank() + 1);
  EXPECT_EQ(comm.sum(big), 3'000'000'000LL * comm.size() * (comm.size() + 1) / 2);
  EXPECT_EQ(comm.sum(std::size_t{2}), std::size_t{2} * static_cast<std::size_t>(comm.size()));
  EXPECT_EQ(comm.max(static_cast<unsigned long long>(comm.rank())), static_cast<unsigned long long>(comm.size() - 1));
  EXPECT_EQ(comm.sum(short{1}), static_cast<short>(comm.size()));
  EXPECT_EQ(comm.min(1L), 1L);
}

namespace {
View<double*> rank_tagged(Index n, int rank)
{
  View<double*> v("send", n);
  par_for("test::fill", n, KOKKOS_LAMBDA(Index i) { v(i) = 1000.0 * rank + i; });
  return v;
}

View<std::int64_t*> scaled_indices(Index n, int factor)
{
  View<std::int64_t*> v("v", n);
  par_for("test::fill", n, KOKKOS_LAMBDA(Index i) { v(i) = i * factor; });
  return v;
}
} // namespace

TEST(Comm, RingShiftMovesDeviceBuffersOneRankOn)
{
  const Comm comm;
  const Index n = 1000;
  const int r = comm.rank();
  View<double*> send = rank_tagged(n, r), recv("recv", n);
  comm.ring_shift(send, recv);
  const int from = (r - 1 + comm.size()) % comm.size();
  const auto h = to_host(recv);
  for (Index i = 0; i < n; ++i)
    ASSERT_EQ(h(i), 1000.0 * from + i);
}

TEST(Comm, SumInPlaceOfAView)
{
  const Comm comm;
  const auto v = scaled_indices(64, comm.rank() + 1);
  comm.sum_in_place(v);
  const auto h = to_host(v);
  const std::int64_t factor = comm.size() * (comm.size() + 1) / 2;
  for (Index i = 0; i < 64; ++i)
    ASSERT_EQ(h(i), i * factor);
}

TEST(Comm, BlockRangesCoverEveryItemOnce)
{
  for (int ranks = 1; ranks <= 7; ++ranks) {
    std::int64_t next = 0;
    for (int r = 0; r < ranks; ++r) {
      const auto range = block_range(1001, r, ranks);
      EXPECT_EQ(range.first, next);
      next += range.count;
    }
    EXPECT_EQ(next, 1001);
  }
}

TEST(Comm, GathersVectorsOfDifferentLengths)
{
  const Comm comm;
  const std::vector<int> mine(static_cast<std::size_t>(comm.rank()) + 1, comm.rank());
  const auto all = comm.all_gather_v(mine);
  std::vector<int> expected;
  for (int r = 0; r < comm.size(); ++r)
    expected.insert(expected.end(), static_cast<std::size_t>(r) + 1, r);
  EXPECT_EQ(all, expected);
}

TEST(Comm, AllToAllDeliversEachRanksList)
{
  const Comm comm;
  std::vector<std::vector<std::int64_t>> to(static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r) // r + 1 items "from me to r"
    to[static_cast<std::size_t>(r)].assign(static_cast<std::size_t>(r) + 1, 100 * comm.rank() + r);
  const auto got = comm.all_to_all(to);
  for (int r = 0; r < comm.size(); ++r)
    EXPECT_EQ(got[static_cast<std::size_t>(r)],
              std::vector<std::int64_t>(static_cast<std::size_t>(comm.rank()) + 1, 100 * r + comm.rank()));
}

// Every rank sends 10 + r elements to each other rank (segments of one buffer) and receives
// 10 + s from each s: what halo exchanges of packed boxes do.
TEST(Comm, ExchangeMovesSegmentsOfDeviceBuffers)
{
  const Comm comm;
  const int p = comm.size(), r = comm.rank();
  std::vector<Comm::Segment> sends, recvs;
  std::size_t send_total = 0, recv_total = 0;
  for (int s = 0; s < p; ++s) {
    if (s == r) continue;
    sends.push_back({s, send_total, static_cast<std::size_t>(10 + r)});
    send_total += static_cast<std::size_t>(10 + r);
    recvs.push_back({s, recv_total, static_cast<std::size_t>(10 + s)});
    recv_total += static_cast<std::size_t>(10 + s);
  }
  View<double*> send = rank_tagged(static_cast<Index>(send_total), r), recv("recv", recv_total);
  comm.exchange(send, sends, recv, recvs);
  const auto h = to_host(recv);
  for (const auto& seg : recvs) {
    // Rank seg.rank's segment for me starts where its earlier segments (to ranks before me) end.
    const std::size_t first = static_cast<std::size_t>(r < seg.rank ? r : r - 1) * (10 + seg.rank);
    for (std::size_t i = 0; i < seg.count; ++i)
      ASSERT_EQ(h(seg.offset + i), 1000.0 * seg.rank + static_cast<double>(first + i));
  }
}
