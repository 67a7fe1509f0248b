// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/ghost_exchange.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/loops.hpp"

namespace tessera::amr {
namespace {

// The ghost cells on side `offset` (-1, 0, 1) of an active axis: [lo, hi).
void ghost_range(const BlockExtent& e, int axis, int offset, int& lo, int& hi)
{
  lo = offset < 0 ? 0 : (offset > 0 ? e.end[axis] : e.begin[axis]);
  hi = offset < 0 ? e.begin[axis] : (offset > 0 ? e.cells[axis] : e.end[axis]);
}

std::int64_t floor_half(std::int64_t x)
{
  return x >= 0 ? x / 2 : -((1 - x) / 2);
}

// The box of `dst`'s ghost cells that neighbour `nb` fills, and the index map to it. Global
// cell indices make the map independent of periodic wrapping: the neighbour's block index
// is taken unwrapped (one step from dst), its cells' local index is global - origin + ghosts.
GhostCopy ghost_copy(const Mesh& mesh, int dst, int src, const LogicalLocation& at, const Neighbour& nb)
{
  const auto& e = mesh.extent();
  const std::int64_t n = e.n;
  GhostCopy g;
  g.dst = dst, g.src = src, g.kind = nb.level_difference;
  for (int a = 0; a < 3; ++a) {
    if (a >= e.dims) { // the single cell of an inactive axis
      g.hi[a] = 1;
      continue;
    }
    ghost_range(e, a, nb.offset[a], g.lo[a], g.hi[a]);
    const std::int64_t step = at.lx[a] + nb.offset[a]; // the neighbour's place at dst's level
    if (g.kind == 0) {
      g.c[a] = static_cast<int>((at.lx[a] - step) * n);
    } else if (g.kind > 0) {
      const std::int64_t fine = 2 * step + (nb.location.lx[a] & 1);
      if (nb.offset[a] == 0) { // only the half of dst's side that this fine block touches
        const int half = static_cast<int>(n / 2) * static_cast<int>(nb.location.lx[a] & 1);
        g.lo[a] = e.begin[a] + half;
        g.hi[a] = g.lo[a] + static_cast<int>(n / 2);
      }
      g.c[a] = static_cast<int>(2 * (at.lx[a] * n - ghosts) - fine * n + ghosts);
    } else {
      const std::int64_t coarse = floor_half(step);
      g.c[a] = static_cast<int>(at.lx[a] * n - 2 * coarse * n + ghosts);
    }
  }
  return g;
}

struct Plan {
  std::vector<GhostCopy> copies;
  std::vector<std::vector<GhostCopy>> prolongations; // by destination level
  // What each pass reads of other ranks' blocks: pass 0 (copies and restriction) and then
  // the prolongation into each level.
  std::vector<std::vector<HaloNeed>> needs;
};

// The source cells a ghost box reads: same level [lo + c, hi + c); restriction the 2^dims
// fine cells of each; prolongation the coarse cell of each and its face neighbours (slopes).
HaloNeed need_of(const Mesh& mesh, const GhostCopy& g)
{
  HaloNeed need;
  need.source = mesh.halo()[static_cast<std::size_t>(g.src - mesh.blocks())];
  need.slot = g.src;
  for (int a = 0; a < mesh.shape().tree.dims; ++a) {
    if (g.kind == 0) {
      need.lo[a] = g.lo[a] + g.c[a], need.hi[a] = g.hi[a] + g.c[a];
    } else if (g.kind > 0) {
      need.lo[a] = 2 * g.lo[a] + g.c[a], need.hi[a] = 2 * (g.hi[a] - 1) + g.c[a] + 2;
    } else {
      need.lo[a] = ((g.lo[a] + g.c[a]) >> 1) - 1, need.hi[a] = ((g.hi[a] - 1 + g.c[a]) >> 1) + 2;
    }
  }
  return need;
}

Plan plan(const Mesh& mesh)
{
  Plan p;
  const auto levels = static_cast<std::size_t>(mesh.shape().tree.max_level) + 1;
  p.prolongations.resize(levels);
  p.needs.resize(levels);
  for (int b = 0; b < mesh.blocks(); ++b) {
    const auto& at = mesh.locations()[static_cast<std::size_t>(b)];
    for (const auto& nb : mesh.neighbours(b)) {
      const auto g = ghost_copy(mesh, b, mesh.slot_of(nb.location), at, nb);
      const auto pass = g.kind < 0 ? static_cast<std::size_t>(at.level) : 0;
      if (g.kind < 0)
        p.prolongations[pass].push_back(g);
      else
        p.copies.push_back(g);
      if (g.src >= mesh.blocks()) p.needs[pass].push_back(need_of(mesh, g));
    }
  }
  return p;
}

// The boxes cut into boxes of at most max_cells cells (one layer at least), along z or y,
// whichever is longer (x keeps the rows contiguous). Each cell is filled as before: the
// same values, only more teams.
std::vector<GhostCopy> cut_boxes(const std::vector<GhostCopy>& boxes, int max_cells)
{
  std::vector<GhostCopy> out;
  for (const auto& g : boxes) {
    const int extent[3] = {g.hi[0] - g.lo[0], g.hi[1] - g.lo[1], g.hi[2] - g.lo[2]};
    const long cells = static_cast<long>(extent[0]) * extent[1] * extent[2];
    const int axis = extent[2] >= extent[1] ? 2 : 1;
    if (cells <= max_cells || extent[axis] <= 1) {
      out.push_back(g);
      continue;
    }
    const long layer = cells / extent[axis];
    const int per_box = static_cast<int>(std::max(1L, max_cells / layer));
    for (int lo = g.lo[axis]; lo < g.hi[axis]; lo += per_box) {
      GhostCopy piece = g;
      piece.lo[axis] = lo;
      piece.hi[axis] = std::min(lo + per_box, g.hi[axis]);
      out.push_back(piece);
    }
  }
  return out;
}

// The boundary faces of the blocks along `axis`, each cut into runs of layers along the face's
// last axis of at most max_cells ghost cells (at least one layer).
std::vector<BoundaryFace> physical_faces(const Mesh& mesh, const BoundaryConditions& bc, int axis, int max_cells)
{
  std::vector<BoundaryFace> faces;
  if (axis >= mesh.shape().tree.dims || bc[axis][0] == Boundary::periodic) return faces;
  const auto& e = mesh.extent();
  const int layers = e.cells[(axis + 2) % 3];
  const long layer_cells = static_cast<long>(ghosts) * e.cells[(axis + 1) % 3];
  const int per_team = static_cast<int>(std::clamp(max_cells / layer_cells, 1L, static_cast<long>(layers)));
  for (int b = 0; b < mesh.blocks(); ++b) {
    const auto& loc = mesh.locations()[static_cast<std::size_t>(b)];
    const std::int64_t last = (mesh.shape().tree.root[axis] << loc.level) - 1;
    for (int upper = 0; upper < 2; ++upper)
      if (loc.lx[axis] == (upper ? last : 0))
        for (int first = 0; first < layers; first += per_team)
          faces.push_back(
              {b, upper, bc[axis][upper] == Boundary::reflecting ? 1 : 0, first, std::min(first + per_team, layers)});
  }
  return faces;
}

void check_boundaries(const Mesh& mesh, const BoundaryConditions& bc)
{
  for (int axis = 0; axis < mesh.shape().tree.dims; ++axis) {
    const bool lower = bc[axis][0] == Boundary::periodic, upper = bc[axis][1] == Boundary::periodic;
    if (lower != upper) throw InputError(fmt::format("amr: axis {}: periodic on one side only", axis));
    if (lower != mesh.shape().tree.periodic[axis])
      throw std::logic_error(fmt::format("amr: axis {}: boundary and tree disagree on periodicity", axis));
  }
}

KOKKOS_INLINE_FUNCTION double minmod(double a, double b)
{
  return a * b <= 0 ? 0.0 : (Kokkos::fabs(a) < Kokkos::fabs(b) ? a : b);
}

// Fills every box of `copies` (one team per box) from its source block.
struct FillBoxes {
  BlockData u;
  View<GhostCopy*> copies;
  int variables, dims;

