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

class FluxCorrection {
public:
  explicit FluxCorrection(const Mesh& mesh);

  // Collective. Overwrites the coarse fluxes of every coarse-fine face (one launch for all).
  void apply(const std::array<BlockData, 3>& flux) const;
  std::size_t faces() const { return fixes_.extent(0); }

private:
  FluxCorrection(const Mesh& mesh, const std::vector<FluxFix>& fixes);

  HaloTransfer transfer_;
  View<FluxFix*> fixes_;
  int variables_, dims_;
};

} // namespace tessera::amr
