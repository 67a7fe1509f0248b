#include "tessera/amr/mesh.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::amr {
namespace {

BlockExtent extent_of(const MeshShape& shape)
{
  BlockExtent e;
  e.dims = shape.tree.dims;
  e.n = shape.block_cells;
  for (int axis = 0; axis < 3; ++axis) {
    const bool active = axis < e.dims;
    e.cells[axis] = active ? e.n + 2 * ghosts : 1;
    e.begin[axis] = active ? ghosts : 0;
    e.end[axis] = active ? ghosts + e.n : 1;
  }
  return e;
}

void check(const MeshShape& shape)
{
  if (shape.tree.dims < 1 || shape.tree.dims > 3)
    throw InputError(fmt::format("mesh: dims must be 1, 2 or 3, not {}", shape.tree.dims));
  if (shape.block_cells < 2 * ghosts || shape.block_cells % 2 != 0)
    throw InputError(
        fmt::format("mesh: block cells must be even and at least {}, not {}", 2 * ghosts, shape.block_cells));
  for (int axis = 0; axis < shape.tree.dims; ++axis)
    if (!(shape.upper[axis] > shape.lower[axis]))
      throw InputError(fmt::format("mesh: the upper bound of axis {} must exceed the lower", axis));
  if (shape.scalars < 0) throw InputError("mesh: the number of scalars cannot be negative");
}

} // namespace

Mesh::Mesh(const MeshShape& shape) : Mesh(shape, BlockTree(shape.tree)) {}

Mesh::Mesh(const MeshShape& shape, BlockTree tree)
    : shape_(shape), tree_(std::move(tree)), extent_(extent_of(shape)), locations_(tree_.leaves())
{
  check(shape);
  const auto nb = static_cast<Index>(locations_.size());
  origin = View<double* [3]>("amr::origin", nb);
  width = View<double* [3]>("amr::width", nb);
  auto origin_host = Kokkos::create_mirror_view(origin);
  auto width_host = Kokkos::create_mirror_view(width);
  for (Index b = 0; b < nb; ++b) {
    const auto& loc = locations_[static_cast<std::size_t>(b)];
    const auto dx = cell_width(loc.level);
    for (int axis = 0; axis < 3; ++axis) {
      width_host(b, axis) = dx[axis];
      origin_host(b, axis) = axis < shape_.tree.dims ? shape_.lower[axis] + static_cast<double>(loc.lx[axis]) *
                                                                                shape_.block_cells * dx[axis]
                                                     : 0.0;
    }
  }
  Kokkos::deep_copy(origin, origin_host);
  Kokkos::deep_copy(width, width_host);
}

double Mesh::cells() const
{
  double per_block = 1;
  for (int axis = 0; axis < shape_.tree.dims; ++axis)
    per_block *= extent_.n;
  return per_block * blocks();
}

std::array<double, 3> Mesh::cell_width(int level) const
{
  std::array<double, 3> dx{1, 1, 1};
  for (int axis = 0; axis < shape_.tree.dims; ++axis)
    dx[axis] = (shape_.upper[axis] - shape_.lower[axis]) /
               (static_cast<double>(shape_.tree.root[axis] << level) * shape_.block_cells);
  return dx;
}

BlockData Mesh::allocate(const std::string& label) const
{
  return BlockData(label, static_cast<std::size_t>(blocks()), static_cast<std::size_t>(variables()),
                   static_cast<std::size_t>(extent_.cells[2]), static_cast<std::size_t>(extent_.cells[1]),
                   static_cast<std::size_t>(extent_.cells[0]));
}

} // namespace tessera::amr