  KOKKOS_FUNCTION double same_level(const GhostCopy& g, int v, int k, int j, int i) const
  {
    return u(g.src, v, k + g.c[2], j + g.c[1], i + g.c[0]);
  }

  KOKKOS_FUNCTION double restricted(const GhostCopy& g, int v, int k, int j, int i) const
  {
    const int i0 = 2 * i + g.c[0], j0 = dims > 1 ? 2 * j + g.c[1] : 0, k0 = dims > 2 ? 2 * k + g.c[2] : 0;
    double sum = 0;
    for (int dk = 0; dk < (dims > 2 ? 2 : 1); ++dk)
      for (int dj = 0; dj < (dims > 1 ? 2 : 1); ++dj)
        for (int di = 0; di < 2; ++di)
          sum += u(g.src, v, k0 + dk, j0 + dj, i0 + di);
    return sum / (1 << dims);
  }

  KOKKOS_FUNCTION double prolonged(const GhostCopy& g, int v, int k, int j, int i) const
  {
    const int idx[3] = {i, j, k};
    int c[3] = {0, 0, 0}, half[3] = {0, 0, 0};
    for (int a = 0; a < dims; ++a) {
      c[a] = (idx[a] + g.c[a]) >> 1;
      half[a] = (idx[a] + g.c[a]) & 1;
    }
    const double centre = u(g.src, v, c[2], c[1], c[0]);
    double value = centre;
    for (int a = 0; a < dims; ++a) {
      const int di = a == 0, dj = a == 1, dk = a == 2;
      const double up = u(g.src, v, c[2] + dk, c[1] + dj, c[0] + di) - centre;
      const double down = centre - u(g.src, v, c[2] - dk, c[1] - dj, c[0] - di);
      value += (half[a] ? 0.25 : -0.25) * minmod(up, down);
    }
    return value;
  }

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const GhostCopy g = copies(team.league_rank());
    const int ni = g.hi[0] - g.lo[0], nj = g.hi[1] - g.lo[1], nk = g.hi[2] - g.lo[2];
    const int count = variables * nk * nj * ni;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, count), [&](int n) {
      const int i = g.lo[0] + n % ni;
      const int j = g.lo[1] + (n / ni) % nj;
      const int k = g.lo[2] + (n / (ni * nj)) % nk;
      const int v = n / (ni * nj * nk);
      u(g.dst, v, k, j, i) = g.kind == 0  ? same_level(g, v, k, j, i)
                             : g.kind > 0 ? restricted(g, v, k, j, i)
                                          : prolonged(g, v, k, j, i);
    });
  }
};

