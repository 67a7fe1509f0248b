#pragma once
// A whole tessera-lqcd run: an HMC chain with measurements, checkpoints and configurations
// (mode hmc), the observables of a stored configuration (measure), or its point-source
// propagator and pion correlator (invert). Returns the results as JSON.

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/timers.hpp"
#include "tessera/lqcd/params.hpp"

namespace tessera::lqcd {

nlohmann::json run(const Comm& comm, const Params& params, const std::optional<std::filesystem::path>& restart,
                   PhaseTimers& timers);

} // namespace tessera::lqcd
