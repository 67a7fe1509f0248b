// The loop wrappers against plain host loops.
#include <gtest/gtest.h>

#include "tessera/core/loops.hpp"

using namespace tessera;

TEST(Loops, ParForFillsEveryIndex)
{
  const Index n = 1000;
  View<Index*> v("v", n);
  Kokkos::deep_copy(v, -1);
  par_for("test::fill", n, KOKKOS_LAMBDA(Index i) { v(i) = 3 * i + 1; });
  const auto h = to_host(v);
  for (Index i = 0; i < n; ++i)
    ASSERT_EQ(h(i), 3 * i + 1);
}

TEST(Loops, ParForMdCoversTheBox)
{
  ViewRight<int***> v("v", 5, 6, 7);
  par_for_md<3>(
      "test::md", {1, 0, 2}, {5, 6, 7},
      KOKKOS_LAMBDA(Index i, Index j, Index k) { v(i, j, k) = static_cast<int>(100 * i + 10 * j + k); });
  const auto h = to_host(v);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 6; ++j)
      for (int k = 0; k < 7; ++k)
        ASSERT_EQ(h(i, j, k), (i >= 1 && k >= 2) ? 100 * i + 10 * j + k : 0);
}

TEST(Loops, ReductionsMatchClosedForms)
{
  const Index n = 100001;
  Index sum = 0;
  par_reduce("test::sum", n, KOKKOS_LAMBDA(Index i, Index & s) { s += i; }, sum);
  EXPECT_EQ(sum, n * (n - 1) / 2);
  double largest = 0;
  par_reduce(
      "test::max", n, KOKKOS_LAMBDA(Index i, double& m) { m = Kokkos::max(m, static_cast<double>(i % 977)); },
      Kokkos::Max<double>(largest));
  EXPECT_EQ(largest, 976.0);
  Index cells = 0;
  par_reduce_md<2>("test::md_sum", {0, 0}, {30, 40}, KOKKOS_LAMBDA(Index, Index, Index & s) { s += 1; }, cells);
  EXPECT_EQ(cells, 1200);
}

TEST(Loops, ExclusiveScan)
{
  const Index n = 777;
  View<Index*> offsets("offsets", n);
  Index total = 0;
  par_scan(
      "test::scan", n,
      KOKKOS_LAMBDA(Index i, Index & partial, bool final) {
        if (final) offsets(i) = partial;
        partial += i % 5;
      },
      total);
  const auto h = to_host(offsets);
  Index expect = 0;
  for (Index i = 0; i < n; ++i) {
    ASSERT_EQ(h(i), expect);
    expect += i % 5;
  }
  EXPECT_EQ(total, expect);
}

TEST(Loops, TeamReduction)
{
  const Index teams = 37;
  View<double*> per_team("per_team", teams);
  par_for_team(
      "test::team", team_policy(ExecSpace(), teams, 0, 0), KOKKOS_LAMBDA(const TeamMember& team) {
        double s = 0;
        Kokkos::parallel_reduce(Kokkos::TeamThreadRange(team, 100), [&](int k, double& part) { part += k; }, s);
        Kokkos::single(Kokkos::PerTeam(team), [&] { per_team(team.league_rank()) = s + team.league_rank(); });
      });
  const auto h = to_host(per_team);
  for (Index t = 0; t < teams; ++t)
    EXPECT_EQ(h(t), 4950.0 + t);
}
