// SPDX-License-Identifier: Apache-2.0
// Team-scratch tiles: an all-pairs sum through tiles against a long-double host sum, for
// tile sizes that do and do not divide the number of sources.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "tessera/core/rng.hpp"
#include "tessera/core/tiles.hpp"

using namespace tessera;

namespace {
double kernel(double xi, double xj)
{
  return 1.0 / std::sqrt((xi - xj) * (xi - xj) + 0.01);
}

void check_tiled_sum(Index n_targets, Index n_sources, int tile, int team_size)
{
  View<double*> x("x", n_targets), y("y", n_sources), out("out", n_targets);
  par_for("test::targets", n_targets, KOKKOS_LAMBDA(Index i) { x(i) = RandomDraws(7, 0, i).uniform(); });
  par_for("test::sources", n_sources, KOKKOS_LAMBDA(Index j) { y(j) = RandomDraws(7, 1, j).uniform(); });
  const Index teams = (n_targets + team_size - 1) / team_size;
  par_for_team(
      "test::tiled_sum", team_policy(ExecSpace(), teams, team_size, tile_scratch_bytes<double>(tile)),
      KOKKOS_LAMBDA(const TeamMember& team) {
        const Index i = team.league_rank() * team.team_size() + team.team_rank();
        const double xi = i < n_targets ? x(i) : 0.0;
        double sum = 0;
        for_each_tile<double>(
            team, n_sources, tile, [&](Index j) { return y(j); },
            [&](const ScratchView<double*>& t, Index, int count) {
              for (int k = 0; k < count; ++k) {
                const double d = xi - t(k);
                sum += 1.0 / Kokkos::sqrt(d * d + 0.01);
              }
            });
        if (i < n_targets) out(i) = sum;
      });
  const auto hx = to_host(x), hy = to_host(y), hout = to_host(out);
  for (Index i = 0; i < n_targets; ++i) {
    long double reference = 0;
    for (Index j = 0; j < n_sources; ++j)
      reference += kernel(hx(i), hy(j));
    ASSERT_NEAR(hout(i), static_cast<double>(reference), 1e-12 * static_cast<double>(reference)) << "target " << i;
  }
}
} // namespace

TEST(Tiles, AllPairsMatchesLongDoubleSum)
{
  check_tiled_sum(300, 1000, 64, default_tile_team_size());
}
TEST(Tiles, TileLargerThanSources)
{
  check_tiled_sum(50, 20, 128, default_tile_team_size());
}
TEST(Tiles, RaggedLastTileAndSeveralThreads)
{
  check_tiled_sum(257, 333, 32, std::min(4, static_cast<int>(ExecSpace().concurrency())));
}
