// SPDX-License-Identifier: Apache-2.0
// Cartesian halo exchange against a host reference: after the exchange every cell, ghosts
// included, holds the value of the global cell it stands for (periodic wrap), on any rank
// grid, for 3-D and 2-D fields; past non-periodic edges the ghosts are left alone.
#include <gtest/gtest.h>

#include "tessera/core/cart.hpp"
#include "tessera/core/errors.hpp"

using namespace tessera;

namespace {
constexpr double untouched = -1.0;

double global_value(Index x, Index y, Index z)
{
  return 10000.0 * x + 100.0 * y + z;
}

Index wrap(Index i, Index n)
{
  return ((i % n) + n) % n;
}

void check_exchange(std::vector<int> dims, std::vector<bool> periodic, int ghost)
{
  const Comm world;
  CartComm cart(world, dims, periodic);
  const std::array<Index, 3> global{4 * cart.dims()[0], 3 * cart.dims()[1], 5 * cart.dims()[2]};
  std::array<Index, 3> local{}, offset{};
  for (int d = 0; d < 3; ++d) {
    local[d] = local_extent(global[d], cart.dims()[d], "test extent");
    offset[d] = cart.coords()[d] * local[d];
  }
  const Index g = ghost;
  ViewRight<double***> field("field", local[0] + 2 * g, local[1] + 2 * g, local[2] + 2 * g);
  Kokkos::deep_copy(field, untouched);
  const Index ox = offset[0], oy = offset[1], oz = offset[2];
  par_for_md<3>(
      "test::interior", {g, g, g}, {local[0] + g, local[1] + g, local[2] + g},
      KOKKOS_LAMBDA(Index i, Index j, Index k) {
        field(i, j, k) = 10000.0 * (ox + i - g) + 100.0 * (oy + j - g) + (oz + k - g);
      });
  halo_exchange(cart, field, ghost);
  const auto h = to_host(field);
  for (Index i = 0; i < local[0] + 2 * g; ++i)
    for (Index j = 0; j < local[1] + 2 * g; ++j)
      for (Index k = 0; k < local[2] + 2 * g; ++k) {
        const std::array<Index, 3> at{ox + i - g, oy + j - g, oz + k - g};
        bool outside = false;
        for (int d = 0; d < 3; ++d)
          outside |= !periodic[d] && (at[d] < 0 || at[d] >= global[d]);
        const double expect =
            outside ? untouched : global_value(wrap(at[0], global[0]), wrap(at[1], global[1]), wrap(at[2], global[2]));
        ASSERT_EQ(h(i, j, k), expect) << "rank " << world.rank() << " cell " << i << "," << j << "," << k;
      }
}

// The same for a 2-D field on a 2-D rank grid (HaloExchange<T, 2>).
ViewRight<double**> filled_2d(const std::array<Index, 2>& local, const std::array<Index, 2>& offset, Index g)
{
  ViewRight<double**> field("field", local[0] + 2 * g, local[1] + 2 * g);
  Kokkos::deep_copy(field, untouched);
  const Index ox = offset[0], oy = offset[1];
  par_for_md(
      "test::interior_2d", {g, g}, {local[0] + g, local[1] + g},
      KOKKOS_LAMBDA(Index i, Index j) { field(i, j) = 10000.0 * (ox + i - g) + 100.0 * (oy + j - g); });
  return field;
}

void check_exchange_2d(std::vector<int> dims, std::vector<bool> periodic, int ghost)
{
  const Comm world;
  CartComm cart(world, dims, periodic);
  const std::array<Index, 2> global{4 * cart.dims()[0], 3 * cart.dims()[1]};
  std::array<Index, 2> local{}, offset{};
  for (int d = 0; d < 2; ++d) {
    local[d] = local_extent(global[d], cart.dims()[d], "test extent");
    offset[d] = cart.coords()[d] * local[d];
  }
  const Index g = ghost;
  const auto field = filled_2d(local, offset, g);
  const HaloExchange<double, 2> halo(cart, {local[0] + 2 * g, local[1] + 2 * g}, ghost);
  halo(field);
  const auto h = to_host(field);
  for (Index i = 0; i < local[0] + 2 * g; ++i)
    for (Index j = 0; j < local[1] + 2 * g; ++j) {
      const std::array<Index, 2> at{offset[0] + i - g, offset[1] + j - g};
      bool outside = false;
      for (int d = 0; d < 2; ++d)
        outside |= !periodic[d] && (at[d] < 0 || at[d] >= global[d]);
      const double expect = outside ? untouched : global_value(wrap(at[0], global[0]), wrap(at[1], global[1]), 0);
      ASSERT_EQ(h(i, j), expect) << "rank " << world.rank() << " cell " << i << "," << j;
    }
}
} // namespace

TEST(Halo, TwoDimensionalFieldsOnATwoDimensionalGrid)
{
  check_exchange_2d({0, 0}, {true, true}, 1);
  check_exchange_2d({0, 1}, {false, true}, 2);
}

TEST(Halo, PeriodicSlabs)
{
  check_exchange({0, 1, 1}, {true, true, true}, 1);
}
TEST(Halo, PeriodicAnyRankGridTwoGhosts)
{
  check_exchange({0, 0, 0}, {true, true, true}, 2);
}
TEST(Halo, NonPeriodicEdgesKeepTheirGhosts)
{
  check_exchange({0, 0, 1}, {false, true, false}, 1);
}

TEST(Halo, RankGridMustFitTheRanks)
{
  const Comm world;
  EXPECT_THROW(CartComm(world, {world.size() + 1, 1, 1}, {true, true, true}), InputError);
  try {
    (void)local_extent(7, 2, "lattice.lx");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "lattice.lx = 7 is not divisible by the 2 ranks along that axis");
  }
}
