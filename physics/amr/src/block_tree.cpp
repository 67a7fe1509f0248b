// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/block_tree.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::amr {

std::uint64_t morton_key(const LogicalLocation& loc, int finest_level)
{
  std::uint64_t key = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const auto x = static_cast<std::uint64_t>(loc.lx[axis]) << (finest_level - loc.level);
    for (int bit = 0; bit < morton_bits; ++bit)
      key |= ((x >> bit) & 1u) << (3 * bit + axis);
  }
  return key;
}

bool morton_less(const LogicalLocation& a, const LogicalLocation& b, int finest_level)
{
  const auto ka = morton_key(a, finest_level), kb = morton_key(b, finest_level);
  return ka != kb ? ka < kb : a.level < b.level;
}

namespace {

// Calls f(offset) for every offset in {-1, 0, 1}^dims except zero.
template <class F>
void for_each_offset(int dims, const F& f)
{
  for (int k = (dims > 2 ? -1 : 0); k <= (dims > 2 ? 1 : 0); ++k)
    for (int j = (dims > 1 ? -1 : 0); j <= (dims > 1 ? 1 : 0); ++j)
      for (int i = -1; i <= 1; ++i)
        if (i != 0 || j != 0 || k != 0) f(std::array<int, 3>{i, j, k});
}

// Whether child c of a block lies on the side of that block facing `toward` (an offset from
// the block to its neighbour): along each axis with a non-zero offset, the child must be the
// half nearer that neighbour.
bool child_faces(const LogicalLocation& child, const std::array<int, 3>& toward)
{
  for (int axis = 0; axis < 3; ++axis) {
    const bool upper_half = (child.lx[axis] & 1) != 0;
    if (toward[axis] > 0 && !upper_half) return false;
    if (toward[axis] < 0 && upper_half) return false;
  }
  return true;
}

std::array<int, 3> opposite(const std::array<int, 3>& offset)
{
  return {-offset[0], -offset[1], -offset[2]};
}

} // namespace

BlockTree::BlockTree(const TreeShape& shape) : shape_(shape)
{
  if (shape_.dims < 1 || shape_.dims > 3)
    throw InputError(fmt::format("mesh: {} dimensions; expected 1, 2 or 3", shape_.dims));
  for (int axis = 0; axis < 3; ++axis) {
    if (axis >= shape_.dims) shape_.root[axis] = 1;
    const std::int64_t finest = shape_.root[axis] << shape_.max_level;
    if (shape_.root[axis] < 1 || finest > (std::int64_t{1} << morton_bits)) {
      throw InputError(fmt::format("mesh: {} root blocks along axis {} refined {} times exceed 2^{} blocks",
                                   shape_.root[axis], axis + 1, shape_.max_level, morton_bits));
    }
  }
  for (std::int64_t z = 0; z < shape_.root[2]; ++z)
    for (std::int64_t y = 0; y < shape_.root[1]; ++y)
      for (std::int64_t x = 0; x < shape_.root[0]; ++x)
        leaves_.insert({0, {x, y, z}});
}

BlockTree BlockTree::from_leaves(const TreeShape& shape, std::vector<LogicalLocation> leaves, const std::string& source)
{
  BlockTree tree(shape);
  const auto bad = [&](const std::string& why) {
    return IoError(fmt::format("{}: the blocks do not form a mesh of this shape: {}", source, why));
  };
  for (const auto& leaf : leaves) {
    if (leaf.level < 0 || leaf.level > shape.max_level) throw bad(fmt::format("level {}", leaf.level));
    for (int axis = 0; axis < 3; ++axis)
      if (leaf.lx[axis] < 0 || leaf.lx[axis] >= tree.extent(leaf.level, axis))
        throw bad(fmt::format("block ({}, {}, {}) outside level {}", leaf.lx[0], leaf.lx[1], leaf.lx[2], leaf.level));
    // Refine the ancestors from the root down; refine() keeps 2:1, which the saved tree obeys.
    for (int level = 0; level < leaf.level; ++level) {
      LogicalLocation ancestor{level, {}};
      for (int axis = 0; axis < 3; ++axis)
        ancestor.lx[axis] = leaf.lx[axis] >> (leaf.level - level);
      if (tree.is_leaf(ancestor)) tree.refine(ancestor);
    }
  }
  std::sort(leaves.begin(), leaves.end(),
            [&](const auto& a, const auto& b) { return morton_less(a, b, shape.max_level); });
  if (tree.leaves() != leaves) throw bad("they are not the leaves of a 2:1-balanced tree");
  return tree;
}

