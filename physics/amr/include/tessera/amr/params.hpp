// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters of an AMR run and the input keys that set them (tessera-amr --help-input).

#include <cstdint>

#include "tessera/amr/ghost_exchange.hpp"
#include "tessera/amr/hydro.hpp"
#include "tessera/amr/mesh.hpp"
#include "tessera/amr/problems.hpp"
#include "tessera/amr/refinement.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/simulation.hpp"

namespace tessera::amr {

// Every field comes from the input keys (schema() holds the defaults; nothing here does).
struct Params {
  MeshShape shape;
  BoundaryConditions boundaries;
  HydroParams hydro;
  RefinementParams refinement;
  Problem problem; // the chosen generator's initial state and initial refinement regions
  double t_end;
  std::int64_t max_steps; // steps of one process before it stops (0: no limit)
  bool plots;             // output.interval > 0: plot files at the outputs
  double plot_interval;   // output.interval: plots at its multiples, exactly (a side step)
  // Floor corrections of one step per cell above which the run stops (exit 1) as blown up.
  double max_floored_fraction;
};

// Every key: the mesh, the gas, the refinement, the run loop's keys and the keys of every
// problem in `problems`.
ConfigSchema schema(const ProblemSet& problems = builtin_problems());
// Reads and cross-checks the keys and builds the chosen problem's initial state (throws
// InputError naming the key).
Params params_from(const Config& config, const ProblemSet& problems = builtin_problems());

// tessera-amr counts its progress in simulated time.
ProgressUnit unit();

} // namespace tessera::amr
