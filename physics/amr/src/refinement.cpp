// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/refinement.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/loops.hpp"

namespace tessera::amr {
namespace {

// Lohner's estimator of one quantity at one cell from its neighbours along each active axis.
struct Estimator {
  BlockData u;
  View<double*> out;
  BlockExtent e;
  double gamma, filter;
  int buffer;

  KOKKOS_FUNCTION double quantity(int q, int b, int k, int j, int i) const
  {
    const double rho = u(b, density, k, j, i);
    if (q == 0) return rho;
    const double mx = u(b, momentum_x, k, j, i), my = u(b, momentum_y, k, j, i), mz = u(b, momentum_z, k, j, i);
    return (gamma - 1) * (u(b, energy, k, j, i) - 0.5 * (mx * mx + my * my + mz * mz) / rho);
  }

  KOKKOS_FUNCTION double at(int b, int k, int j, int i) const
  {
    double largest = 0;
    for (int q = 0; q < 2; ++q) {
      double num = 0, den = 0;
      const double c = quantity(q, b, k, j, i);
      for (int a = 0; a < e.dims; ++a) {
        const int di = a == 0, dj = a == 1, dk = a == 2;
        const double up = quantity(q, b, k + dk, j + dj, i + di), down = quantity(q, b, k - dk, j - dj, i - di);
        num += (up - 2 * c + down) * (up - 2 * c + down);
        const double d = Kokkos::fabs(up - c) + Kokkos::fabs(c - down) +
                         filter * (Kokkos::fabs(up) + 2 * Kokkos::fabs(c) + Kokkos::fabs(down));
        den += d * d;
      }
      if (den > 0) largest = Kokkos::max(largest, Kokkos::sqrt(num / den));
    }
    return largest;
  }

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const int b = team.league_rank();
    int lo[3], n[3];
    for (int a = 0; a < 3; ++a) {
      const bool active = a < e.dims;
      lo[a] = active ? e.begin[a] - buffer : 0;
      n[a] = active ? e.n + 2 * buffer : 1;
    }
    double largest = 0;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(team, n[0] * n[1] * n[2]),
        [&](int m, double& best) {
          const int i = lo[0] + m % n[0], j = lo[1] + (m / n[0]) % n[1], k = lo[2] + m / (n[0] * n[1]);
          best = Kokkos::max(best, at(b, k, j, i));
        },
        Kokkos::Max<double>(largest));
    Kokkos::single(Kokkos::PerTeam(team), [&] { out(b) = largest; });
  }
};

bool overlaps(const Mesh& mesh, const LogicalLocation& loc, const RefinementRegion& r)
{
  const auto dx = mesh.cell_width(loc.level);
  for (int a = 0; a < mesh.shape().tree.dims; ++a) {
    const double lo = mesh.shape().lower[a] + static_cast<double>(loc.lx[a]) * mesh.shape().block_cells * dx[a];
    const double hi = lo + mesh.shape().block_cells * dx[a];
    if (hi <= r.lower[a] || lo >= r.upper[a]) return false;
  }
  return true;
}

int region_level(const Mesh& mesh, const LogicalLocation& loc, const RefinementParams& p)
{
  int level = 0;
  for (const auto& r : p.regions)
    if (overlaps(mesh, loc, r)) level = std::max(level, r.level);
  return level;
}

} // namespace

std::vector<double> block_estimates(const Mesh& mesh, const BlockData& u, double gamma, const RefinementParams& p)
{
  if (p.buffer < 0 || p.buffer > ghosts - 1)
    throw InputError(fmt::format("refinement: buffer must be 0 or {}, not {}", ghosts - 1, p.buffer));
  View<double*> out("amr::estimates", static_cast<std::size_t>(mesh.blocks()));
  par_for_team("amr::estimate", team_policy(ExecSpace(), mesh.blocks(), 0, 0),
               Estimator{u, out, mesh.extent(), gamma, p.filter, p.buffer});
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  return mesh.comm().all_gather_v(std::vector<double>(host.data(), host.data() + host.extent(0)));
}

bool adapt(const Mesh& mesh, const std::vector<double>& estimates, const RefinementParams& p, BlockTree& tree)
{
  const auto& locations = mesh.leaves(); // every rank takes the same decisions
  const int max_level = mesh.shape().tree.max_level;
  bool changed = false;
  // Refinement first: the tree refines coarser neighbours as needed (2:1).
  for (std::size_t b = 0; b < locations.size(); ++b) {
    const auto& loc = locations[b];
    const bool wanted = estimates[b] > p.refine_threshold || region_level(mesh, loc, p) > loc.level;
    if (wanted && loc.level < max_level && tree.is_leaf(loc)) changed = tree.refine(loc) || changed;
  }
  // Then merges: every child of a parent a leaf still, all quiet, none needed by a region.
  std::map<LogicalLocation, int> quiet_children;
  for (std::size_t b = 0; b < locations.size(); ++b) {
    const auto& loc = locations[b];
    if (loc.level == 0 || !tree.is_leaf(loc)) continue;
    if (estimates[b] < p.derefine_threshold && region_level(mesh, loc, p) < loc.level) ++quiet_children[loc.parent()];
  }
  const int children = 1 << mesh.shape().tree.dims;
  for (const auto& [parent, quiet] : quiet_children)
    if (quiet == children) changed = tree.derefine(parent) || changed;
  return changed;
}

} // namespace tessera::amr
