// SPDX-License-Identifier: Apache-2.0
#pragma once
// run.mode = measure: the observables of the configuration in gauge.file, once (not a
// simulation: no steps, no checkpoint). The plaquette, the Polyakov loop and the Wilson flow
// to flow.time with t^2 E and Q every 0.1 in <output>/flow.dat.

#include <nlohmann/json.hpp>

#include "tessera/core/simulation.hpp"
#include "tessera/lqcd/params.hpp"

namespace tessera::lqcd {

// The results for the summary.
nlohmann::json measure_configuration(const RunContext& context, const Params& p);

} // namespace tessera::lqcd
