#pragma once
// The mesh of blocks on one rank: every leaf of the tree is a block of n^dims cells with
// `ghosts` layers of ghost cells on both sides of each active axis, and all blocks' cell data
// live in one View with the block index outermost, so one kernel launch covers every block.

#include <array>
#include <string>
#include <vector>

#include "tessera/amr/block_tree.hpp"
#include "tessera/core/loops.hpp"
#include "tessera/core/spaces.hpp"

namespace tessera::amr {

inline constexpr int ghosts = 2; // piecewise-linear reconstruction reads two cells beyond a face

// Conserved variables of a cell; passive scalars (as densities, rho * s) follow the energy.
enum Variable : int { density = 0, momentum_x = 1, momentum_y = 2, momentum_z = 3, energy = 4, first_scalar = 5 };

// Cell data of all blocks: (block, variable, k, j, i), i fastest.
using BlockData = Kokkos::View<double*****, Kokkos::LayoutRight, MemSpace>;

struct MeshShape {
  TreeShape tree;
  int block_cells = 16; // cells per active axis of every block
  std::array<double, 3> lower{0, 0, 0}, upper{1, 1, 1};
  int scalars = 0;
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

class Mesh {
public:
  // Every leaf of `tree` becomes a block, in Morton order.
  Mesh(const MeshShape& shape, BlockTree tree);
  // The root grid alone (level 0 everywhere).
  explicit Mesh(const MeshShape& shape);

  const MeshShape& shape() const { return shape_; }
  const BlockTree& tree() const { return tree_; }
  const BlockExtent& extent() const { return extent_; }
  int blocks() const { return static_cast<int>(locations_.size()); }
  int variables() const { return first_scalar + shape_.scalars; }
  // The place of block b in the tree.
  const std::vector<LogicalLocation>& locations() const { return locations_; }
  // Interior cells of every block together: the zones of a zone-cycle.
  double cells() const;

  // Cell width per axis on `level` (1 on inactive axes, so volumes stay products of widths).
  std::array<double, 3> cell_width(int level) const;
  // A zero-filled View for the cell data of every block (with ghosts).
  BlockData allocate(const std::string& label) const;

  // Per block on the device: the lower corner of its interior and its cell widths.
  View<double* [3]> origin;
  View<double* [3]> width;

private:
  MeshShape shape_;
  BlockTree tree_;
  BlockExtent extent_;
  std::vector<LogicalLocation> locations_;
};

} // namespace tessera::amr
