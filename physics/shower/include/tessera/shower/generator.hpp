// SPDX-License-Identifier: Apache-2.0
#pragma once
// The event generator on the device: batches of events, each through the hard process,
// the shower and the analysis, all events of a batch in parallel.
//
// The shower runs in passes of `trials_per_pass` trials per live event; after each pass the
// list of live events is compacted, so the next pass launches only threads with work and
// events that ended early leave no idle lanes behind (the idea of GAPS v2). An event's
// random numbers are keyed by its number and resumed exactly across passes, so the passes
// change nothing but the speed.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "tessera/shower/analysis.hpp"
#include "tessera/shower/event_batch.hpp"
#include "tessera/shower/hard_process.hpp"
#include "tessera/shower/histograms.hpp"
#include "tessera/shower/veto.hpp"

namespace tessera::shower {

// Filled from the input keys by params_from() (the schema holds the defaults; nothing here does).
struct GeneratorSettings {
  ShowerSettings shower;
  EeToQQbar hard;
  int max_partons;
  std::int64_t batch_size;
  int trials_per_pass; // 0: every event to its end in one launch
};

// What a run adds up besides the histograms.
struct GeneratorTotals {
  std::int64_t events = 0;    // generated (hard process), including overflows
  std::int64_t overflows = 0; // events that hit max_partons: left out of the histograms
  std::int64_t trials = 0;    // trial emissions
  std::int64_t partons = 0;   // final-state partons of the analysed events
  double sum_w = 0, sum_w2 = 0;
  GeneratorTotals& operator+=(const GeneratorTotals& o);
};

class Generator {
public:
  Generator(const GeneratorSettings& settings, const HistogramBook& book);

  // Called between the shower and the analysis of a batch: rows [0, count) of the batch
  // hold events first, first + 1, ... (the first-events writer reads them there).
  using AfterShower = std::function<void(const EventBatch& batch, std::int64_t first, std::int64_t count)>;

  // Events [first, first + count) (global numbers, count <= batch_size) through the hard
  // process, the shower and the analysis into the histograms: one batch. Returns their
  // totals; count = 0 launches nothing.
  GeneratorTotals run_batch(std::int64_t first, std::int64_t count, const AfterShower& after_shower = {});

  // Device memory a generator with these settings allocates.
  static std::size_t bytes_needed(const GeneratorSettings& settings);

  // One event through every kernel into a scratch histogram book: one-time costs (loading
  // device code, first launches) stay out of the timed run. Changes no result.
  void warm_up();

  // The pieces of run_batch(), for tests and benchmarks of the shower alone:
  void start(std::int64_t first, std::int64_t count);
  void shower(std::int64_t count);
  GeneratorTotals analyse(std::int64_t count);

  const EventBatch& batch() const { return batch_; }
  const GeneratorSettings& settings() const { return settings_; }
  int passes() const { return passes_; } // shower launches of the last batch

private:
  GeneratorSettings settings_;
  HistogramBook book_;
  EventBatch batch_;
  View<int*> live_, live_next_;
  std::int64_t first_ = 0;
  int passes_ = 0;
};

} // namespace tessera::shower
