// SPDX-License-Identifier: Apache-2.0
// Counter-based RNG: Random123's known-answer vector, the same numbers on every execution
// space this build has and on any number of ranks, and sane statistics.
#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/core/comm.hpp"
#include "tessera/core/loops.hpp"
#include "tessera/core/rng.hpp"

using namespace tessera;

namespace {
constexpr std::uint64_t seed = 0x1234abcd5678ef01ULL;
constexpr Index n_items = 4096;

// Reference draws: a plain host loop, no Kokkos.
std::vector<double> host_draws(Index first, Index count)
{
  std::vector<double> out;
  for (Index i = first; i < first + count; ++i) {
    RandomDraws rng(seed, 3, static_cast<std::uint64_t>(i));
    out.push_back(rng.uniform());
    out.push_back(rng.normal());
    out.push_back(static_cast<double>(rng.below(1000)));
  }
  return out;
}

template <class Space>
std::vector<double> space_draws(Index first, Index count)
{
  Kokkos::View<double**, Kokkos::LayoutRight, typename Space::memory_space> v("draws", count, 3);
  Kokkos::parallel_for(
      "test::draws", Kokkos::RangePolicy<Space>(0, count), KOKKOS_LAMBDA(Index k) {
        RandomDraws rng(seed, 3, static_cast<std::uint64_t>(first + k));
        v(k, 0) = rng.uniform();
        v(k, 1) = rng.normal();
        v(k, 2) = static_cast<double>(rng.below(1000));
      });
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return {h.data(), h.data() + h.span()};
}

void expect_same(const std::vector<double>& a, const std::vector<double>& b, const char* what)
{
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (k % 3 == 1) {
      // normal(): log and cos may differ by an ulp between libm and CUDA.
      ASSERT_NEAR(a[k], b[k], 1e-14 * (1 + std::abs(a[k]))) << what << " element " << k;
    } else {
      ASSERT_EQ(a[k], b[k]) << what << " element " << k; // bit-identical
    }
  }
}
} // namespace

TEST(Rng, Philox4x32KnownAnswer)
{
  // Random123's kat_vectors: philox4x32 10 rounds, counter 0, key 0.
  RandomDraws zero(0, 0, 0);
  EXPECT_EQ(zero.next_u32(), 0x6627e8d5u);
  EXPECT_EQ(zero.next_u32(), 0xe169c58du);
  EXPECT_EQ(zero.next_u32(), 0xbc57ac4cu);
  EXPECT_EQ(zero.next_u32(), 0x9b00dbd8u);
}

TEST(Rng, SameNumbersOnEveryExecutionSpace)
{
  const auto reference = host_draws(0, n_items);
  expect_same(reference, space_draws<ExecSpace>(0, n_items), ExecSpace::name());
  expect_same(reference, space_draws<HostExecSpace>(0, n_items), HostExecSpace::name());
#ifdef KOKKOS_ENABLE_SERIAL
  expect_same(reference, space_draws<Kokkos::Serial>(0, n_items), "Serial");
#endif
#ifdef KOKKOS_ENABLE_OPENMP
  expect_same(reference, space_draws<Kokkos::OpenMP>(0, n_items), "OpenMP");
#endif
#ifdef KOKKOS_ENABLE_CUDA
  expect_same(reference, space_draws<Kokkos::Cuda>(0, n_items), "Cuda");
#endif
}

TEST(Rng, IndependentOfTheNumberOfRanks)
{
  const Comm comm;
  // Each rank draws its block of items; gathered, they must be the single-rank sequence.
  const Index per_rank = n_items / comm.size() + (comm.rank() < n_items % comm.size() ? 1 : 0);
  const Index first = comm.exclusive_sum(per_rank);
  const auto mine = space_draws<ExecSpace>(first, per_rank);
  std::vector<int> counts(comm.size()), displacements(comm.size());
  const int my_count = static_cast<int>(mine.size());
  MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.native());
  for (int r = 1; r < comm.size(); ++r)
    displacements[r] = displacements[r - 1] + counts[r - 1];
  std::vector<double> all(3 * n_items);
  MPI_Allgatherv(mine.data(), my_count, MPI_DOUBLE, all.data(), counts.data(), displacements.data(), MPI_DOUBLE,
                 comm.native());
  expect_same(host_draws(0, n_items), all, "gathered over ranks");
}

TEST(Rng, StreamsAndItemsDiffer)
{
  RandomDraws a(1, 0, 0), b(1, 1, 0), c(1, 0, 1), d(2, 0, 0);
  const auto x = a.next_u32();
  EXPECT_NE(x, b.next_u32());
  EXPECT_NE(x, c.next_u32());
  EXPECT_NE(x, d.next_u32());
}

namespace {
struct Moments {
  double mean_u, mean_u2, mean_n, mean_n2, min_u, max_u;
};

Moments moments(Index n)
{
  double su = 0, su2 = 0, sn = 0, sn2 = 0, umin = 1, umax = 0;
  Kokkos::parallel_reduce(
      "test::moments", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(0, n),
      KOKKOS_LAMBDA(Index i, double& a, double& b, double& c, double& d) {
        const double u = RandomDraws(9, 0, i).uniform();
        const double g = RandomDraws(9, 1, i).normal();
        a += u;
        b += u * u;
        c += g;
        d += g * g;
      },
      su, su2, sn, sn2);
  par_reduce(
      "test::umin", n, KOKKOS_LAMBDA(Index i, double& m) { m = Kokkos::min(m, RandomDraws(9, 0, i).uniform()); },
      Kokkos::Min<double>(umin));
  par_reduce(
      "test::umax", n, KOKKOS_LAMBDA(Index i, double& m) { m = Kokkos::max(m, RandomDraws(9, 0, i).uniform()); },
      Kokkos::Max<double>(umax));
  const double count = static_cast<double>(n);
  return {su / count, su2 / count, sn / count, sn2 / count, umin, umax};
}
} // namespace

TEST(Rng, MomentsOfUniformAndNormal)
{
  const auto m = moments(200000);
  // 5 standard errors: the mean of U(0,1) over 2e5 draws has sigma 0.289/sqrt(n) = 6.5e-4.
  EXPECT_NEAR(m.mean_u, 0.5, 5 * 6.5e-4);
  EXPECT_NEAR(m.mean_u2, 1.0 / 3.0, 5 * 6.7e-4);
  EXPECT_NEAR(m.mean_n, 0.0, 5 * 2.3e-3);
  EXPECT_NEAR(m.mean_n2, 1.0, 5 * 3.2e-3);
  EXPECT_GT(m.min_u, 0.0);
  EXPECT_LT(m.max_u, 1.0);
}

// seek() resumes a stream exactly: draws split over "launches" at every possible offset
// within a Philox block equal one uninterrupted sequence.
TEST(Rng, SeekContinuesTheSameStream)
{
  RandomDraws whole(seed, 7, 42);
  std::vector<std::uint32_t> reference;
  for (int k = 0; k < 23; ++k)
    reference.push_back(whole.next_u32());
  EXPECT_EQ(whole.position(), 23u);
  for (int split = 0; split <= 23; ++split) {
    RandomDraws first(seed, 7, 42);
    std::vector<std::uint32_t> draws;
    for (int k = 0; k < split; ++k)
      draws.push_back(first.next_u32());
    RandomDraws resumed(seed, 7, 42);
    resumed.seek(first.position());
    EXPECT_EQ(resumed.position(), static_cast<std::uint64_t>(split));
    for (int k = split; k < 23; ++k)
      draws.push_back(resumed.next_u32());
    EXPECT_EQ(draws, reference) << "split after " << split << " draws";
  }
}
