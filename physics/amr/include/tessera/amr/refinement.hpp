// SPDX-License-Identifier: Apache-2.0
#pragma once
// When to refine: Lohner's normalised second-derivative error estimator (as in FLASH and
// PARAMESH) on density and pressure, its largest value over a block's interior and a buffer
// of cells around it, against refine and derefine thresholds; plus user-defined regions that
// are kept at a minimum level. The result is the next tree; the data follow (remesh.hpp).

#include <array>
#include <vector>

#include "tessera/amr/mesh.hpp"

namespace tessera::amr {

struct RefinementRegion {
  std::array<double, 3> lower, upper;
  int level; // blocks overlapping the box are kept at least at this level
};

// From the input keys refinement.* (amr::params_from): the schema holds the defaults.
struct RefinementParams {
  int interval;              // steps between regrids (0: never)
  double refine_threshold;   // estimator above which a block is refined
  double derefine_threshold; // below which (for all its siblings) it is merged
  double filter;             // Lohner's epsilon: ignores ripples of relative size below it
  int buffer;                // ghost cells (0 or 1) included in a block's estimate
  std::vector<RefinementRegion> regions;
};

// The estimator's largest value per leaf of the tree, in Morton order, gathered from every
// rank (collective; ghost cells must be filled; gamma for the pressure).
std::vector<double> block_estimates(const Mesh& mesh, const BlockData& u, double gamma, const RefinementParams& p);

// The tree after refining blocks above the threshold or inside a region below its level, and
// merging sibling sets that are all below the derefine threshold and outside any region that
// needs their level. The 2:1 rule holds (the tree refines neighbours and refuses merges that
// would break it). Returns whether anything changed.
bool adapt(const Mesh& mesh, const std::vector<double>& estimates, const RefinementParams& p, BlockTree& tree);

} // namespace tessera::amr
