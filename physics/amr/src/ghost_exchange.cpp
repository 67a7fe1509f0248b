#include "tessera/amr/ghost_exchange.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/loops.hpp"

namespace tessera::amr {
namespace {

// The index range of the ghost cells on side `offset` (-1, 0, 1) of an axis, and the shift
// to the neighbour's interior cells they mirror.
void ghost_range(const BlockExtent& e, int axis, int offset, int& lo, int& hi, int& shift)
{
  if (offset < 0) {
    lo = 0, hi = e.begin[axis], shift = e.n;
  } else if (offset > 0) {
    lo = e.end[axis], hi = e.cells[axis], shift = -e.n;
  } else {
    lo = e.begin[axis], hi = e.end[axis], shift = 0;
  }
}

std::vector<GhostCopy> same_level_copies(const Mesh& mesh)
{
  std::map<LogicalLocation, int> index;
  for (int b = 0; b < mesh.blocks(); ++b)
    index[mesh.locations()[static_cast<std::size_t>(b)]] = b;
  std::vector<GhostCopy> copies;
  for (int b = 0; b < mesh.blocks(); ++b) {
    for (const auto& nb : mesh.tree().neighbours(mesh.locations()[static_cast<std::size_t>(b)])) {
      if (nb.level_difference != 0)
        throw std::logic_error(
            "amr: ghost exchange across refinement levels is not implemented yet (uniform meshes only)");
      GhostCopy c;
      c.dst = b;
      c.src = index.at(nb.location);
      for (int axis = 0; axis < 3; ++axis)
        ghost_range(mesh.extent(), axis, nb.offset[axis], c.lo[axis], c.hi[axis], c.shift[axis]);
      copies.push_back(c);
    }
  }
  return copies;
}

std::vector<BoundaryFace> physical_faces(const Mesh& mesh, const BoundaryConditions& bc, int axis)
{
  std::vector<BoundaryFace> faces;
  if (axis >= mesh.shape().tree.dims || bc[axis][0] == Boundary::periodic) return faces;
  for (int b = 0; b < mesh.blocks(); ++b) {
    const auto& loc = mesh.locations()[static_cast<std::size_t>(b)];
    const std::int64_t last = (mesh.shape().tree.root[axis] << loc.level) - 1;
    for (int upper = 0; upper < 2; ++upper)
      if (loc.lx[axis] == (upper ? last : 0))
        faces.push_back({b, upper, bc[axis][upper] == Boundary::reflecting ? 1 : 0});
  }
  return faces;
}

template <class T>
View<T*> to_device(const std::vector<T>& items, const std::string& label)
{
  View<T*> out(label, items.size());
  auto host = Kokkos::create_mirror_view(out);
  for (std::size_t i = 0; i < items.size(); ++i)
    host(i) = items[i];
  Kokkos::deep_copy(out, host);
  return out;
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

// Copies every box of `copies` (one team per box).
struct CopyBoxes {
  BlockData u;
  View<GhostCopy*> copies;
  int variables;

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const GhostCopy c = copies(team.league_rank());
    const int ni = c.hi[0] - c.lo[0], nj = c.hi[1] - c.lo[1], nk = c.hi[2] - c.lo[2];
    const int count = variables * nk * nj * ni;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, count), [&](int n) {
      const int i = c.lo[0] + n % ni;
      const int j = c.lo[1] + (n / ni) % nj;
      const int k = c.lo[2] + (n / (ni * nj)) % nk;
      const int v = n / (ni * nj * nk);
      u(c.dst, v, k, j, i) = u(c.src, v, k + c.shift[2], j + c.shift[1], i + c.shift[0]);
    });
  }
};

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
    constexpr int B = (A + 1) % 3, C = (A + 2) % 3; // the other two axes
    const int nb = e.cells[B], nc = e.cells[C];
    const int count = variables * ghosts * nb * nc;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, count), [&](int n) {
      const int g = n % ghosts;
      const int ib = (n / ghosts) % nb;
      const int ic = (n / (ghosts * nb)) % nc;
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

GhostExchange::GhostExchange(const Mesh& mesh, const BoundaryConditions& boundaries)
    : extent_(mesh.extent()), variables_(mesh.variables())
{
  check_boundaries(mesh, boundaries);
  copies_ = to_device(same_level_copies(mesh), "amr::ghost_copies");
  for (int axis = 0; axis < 3; ++axis)
    faces_[static_cast<std::size_t>(axis)] = to_device(physical_faces(mesh, boundaries, axis), "amr::boundary_faces");
}

void GhostExchange::fill(const BlockData& u) const
{
  if (copies_.extent(0) > 0)
    par_for_team("amr::ghost_copies", team_policy(ExecSpace(), static_cast<Index>(copies_.extent(0)), 0, 0),
                 CopyBoxes{u, copies_, variables_});
  fill_axis<0>(u, faces_[0], extent_, variables_);
  fill_axis<1>(u, faces_[1], extent_, variables_);
  fill_axis<2>(u, faces_[2], extent_, variables_);
}

} // namespace tessera::amr
