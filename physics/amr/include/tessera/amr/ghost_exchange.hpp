// SPDX-License-Identifier: Apache-2.0
#pragma once
// Ghost zones of every block filled in one pass over the mesh, whatever the levels of the
// neighbours: (1) copies from same-level neighbours and conservative restriction (the mean
// of the 2^dims fine cells) from finer ones, in one kernel over all of them; (2) physical
// boundaries along x, y and z in turn, over the whole extent of the other axes, which fills
// the edges and corners where a physical boundary meets another; (3) limited linear
// prolongation (minmod slopes of the coarse cells, conservative) from coarser neighbours,
// one launch per level from the coarsest, so that the coarse cells a stencil reads are final,
// each followed by the physical boundaries again (their corner cells read prolonged ghosts).
// With several ranks, each pass first copies what it reads of other ranks' blocks into the
// halo slots (halo_transfer.hpp): the result is the same, bit for bit, on any number of ranks.

#include <array>
#include <vector>

#include "tessera/amr/halo_transfer.hpp"
#include "tessera/amr/mesh.hpp"

namespace tessera::amr {

enum class Boundary { periodic, outflow, reflecting };

// Per axis, the lower and upper boundary. Periodic must be periodic on both sides and match
// the tree's periodicity.
using BoundaryConditions = std::array<std::array<Boundary, 2>, 3>;

// A box of ghost cells of block `dst` filled from block `src` of level difference `kind`
// (0 same, +1 finer: restriction, -1 coarser: prolongation). Per active axis the source index
// is i + c (same level), 2 i + c and the next (finer), or (i + c) / 2 with (i + c) % 2 the
// half of the coarse cell (coarser).
struct GhostCopy {
  int dst = 0, src = 0, kind = 0;
  int lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  int c[3] = {0, 0, 0};
};

// One side of one block on a physical boundary, or the layers [first, last) of it along the
// face's last axis ((axis + 2) % 3) when a face is filled by several teams.
struct BoundaryFace {
  int block = 0;
  int upper = 0; // 0: lower side, 1: upper side
  int reflecting = 0;
  int first = 0, last = 1;
};

class GhostExchange {
public:
  // cells_per_team: the most cells a team fills (ghost_cells_per_team; tests cut finer).
  GhostExchange(const Mesh& mesh, const BoundaryConditions& boundaries, int cells_per_team = ghost_cells_per_team);

  void fill(const BlockData& u) const;

  std::size_t copies() const { return copies_.extent(0); }

private:
  void fill_boundaries(const BlockData& u) const;

  BlockExtent extent_;
  int variables_;
  View<GhostCopy*> copies_;                     // same level and restriction
  std::vector<View<GhostCopy*>> prolongations_; // per destination level, coarsest first
  std::vector<HaloTransfer> transfers_;         // per pass: 0 (copies), then each level
  std::array<View<BoundaryFace*>, 3> faces_;
};

} // namespace tessera::amr