std::vector<LogicalLocation> BlockTree::leaves() const
{
  // The key of each leaf once, not once per comparison: regrids of thousands of blocks call this.
  std::vector<std::pair<std::pair<std::uint64_t, int>, LogicalLocation>> keyed;
  keyed.reserve(leaves_.size());
  for (const auto& leaf : leaves_)
    keyed.push_back({{morton_key(leaf, shape_.max_level), leaf.level}, leaf});
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<LogicalLocation> out;
  out.reserve(keyed.size());
  for (const auto& [key, leaf] : keyed)
    out.push_back(leaf);
  return out;
}

LogicalLocation BlockTree::shifted(const LogicalLocation& loc, const std::array<int, 3>& offset) const
{
  LogicalLocation out = loc;
  for (int axis = 0; axis < 3; ++axis) {
    if (offset[axis] == 0) continue;
    if (axis >= shape_.dims) return {-1, {}};
    const std::int64_t n = extent(loc.level, axis);
    std::int64_t x = loc.lx[axis] + offset[axis];
    if (x < 0 || x >= n) {
      if (!shape_.periodic[axis]) return {-1, {}};
      x = (x + n) % n;
    }
    out.lx[axis] = x;
  }
  return out;
}

LogicalLocation BlockTree::covering_leaf(const LogicalLocation& loc) const
{
  for (LogicalLocation a = loc; a.level >= 0; a = a.parent())
    if (leaves_.count(a)) return a;
  return {-1, {}};
}

bool BlockTree::refine(const LogicalLocation& leaf)
{
  if (!is_leaf(leaf)) throw Error(ExitCode::failure, "BlockTree::refine: not a leaf");
  if (leaf.level >= shape_.max_level) return false;
  // The children will be one level finer than the leaf: every neighbour must be at least at
  // the leaf's level first.
  for_each_offset(shape_.dims, [&](const std::array<int, 3>& offset) {
    const auto n = shifted(leaf, offset);
    if (n.level < 0) return;
    const auto c = covering_leaf(n);
    if (c.level >= 0 && c.level < leaf.level) refine(c);
  });
  leaves_.erase(leaf);
  for (int c = 0; c < children(); ++c)
    leaves_.insert(leaf.child(c, shape_.dims));
  return true;
}

bool BlockTree::derefine(const LogicalLocation& parent)
{
  for (int c = 0; c < children(); ++c)
    if (!is_leaf(parent.child(c, shape_.dims))) return false;
  // The merged block is one level coarser than its children: no neighbour may be finer than
  // the children are.
  bool allowed = true;
  for_each_offset(shape_.dims, [&](const std::array<int, 3>& offset) {
    const auto n = shifted(parent, offset);
    if (n.level < 0 || covering_leaf(n).level >= 0) return;
    for (int c = 0; c < children(); ++c) {
      const auto child = n.child(c, shape_.dims);
      if (child_faces(child, opposite(offset)) && !is_leaf(child)) allowed = false;
    }
  });
  if (!allowed) return false;
  for (int c = 0; c < children(); ++c)
    leaves_.erase(parent.child(c, shape_.dims));
  leaves_.insert(parent);
  return true;
}

std::vector<Neighbour> BlockTree::neighbours(const LogicalLocation& leaf) const
{
  std::vector<Neighbour> out;
  for_each_offset(shape_.dims, [&](const std::array<int, 3>& offset) {
    const auto n = shifted(leaf, offset);
    if (n.level < 0) return;
    const auto c = covering_leaf(n);
    if (c.level >= 0) {
      out.push_back({offset, c, c.level - leaf.level});
      return;
    }
    for (int k = 0; k < children(); ++k) {
      const auto child = n.child(k, shape_.dims);
      if (child_faces(child, opposite(offset))) out.push_back({offset, child, 1});
    }
  });
  return out;
}

} // namespace tessera::amr
