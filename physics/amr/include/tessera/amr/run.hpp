#pragma once
// A tessera-amr run: the initial mesh refined around the problem's initial state (or a
// checkpoint), then steps with regrids, plot files, history rows and checkpoints, and a
// progress line every few steps. Returns the summary (docs/amr.md lists its fields).

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/amr/params.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/core/timers.hpp"

namespace tessera::amr {

nlohmann::json run(const Comm& comm, const Config& config, const Params& params,
                   const std::optional<std::filesystem::path>& restart, PhaseTimers& timers);

// The whole of tessera-amr (drivers/amr.cpp): a user's own driver registers its problem
// generators (problems.hpp) and then calls this.
int driver_main(int argc, char** argv);

} // namespace tessera::amr
