// SPDX-License-Identifier: Apache-2.0
// The loop wrappers against plain host loops. (Kernels live in free functions: CUDA does
// not allow device lambdas inside a TEST body, a private member function.)
#include <gtest/gtest.h>

#include "tessera/core/loops.hpp"

using namespace tessera;

namespace {
View<Index*> fill_linear(Index n)
{
  View<Index*> v("v", n);
  Kokkos::deep_copy(v, -1);
  par_for("test::fill", n, KOKKOS_LAMBDA(Index i) { v(i) = 3 * i + 1; });
  return v;
}

ViewRight<int***> fill_box()
{
  ViewRight<int***> v("v", 5, 6, 7);
  par_for_md<3>(
      "test::md", {1, 0, 2}, {5, 6, 7},
      KOKKOS_LAMBDA(Index i, Index j, Index k) { v(i, j, k) = static_cast<int>(100 * i + 10 * j + k); });
  return v;
}

Index sum_of_indices(Index n)
{
  Index sum = 0;
  par_reduce("test::sum", n, KOKKOS_LAMBDA(Index i, Index & s) { s += i; }, sum);
  return sum;
}

double max_of_residues(Index n)
{
  double largest = 0;
  par_reduce(
      "test::max", n, KOKKOS_LAMBDA(Index i, double& m) { m = Kokkos::max(m, static_cast<double>(i % 977)); },
      Kokkos::Max<double>(largest));
  return largest;
}

Index count_cells(Index a, Index b)
{
  Index cells = 0;
  par_reduce_md<2>("test::md_sum", {0, 0}, {a, b}, KOKKOS_LAMBDA(Index, Index, Index & s) { s += 1; }, cells);
  return cells;
}

View<Index*> scan_offsets(Index n, Index& total)
{
  View<Index*> offsets("offsets", n);
  par_scan(
      "test::scan", n,
      KOKKOS_LAMBDA(Index i, Index & partial, bool final) {
        if (final) offsets(i) = partial;
        partial += i % 5;
      },
      total);
  return offsets;
}

View<double*> team_sums(Index teams)
{
  View<double*> per_team("per_team", teams);
  par_for_team(
      "test::team", team_policy(ExecSpace(), teams, 0, 0), KOKKOS_LAMBDA(const TeamMember& team) {
        double s = 0;
        Kokkos::parallel_reduce(Kokkos::TeamThreadRange(team, 100), [&](int k, double& part) { part += k; }, s);
        Kokkos::single(Kokkos::PerTeam(team), [&] { per_team(team.league_rank()) = s + team.league_rank(); });
      });
  return per_team;
}
} // namespace

TEST(Loops, ParForFillsEveryIndex)
{
  const Index n = 1000;
  const auto h = to_host(fill_linear(n));
  for (Index i = 0; i < n; ++i)
    ASSERT_EQ(h(i), 3 * i + 1);
}

TEST(Loops, ParForMdCoversTheBox)
{
  const auto h = to_host(fill_box());
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 6; ++j)
      for (int k = 0; k < 7; ++k)
        ASSERT_EQ(h(i, j, k), (i >= 1 && k >= 2) ? 100 * i + 10 * j + k : 0);
}

namespace {
// Braced bounds, no explicit rank: par_for_md and par_reduce_md deduce it.
ViewRight<int**> fill_braced(Index n0, Index n1)
{
  ViewRight<int**> v("v", n0, n1);
  par_for_md(
      "test::braced", {0, 1}, {n0, n1}, KOKKOS_LAMBDA(Index i, Index j) { v(i, j) = static_cast<int>(10 * i + j); });
  return v;
}
Index sum_braced(const ViewRight<int**>& v)
{
  Index total = 0;
  par_reduce_md(
      "test::braced_sum", {0, 0}, {static_cast<Index>(v.extent(0)), static_cast<Index>(v.extent(1))},
      KOKKOS_LAMBDA(Index i, Index j, Index & sum) { sum += v(i, j); }, total);
  return total;
}

// The field form: (i, j) -> 10 i + j over [begin, end) of a field of any layout, and its sum.
template <class Field>
Field fill_field(Index n0, Index n1)
{
  Field v("v", n0, n1);
  par_for_md(
      "test::field", v, {0, 1}, {n0, n1}, KOKKOS_LAMBDA(Index i, Index j) { v(i, j) = static_cast<int>(10 * i + j); });
  return v;
}
template <class Field>
Index sum_field(const Field& v)
{
  Index total = 0;
  par_reduce_md("test::field_sum", v, KOKKOS_LAMBDA(Index i, Index j, Index & sum) { sum += v(i, j); }, total);
  return total;
}
// The 4 x 5 sweep both forms make: 10 i + j where j >= 1, zero elsewhere, and its sum.
template <class Field>
void expect_sweep(const Field& v, Index sum)
{
  const auto h = to_host(v);
  Index expected = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) {
      ASSERT_EQ(h(i, j), j >= 1 ? 10 * i + j : 0);
      expected += h(i, j);
    }
  EXPECT_EQ(sum, expected);
}
template <class Field>
void expect_field_sweep()
{
  const auto v = fill_field<Field>(4, 5);
  expect_sweep(v, sum_field(v));
}
} // namespace

TEST(Loops, BracedBoundsDeduceTheRank)
{
  const auto v = fill_braced(4, 5);
  expect_sweep(v, sum_braced(v));
}

// Naming the field makes the loop follow its layout: the contiguous index is the fastest.
TEST(Loops, TheFieldFormFollowsTheLayout)
{
  static_assert(detail::iterate_of<Kokkos::View<int**, Kokkos::LayoutLeft>> == Kokkos::Iterate::Left);
  static_assert(detail::iterate_of<ViewRight<int**>> == Kokkos::Iterate::Right);
  static_assert(
      detail::iterate_of<View<int**>> ==
      (std::is_same_v<View<int**>::array_layout, Kokkos::LayoutLeft> ? Kokkos::Iterate::Left : Kokkos::Iterate::Right));
  expect_field_sweep<ViewRight<int**>>();
  expect_field_sweep<View<int**>>();
  expect_field_sweep<Kokkos::View<int**, Kokkos::LayoutLeft, MemSpace>>();
}

TEST(Loops, ReductionsMatchClosedForms)
{
  const Index n = 100001;
  EXPECT_EQ(sum_of_indices(n), n * (n - 1) / 2);
  EXPECT_EQ(max_of_residues(n), 976.0);
  EXPECT_EQ(count_cells(30, 40), 1200);
}

TEST(Loops, ExclusiveScan)
{
  const Index n = 777;
  Index total = 0;
  const auto h = to_host(scan_offsets(n, total));
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
  const auto h = to_host(team_sums(teams));
  for (Index t = 0; t < teams; ++t)
    EXPECT_EQ(h(t), 4950.0 + t);
}
