#pragma once
// Checkpoints of a shower run: per rank, the events of its range already done, their
// totals and their (not yet combined) histogram sums. Event k depends only on the seed and
// k, so a restart that skips the events done continues exactly where the run stopped.
// Written through core's CheckpointWriter (temporary name, checksums, rename): a crash
// while writing leaves the previous checkpoint intact.

#include <filesystem>
#include <string>

#include "tessera/core/comm.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/histograms.hpp"
#include "tessera/shower/params.hpp"

namespace tessera::shower {

struct RunProgress {
  std::int64_t done = 0;  // events of this rank's range already generated
  GeneratorTotals totals; // of those events
};

// The settings a restart must share with the run it continues (everything that changes
// an event or the histograms; not the batch size or the pass length).
std::string physics_fingerprint(const Params& params);

void write_checkpoint(const Comm& comm, const std::filesystem::path& path, const Params& params,
                      const HistogramBook& book, const RunProgress& progress);

// Restores `book` and returns this rank's progress; throws InputError if the checkpoint was
// written with other settings or another number of ranks, IoError if it is damaged.
RunProgress read_checkpoint(const Comm& comm, const std::filesystem::path& path, const Params& params,
                            const HistogramBook& book);

} // namespace tessera::shower