void fill_boxes(const BlockData& u, const View<GhostCopy*>& boxes, int variables, int dims)
{
  if (boxes.extent(0) == 0) return;
  par_for_team("amr::ghost_boxes", team_policy(ExecSpace(), static_cast<Index>(boxes.extent(0)), 0, 0),
               FillBoxes{u, boxes, variables, dims});
}

// Fills the ghost layers of `faces` along axis A from the block's own interior: outflow
// repeats the last interior cell, reflecting mirrors the cells and flips the normal momentum.
template <int A>
struct FillBoundary {
  BlockData u;
  View<BoundaryFace*> faces;
  BlockExtent e;
  int variables;

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const BoundaryFace f = faces(team.league_rank());
    constexpr int B = (A + 1) % 3, C = (A + 2) % 3;   // the other two axes
    const int nb = e.cells[B], nc = f.last - f.first; // this team's layers along C
    const int count = variables * ghosts * nb * nc;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, count), [&](int n) {
      const int g = n % ghosts;
      const int ib = (n / ghosts) % nb;
      const int ic = f.first + (n / (ghosts * nb)) % nc;
      const int v = n / (ghosts * nb * nc);
      const int dst = f.upper ? e.end[A] + g : e.begin[A] - 1 - g;
      const int src =
          f.reflecting ? (f.upper ? e.end[A] - 1 - g : e.begin[A] + g) : (f.upper ? e.end[A] - 1 : e.begin[A]);
      int d[3], s[3];
      d[A] = dst, s[A] = src;
      d[B] = s[B] = ib;
      d[C] = s[C] = ic;
      const double sign = f.reflecting && v == momentum_x + A ? -1.0 : 1.0;
      u(f.block, v, d[2], d[1], d[0]) = sign * u(f.block, v, s[2], s[1], s[0]);
    });
  }
};

template <int A>
void fill_axis(const BlockData& u, const View<BoundaryFace*>& faces, const BlockExtent& e, int variables)
{
  if (faces.extent(0) == 0) return;
  par_for_team("amr::physical_boundary", team_policy(ExecSpace(), static_cast<Index>(faces.extent(0)), 0, 0),
               FillBoundary<A>{u, faces, e, variables});
}

} // namespace

GhostExchange::GhostExchange(const Mesh& mesh, const BoundaryConditions& boundaries, int cells_per_team)
    : extent_(mesh.extent()), variables_(mesh.variables())
{
  check_boundaries(mesh, boundaries);
  if (cells_per_team < 1) throw std::invalid_argument("GhostExchange: cells_per_team must be positive");
  const Plan p = plan(mesh);
  copies_ = to_device(cut_boxes(p.copies, cells_per_team), "amr::ghost_copies");
  for (const auto& level : p.prolongations)
    prolongations_.push_back(to_device(cut_boxes(level, cells_per_team), "amr::ghost_prolongations"));
  for (const auto& needs : p.needs)
    transfers_.emplace_back(mesh, needs, cells_per_team);
  for (int axis = 0; axis < 3; ++axis)
    faces_[static_cast<std::size_t>(axis)] =
        to_device(physical_faces(mesh, boundaries, axis, cells_per_team), "amr::boundary_faces");
}

void GhostExchange::fill_boundaries(const BlockData& u) const
{
  fill_axis<0>(u, faces_[0], extent_, variables_);
  fill_axis<1>(u, faces_[1], extent_, variables_);
  fill_axis<2>(u, faces_[2], extent_, variables_);
}

void GhostExchange::fill(const BlockData& u) const
{
  transfers_[0].run(u);
  fill_boxes(u, copies_, variables_, extent_.dims);
  fill_boundaries(u);
  // Level by level: boundary cells next to a prolonged ghost read it, and the next level's
  // prolongation may read those boundary cells (on this rank or, sent, on another).
  for (std::size_t level = 1; level < prolongations_.size(); ++level) {
    if (prolongations_[level].extent(0) == 0 && transfers_[level].received() == 0 && transfers_[level].sent() == 0)
      continue;
    transfers_[level].run(u);
    fill_boxes(u, prolongations_[level], variables_, extent_.dims);
    fill_boundaries(u);
  }
}

} // namespace tessera::amr
