// SPDX-License-Identifier: Apache-2.0
#pragma once
// The first events of a run as HepMC3 ASCII (output.hepmc_events of them, events.hepmc3):
// rank 0 holds the run's first events, so only rank 0 writes. The file is complete (renamed
// from its temporary name) as soon as the last wanted event is in it, so an interrupted or
// killed run keeps it; a restarted run leaves it as the run that started wrote it.

#include <cstdint>
#include <filesystem>
#include <memory>

#include "tessera/shower/event_batch.hpp"
#include "tessera/shower/output.hpp"

namespace tessera::shower {

class FirstEvents {
public:
  FirstEvents() = default;
  // Writes up to `wanted` events to `path` (0: none, no file).
  FirstEvents(const std::filesystem::path& path, std::int64_t wanted, double sqrt_s);

  // Rows [0, count) of a showered batch hold events first, first + 1, ...: the ones still
  // wanted go to the file (only those rows cross to the host).
  void record(const EventBatch& batch, std::int64_t first, std::int64_t count);
  void close();
  std::int64_t written() const { return written_; }

private:
  std::int64_t wanted_ = 0, written_ = 0;
  std::unique_ptr<HepMCWriter> writer_;
};

} // namespace tessera::shower
