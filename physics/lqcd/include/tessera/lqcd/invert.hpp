// SPDX-License-Identifier: Apache-2.0
#pragma once
// run.mode = invert: the point-source propagator of the configuration in gauge.file and the
// pion correlator, once (not a simulation: no steps, no checkpoint). 12 inversions of the
// Wilson-Dirac operator at invert.source; C(t) and the effective mass in <output>/pion.dat.

#include <nlohmann/json.hpp>

#include "tessera/core/simulation.hpp"
#include "tessera/lqcd/params.hpp"

namespace tessera::lqcd {

// The results for the summary.
nlohmann::json invert_configuration(const RunContext& context, const Params& p);

} // namespace tessera::lqcd
