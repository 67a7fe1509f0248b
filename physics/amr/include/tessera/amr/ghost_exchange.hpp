#pragma once
// Ghost zones of every block filled in one pass over the mesh: the copies from neighbours
// (faces, edges and corners, wrapped on periodic axes) in one kernel over all of them, then
// the physical boundaries along x, y and z in turn over the whole extent of the other axes,
// which fills the edges and corners where a physical boundary meets another.

#include <array>

#include "tessera/amr/mesh.hpp"

namespace tessera::amr {

enum class Boundary { periodic, outflow, reflecting };

// Per axis, the lower and upper boundary. Periodic must be periodic on both sides and match
// the tree's periodicity.
using BoundaryConditions = std::array<std::array<Boundary, 2>, 3>;

// A box of ghost cells of block `dst` copied from block `src` at index + shift.
struct GhostCopy {
  int dst = 0, src = 0;
  int lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  int shift[3] = {0, 0, 0};
};

// One side of one block on a physical boundary.
struct BoundaryFace {
  int block = 0;
  int upper = 0; // 0: lower side, 1: upper side
  int reflecting = 0;
};

class GhostExchange {
public:
  GhostExchange(const Mesh& mesh, const BoundaryConditions& boundaries);

  void fill(const BlockData& u) const;

  std::size_t copies() const { return copies_.extent(0); }

private:
  BlockExtent extent_;
  int variables_;
  View<GhostCopy*> copies_;
  std::array<View<BoundaryFace*>, 3> faces_;
};

} // namespace tessera::amr
