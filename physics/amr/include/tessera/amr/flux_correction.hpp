// SPDX-License-Identifier: Apache-2.0
#pragma once
// Flux correction at coarse-fine faces: the coarse block's flux through a face it shares with
// finer blocks is replaced by the mean of the fine fluxes over the same area, so that what
// leaves one side enters the other exactly and mass, momentum, energy and scalars are
// conserved to rounding with refinement (every level takes the same global time step). A
// fine block on another rank sends its face fluxes first.

#include <array>

#include <vector>

#include "tessera/amr/halo_transfer.hpp"
#include "tessera/amr/mesh.hpp"

namespace tessera::amr {

// The coarse cells of one face of block `coarse` against fine block `fine` along `axis`:
// coarse face index `coarse_face`, fine face index `fine_face`; per transverse active axis the
// coarse cells [lo, hi) and the fine cells 2 i + c and the next.
struct FluxFix {
  int coarse = 0, fine = 0, axis = 0;
  int coarse_face = 0, fine_face = 0;
  int lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
  int c[3] = {0, 0, 0};
};

// A face of a local block against a coarser block: its fluxes must be in the flux arrays
// before apply() (the coarse side, possibly on another rank, takes their mean).
struct FineFace {
  int block = 0, axis = 0, side = 0; // side 0 the block's lower face along axis, 1 its upper
};

class FluxCorrection {
public:
  explicit FluxCorrection(const Mesh& mesh);

  // Collective. Overwrites the coarse fluxes of every coarse-fine face (one launch for all).
  void apply(const std::array<BlockData, 3>& flux) const;
  std::size_t faces() const { return fixes_.extent(0); }
  // Per local block, its faces against blocks of another level, bit 1 << (2 axis + side):
  // the stage takes their fluxes from the flux arrays rather than computing them.
  const View<int*>& level_faces() const { return level_faces_; }
  const View<FineFace*>& fine_faces() const { return fine_faces_; }

private:
  FluxCorrection(const Mesh& mesh, const std::vector<FluxFix>& fixes);

  HaloTransfer transfer_;
  View<FluxFix*> fixes_;
  View<int*> level_faces_;
  View<FineFace*> fine_faces_;
  int variables_, dims_;
};

} // namespace tessera::amr
