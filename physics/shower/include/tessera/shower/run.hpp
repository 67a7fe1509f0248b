#pragma once
// A whole tessera-shower run: the events split over the ranks, showered and analysed in
// batches with progress, the histograms and cross section combined over the ranks and
// written (YODA, HDF5, optionally HepMC3), and the results as JSON. Checkpoints every
// output.checkpoint_interval seconds; SIGTERM/SIGINT stop after the current batch with a
// checkpoint, and the histograms of the events done so far are still written. A restart
// (--restart shower.chk.h5) skips the events done and ends with the same histograms as an
// uninterrupted run.

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/timers.hpp"
#include "tessera/shower/params.hpp"

namespace tessera::shower {

nlohmann::json run(const Comm& comm, const Params& params, const std::optional<std::filesystem::path>& restart,
                   PhaseTimers& timers);

} // namespace tessera::shower
