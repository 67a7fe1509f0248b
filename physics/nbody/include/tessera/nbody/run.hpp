#pragma once
// A whole N-body run as tessera-nbody does it: initial conditions (or a restart), the
// integrator up to t_end with diagnostics, snapshots and checkpoints at their intervals,
// a final checkpoint, and the results as JSON.

#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/core/timers.hpp"
#include "tessera/nbody/params.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

nlohmann::json run(const Comm& comm, const Params& params, const std::optional<std::filesystem::path>& restart,
                   PhaseTimers& timers);

} // namespace tessera::nbody
