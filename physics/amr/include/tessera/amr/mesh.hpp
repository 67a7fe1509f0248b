// SPDX-License-Identifier: Apache-2.0
#pragma once
// The mesh of blocks of one rank: every leaf of the tree is a block of n^dims cells with
// `ghosts` layers of ghost cells on both sides of each active axis. The leaves, in Morton
// order, are split into contiguous ranges of equal cost, one per rank (every block has the
// same cells and work, so equal cost is an equal count); the tree itself is replicated. A
// rank's blocks live in one View with the block index outermost, so one kernel launch covers
// every block; after them come "halo slots": copies of the other ranks' blocks that border
// this rank's, filled by the ghost exchange with what its stencils read of them.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tessera/amr/block_tree.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/core/loops.hpp"
#include "tessera/core/spaces.hpp"

namespace tessera::amr {

inline constexpr int ghosts = 2; // piecewise-linear reconstruction reads two cells beyond a face

// Conserved variables of a cell; passive scalars (as densities, rho * s) follow the energy.
enum Variable : int { density = 0, momentum_x = 1, momentum_y = 2, momentum_z = 3, energy = 4, first_scalar = 5 };

// Cell data of all blocks: (block, variable, k, j, i), i fastest.
using BlockData = Kokkos::View<double*****, Kokkos::LayoutRight, MemSpace>;

// From the input keys (amr::params_from): the schema holds the defaults, nothing here does.
struct MeshShape {
  TreeShape tree;
  int block_cells; // cells per active axis of every block
  std::array<double, 3> lower, upper;
  int scalars;
};

// Index ranges of a block, the same for every block. Inactive axes have one cell, no ghosts.
// Plain arrays: kernels take it by value.
struct BlockExtent {
  int dims = 3;
  int n = 16;               // interior cells per active axis
  int cells[3] = {1, 1, 1}; // with ghosts
  int begin[3] = {0, 0, 0}; // first interior index
  int end[3] = {1, 1, 1};   // one past the last interior index
};

// The first leaf (in Morton order) of each rank and, last, the number of leaves: rank r owns
// leaves [first[r], first[r + 1]).
std::vector<std::int64_t> partition_leaves(std::int64_t leaves, int ranks);

class Mesh {
public:
  // Every leaf of `tree` becomes a block, in Morton order, on the rank that owns it.
  Mesh(const MeshShape& shape, BlockTree tree, const Comm& comm = Comm());
  // The root grid alone (level 0 everywhere).
  explicit Mesh(const MeshShape& shape, const Comm& comm = Comm());

  const MeshShape& shape() const { return shape_; }
  const BlockTree& tree() const { return tree_; }
  const BlockExtent& extent() const { return extent_; }
  const Comm& comm() const { return comm_; }
  // This rank's blocks.
  int blocks() const { return static_cast<int>(locations_.size()); }
  // This rank's blocks and then its halo slots: the first extent of every BlockData.
  int slots() const { return blocks() + static_cast<int>(halo_.size()); }
  int variables() const { return first_scalar + shape_.scalars; }
  // The place of block b in the tree.
  const std::vector<LogicalLocation>& locations() const { return locations_; }
  // Every leaf of the tree, in Morton order (all ranks' blocks).
  const std::vector<LogicalLocation>& leaves() const { return leaves_; }
  std::int64_t global_blocks() const { return static_cast<std::int64_t>(leaves_.size()); }
  // The Morton index of this rank's first block.
  std::int64_t first_block() const { return first_[static_cast<std::size_t>(comm_.rank())]; }
  // The other ranks' blocks that border this rank's, in Morton order: halo slot h is
  // slot blocks() + h.
  const std::vector<LogicalLocation>& halo() const { return halo_; }
  // The slot of a leaf on this rank (its block or its halo slot), -1 if it has neither.
  int slot_of(const LogicalLocation& leaf) const;
  // The neighbours of block b (the tree's answer, kept: the ghost exchange and the flux
  // correction of every new mesh ask for them).
  const std::vector<Neighbour>& neighbours(int b) const { return neighbours_[static_cast<std::size_t>(b)]; }
  // The Morton index of a leaf and the rank that owns it.
  std::int64_t index_of(const LogicalLocation& leaf) const { return index_.at(leaf); }
  int owner_of(std::int64_t leaf_index) const;
  // Interior cells of this rank's blocks, and of all blocks (the zones of a zone-cycle).
  double cells() const;
  double global_cells() const;

  // Cell width per axis on `level` (1 on inactive axes, so volumes stay products of widths).
  std::array<double, 3> cell_width(int level) const;
  // A zero-filled View for the cell data of every slot (with ghosts); `uninitialised` leaves
  // out the fill, for scratch that is written before it is read.
  BlockData allocate(const std::string& label) const;
  struct Uninitialised {};
  static constexpr Uninitialised uninitialised{};
  BlockData allocate(const std::string& label, Uninitialised) const;

  // Per block on the device: the lower corner of its interior and its cell widths.
  View<double* [3]> origin;
  View<double* [3]> width;

private:
  MeshShape shape_;
  BlockTree tree_;
  Comm comm_;
  BlockExtent extent_;
  std::vector<LogicalLocation> leaves_, locations_, halo_;
  std::vector<std::int64_t> first_;
  std::map<LogicalLocation, std::int64_t> index_;
  std::map<LogicalLocation, int> slots_;
  std::vector<std::vector<Neighbour>> neighbours_;
};

} // namespace tessera::amr
