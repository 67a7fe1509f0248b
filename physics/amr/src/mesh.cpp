// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/mesh.hpp"

#include <algorithm>
#include <set>

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

std::vector<std::int64_t> partition_leaves(std::int64_t leaves, int ranks)
{
  std::vector<std::int64_t> first(static_cast<std::size_t>(ranks) + 1);
  for (int r = 0; r < ranks; ++r)
    first[static_cast<std::size_t>(r)] = block_range(leaves, r, ranks).first;
  first.back() = leaves;
  return first;
}

Mesh::Mesh(const MeshShape& shape, const Comm& comm) : Mesh(shape, BlockTree(shape.tree), comm) {}

Mesh::Mesh(const MeshShape& shape, BlockTree tree, const Comm& comm)
    : shape_(shape), tree_(std::move(tree)), comm_(comm), extent_(extent_of(shape)), leaves_(tree_.leaves())
{
  check(shape);
  first_ = partition_leaves(global_blocks(), comm_.size());
  for (std::size_t b = 0; b < leaves_.size(); ++b)
    index_[leaves_[b]] = static_cast<std::int64_t>(b);
  const auto begin = first_[static_cast<std::size_t>(comm_.rank())],
             end = first_[static_cast<std::size_t>(comm_.rank()) + 1];
  locations_.assign(leaves_.begin() + begin, leaves_.begin() + end);
  std::set<std::int64_t> remote;
  for (const auto& loc : locations_) {
    neighbours_.push_back(tree_.neighbours(loc));
    for (const auto& nb : neighbours_.back()) {
      const auto i = index_.at(nb.location);
      if (i < begin || i >= end) remote.insert(i);
    }
  }
  for (const auto i : remote)
    halo_.push_back(leaves_[static_cast<std::size_t>(i)]);
  for (std::size_t b = 0; b < locations_.size(); ++b)
    slots_[locations_[b]] = static_cast<int>(b);
  for (std::size_t h = 0; h < halo_.size(); ++h)
    slots_[halo_[h]] = static_cast<int>(locations_.size() + h);
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

int Mesh::slot_of(const LogicalLocation& leaf) const
{
  const auto it = slots_.find(leaf);
  return it == slots_.end() ? -1 : it->second;
}

int Mesh::owner_of(std::int64_t leaf_index) const
{
  const auto it = std::upper_bound(first_.begin(), first_.end() - 1, leaf_index);
  return static_cast<int>(it - first_.begin()) - 1;
}

double Mesh::cells() const
{
  return global_cells() / static_cast<double>(global_blocks()) * blocks();
}

double Mesh::global_cells() const
{
  double per_block = 1;
  for (int axis = 0; axis < shape_.tree.dims; ++axis)
    per_block *= extent_.n;
  return per_block * static_cast<double>(global_blocks());
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
  return BlockData(label, static_cast<std::size_t>(slots()), static_cast<std::size_t>(variables()),
                   static_cast<std::size_t>(extent_.cells[2]), static_cast<std::size_t>(extent_.cells[1]),
                   static_cast<std::size_t>(extent_.cells[0]));
}

BlockData Mesh::allocate(const std::string& label, Uninitialised) const
{
  return BlockData(Kokkos::view_alloc(Kokkos::WithoutInitializing, label), static_cast<std::size_t>(slots()),
                   static_cast<std::size_t>(variables()), static_cast<std::size_t>(extent_.cells[2]),
                   static_cast<std::size_t>(extent_.cells[1]), static_cast<std::size_t>(extent_.cells[0]));
}

} // namespace tessera::amr
