// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a shower checkpoint holds besides core's own records: per rank, the events of its
// range already done, their totals and their (not yet combined) histogram sums, and how
// many first events rank 0 wrote as HepMC3. Event k depends only on the seed and k, so a
// restart that skips the events done continues exactly where the run stopped. The keys a
// restart must keep (seed, events.n, physics) are compared by core's run loop.

#include <cstdint>

#include "tessera/core/checkpoint.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/histograms.hpp"

namespace tessera::shower {

struct RunProgress {
  std::int64_t done = 0;          // events of this rank's range already generated
  GeneratorTotals totals;         // of those events
  std::int64_t hepmc_written = 0; // first events written to events.hepmc3 (rank 0)
};

// Collective (every rank writes its row).
void write_checkpoint(CheckpointWriter& writer, const HistogramBook& book, const RunProgress& progress);

// Restores `book` and returns this rank's progress (`range` events: the size of its block);
// throws InputError if the checkpoint was written by another number of ranks, IoError if it
// is damaged or its counts do not fit the range.
RunProgress read_checkpoint(CheckpointReader& reader, const HistogramBook& book, std::int64_t range);

} // namespace tessera::shower
