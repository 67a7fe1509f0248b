// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/demo/demo.hpp"

namespace tessera::demo {

namespace {
constexpr std::uint32_t grid_stream = 1;
}

Grid make_grid(const CartComm& cart, const Params& p)
{
  const Index nx_local = local_extent(p.nx, cart.dims()[0], "grid.nx");
  Grid grid;
  grid.temperature = ViewRight<double***>("demo::temperature", nx_local + 2, p.ny + 2, p.nz + 2);
  grid.x_offset = cart.coords()[0] * nx_local;
  return grid;
}

void initialise_grid(const Grid& grid, const Params& p)
{
  const auto t = grid.temperature;
  const Index x0 = grid.x_offset, ny = p.ny, nz = p.nz;
  const std::uint64_t seed = p.seed;
  par_for_md<3>(
      "demo::initialise_grid", {1, 1, 1}, {static_cast<Index>(t.extent(0)) - 1, ny + 1, nz + 1},
      KOKKOS_LAMBDA(Index i, Index j, Index k) {
        const Index cell = ((x0 + i - 1) * ny + (j - 1)) * nz + (k - 1);
        RandomDraws rng(seed, grid_stream, static_cast<std::uint64_t>(cell));
        t(i, j, k) = rng.uniform();
      });
}

void diffuse(const HaloExchange3D<double>& halo, Grid& grid, ViewRight<double***>& scratch, double diffusivity)
{
  halo(grid.temperature);
  const auto t = grid.temperature;
  const auto out = scratch;
  const double a = diffusivity;
  par_for_md<3>(
      "demo::diffuse", {1, 1, 1},
      {static_cast<Index>(t.extent(0)) - 1, static_cast<Index>(t.extent(1)) - 1, static_cast<Index>(t.extent(2)) - 1},
      KOKKOS_LAMBDA(Index i, Index j, Index k) {
        const double laplacian = t(i - 1, j, k) + t(i + 1, j, k) + t(i, j - 1, k) + t(i, j + 1, k) + t(i, j, k - 1) +
                                 t(i, j, k + 1) - 6.0 * t(i, j, k);
        out(i, j, k) = t(i, j, k) + a * laplacian;
      });
  std::swap(grid.temperature, scratch);
}

double total_heat(const CartComm& cart, const Grid& grid)
{
  const auto t = grid.temperature;
  double local = 0;
  par_reduce_md<3>(
      "demo::total_heat", {1, 1, 1},
      {static_cast<Index>(t.extent(0)) - 1, static_cast<Index>(t.extent(1)) - 1, static_cast<Index>(t.extent(2)) - 1},
      KOKKOS_LAMBDA(Index i, Index j, Index k, double& sum) { sum += t(i, j, k); }, local);
  return cart.comm().sum(local);
}

} // namespace tessera::demo
