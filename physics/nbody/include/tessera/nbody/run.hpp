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

// The particles at t = 0 (Plummer or a file) on this rank.
State initial_state(const Comm& comm, const Params& params);

nlohmann::json run(const Comm& comm, const Params& params, const std::optional<std::filesystem::path>& restart,
                   PhaseTimers& timers);

} // namespace tessera::nbody
