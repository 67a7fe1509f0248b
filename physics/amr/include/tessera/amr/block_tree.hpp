// SPDX-License-Identifier: Apache-2.0
#pragma once
// The tree of mesh blocks: a root grid of blocks refined by an octree (quadtree in 2-D,
// binary tree in 1-D), refinement ratio 2, and the 2:1 rule between all face, edge and
// corner neighbours enforced on every refinement and derefinement. Host-side bookkeeping
// only: which blocks exist and who their neighbours are; the data live in packed Views.

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tessera/amr/logical_location.hpp"

namespace tessera::amr {

// From the input keys (amr::params_from): the schema holds the defaults, nothing here does.
struct TreeShape {
  int dims;                         // 1, 2 or 3
  std::array<std::int64_t, 3> root; // blocks of the root grid per axis (1 on inactive axes)
  std::array<bool, 3> periodic;
  int max_level; // finest level allowed (0: no refinement)
};

// A neighbour of a block across one face, edge or corner (offset in {-1, 0, 1}^dims, not all
// zero): the leaf or leaves touching it there, with their level relative to the block.
struct Neighbour {
  std::array<int, 3> offset{0, 0, 0};
  LogicalLocation location;
  int level_difference = 0; // -1 coarser, 0 same, +1 finer
};

class BlockTree {
public:
  explicit BlockTree(const TreeShape& shape);
  // The tree whose leaves are exactly `leaves` (e.g. read from a checkpoint); throws IoError
  // naming `source` if they do not form a complete 2:1-balanced tree of this shape.
  static BlockTree from_leaves(const TreeShape& shape, std::vector<LogicalLocation> leaves, const std::string& source);

  const TreeShape& shape() const { return shape_; }

  // Leaves in Morton order (the order of the packed block Views and of the rank split).
  std::vector<LogicalLocation> leaves() const;
  bool is_leaf(const LogicalLocation& loc) const { return leaves_.count(loc) > 0; }
  std::size_t size() const { return leaves_.size(); }

  // Refines a leaf into 2^dims children, first refining any coarser neighbour (recursively)
  // so that the 2:1 rule holds. Returns false (and changes nothing) at max_level.
  bool refine(const LogicalLocation& leaf);
  // Replaces the 2^dims leaf children of `parent` by it, unless that would break the 2:1 rule
  // (a neighbour of the parent finer than the children) or a child is not a leaf. Returns
  // whether it did.
  bool derefine(const LogicalLocation& parent);

  // Every leaf touching `leaf` across each face, edge and corner (periodic wrap where the
  // axis is periodic; nothing beyond a non-periodic boundary).
  std::vector<Neighbour> neighbours(const LogicalLocation& leaf) const;

  // The leaf containing the region of `loc` if one exists at its level or coarser, else an
  // invalid location (level -1): loc is then covered by finer leaves.
  LogicalLocation covering_leaf(const LogicalLocation& loc) const;

  // The location one block step away at the same level, wrapped on periodic axes; level -1
  // when it falls outside a non-periodic boundary.
  LogicalLocation shifted(const LogicalLocation& loc, const std::array<int, 3>& offset) const;

private:
  std::int64_t extent(int level, int axis) const { return shape_.root[axis] << level; }
  int children() const { return 1 << shape_.dims; }

  TreeShape shape_;
  std::set<LogicalLocation> leaves_;
};

} // namespace tessera::amr
