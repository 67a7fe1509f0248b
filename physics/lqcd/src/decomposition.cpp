// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/decomposition.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/errors.hpp"

namespace tessera::lqcd {

std::array<int, dims> choose_rank_grid(const std::array<int, dims>& global, int ranks, std::array<int, dims> fixed)
{
  int left = ranks;
  for (int mu = 0; mu < dims; ++mu) {
    if (fixed[mu] > 0) {
      if (left % fixed[mu] != 0)
        throw InputError(fmt::format("lattice.ranks = {}: does not fit {} MPI ranks", fmt::join(fixed, "x"), ranks));
      left /= fixed[mu];
    }
  }
  std::array<int, dims> grid{};
  for (int mu = 0; mu < dims; ++mu)
    grid[mu] = fixed[mu] > 0 ? fixed[mu] : 1;
  // Split by the smallest prime factor of what is left, along the free direction with the
  // longest local extent that stays even (ties: time first, then z, y, x).
  while (left > 1) {
    int factor = 2;
    while (left % factor != 0)
      ++factor;
    int best = -1;
    for (int mu = dims - 1; mu >= 0; --mu) {
      if (fixed[mu] > 0) continue;
      const int local = global[mu] / grid[mu];
      if (local % factor != 0 || (local / factor) % 2 != 0) continue;
      if (best < 0 || local > global[best] / grid[best]) best = mu;
    }
    if (best < 0)
      throw InputError(fmt::format("lattice {}: cannot be split over {} ranks into even local extents (set "
                                   "lattice.ranks)",
                                   fmt::join(global, "x"), ranks));
    grid[best] *= factor;
    left /= factor;
  }
  return grid;
}

Decomposition::Decomposition(const Comm& comm, const std::array<int, dims>& global, std::array<int, dims> ranks,
                             bool pad_everywhere)
{
  for (int mu = 0; mu < dims; ++mu) {
    if (global[mu] < 2 || global[mu] % 2 != 0)
      throw InputError(fmt::format("lattice extent {} along {} must be even and at least 2", global[mu], "xyzt"[mu]));
  }
  const auto grid = choose_rank_grid(global, comm.size(), ranks);
  for (int mu = 0; mu < dims; ++mu) {
    if (global[mu] % grid[mu] != 0 || (global[mu] / grid[mu]) % 2 != 0)
      throw InputError(fmt::format("lattice {} over ranks {}: the local extent along {} must be even",
                                   fmt::join(global, "x"), fmt::join(grid, "x"), "xyzt"[mu]));
  }
  cart_ = std::make_unique<CartComm>(comm, std::vector<int>(grid.begin(), grid.end()), std::vector<bool>(dims, true));
  Geometry& g = geometry_;
  double storage_sites = 1; // counted in double first: 1e5^4 sites overflow an Index
  for (int mu = 0; mu < dims; ++mu) {
    g.global[mu] = global[mu];
    g.local[mu] = global[mu] / grid[mu];
    g.origin[mu] = cart_->coords()[mu] * g.local[mu];
    g.pad[mu] = (grid[mu] > 1 || pad_everywhere) ? 1 : 0;
    g.padded[mu] = g.local[mu] + 2 * g.pad[mu];
    g.any_padding = g.any_padding || g.pad[mu] > 0;
    storage_sites *= static_cast<double>(g.padded[mu]);
  }
  if (storage_sites >= 0x1p31)
    throw InputError(fmt::format("lattice {} over ranks {}: {:.0f} sites per rank (with ghosts), more than the 2^31 a "
                                 "rank can index; use more ranks",
                                 fmt::join(global, "x"), fmt::join(grid, "x"), storage_sites));
  Index volume = 1, storage = 1;
  for (int mu = 0; mu < dims; ++mu) {
    volume *= g.local[mu];
    storage *= g.padded[mu];
  }
  g.half_volume = volume / 2;
  g.storage_half = storage / 2;
}

std::array<int, dims> Decomposition::rank_grid() const
{
  std::array<int, dims> grid{};
  for (int mu = 0; mu < dims; ++mu)
    grid[mu] = cart_->dims()[mu];
  return grid;
}

void* Decomposition::buffer(int k, std::size_t bytes) const
{
  auto& b = buffers_[k];
  const std::size_t doubles = (bytes + sizeof(double) - 1) / sizeof(double);
  if (b.extent(0) < doubles) b = View<double*>(Kokkos::view_alloc(Kokkos::WithoutInitializing, "lqcd::halo"), doubles);
  return b.data();
}

} // namespace tessera::lqcd
