#pragma once
// The event generator on the device: batches of events, each through the hard process,
// the shower and the analysis, all events of a batch in parallel.
//
// The shower runs in passes of `trials_per_pass` trials per live event; after each pass the
// list of live events is compacted, so the next pass launches only threads with work and
// events that ended early leave no idle lanes behind (the idea of GAPS v2). An event's
// random numbers are keyed by its number and resumed exactly across passes, so the passes
// change nothing but the speed.

#include <cstdint>
#include <functional>

#include "tessera/shower/analysis.hpp"
#include "tessera/shower/event_batch.hpp"
#include "tessera/shower/hard_process.hpp"
#include "tessera/shower/histograms.hpp"
#include "tessera/shower/veto.hpp"

namespace tessera::shower {

struct GeneratorSettings {
  ShowerSettings shower;
  EeToQQbar hard;
  int max_partons = 64;
  std::int64_t batch_size = 1 << 18;
  int trials_per_pass = 0; // 0: every event to its end in one launch
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

  // Called between the shower and the analysis of each batch (rows [0, count) hold events
  // first...), and after each batch with the events done and the totals so far in this
  // call: returning false stops the run there.
  struct Hooks {
    std::function<void(const EventBatch&, std::int64_t first, std::int64_t count)> after_shower;
    std::function<bool(std::int64_t done, const GeneratorTotals& totals)> after_batch;
  };

  // Events [first, first + count), global numbers, in batches; at least `batches` calls of
  // after_batch (empty batches after the last events), so that ranks with fewer events
  // take part in every collective a hook makes.
  GeneratorTotals run(std::int64_t first, std::int64_t count, const Hooks& hooks = {}, std::int64_t batches = 0);

  // Batches needed for `count` events.
  std::int64_t batches_for(std::int64_t count) const
  {
    return (count + settings_.batch_size - 1) / settings_.batch_size;
  }

  // Device memory a generator with these settings allocates.
  static std::size_t bytes_needed(const GeneratorSettings& settings);

  // One event through every kernel into a scratch histogram book: one-time costs (loading
  // device code, first launches) stay out of the timed run. Changes no result.
  void warm_up();

  // The pieces of run() for one batch (count <= batch_size), for tests and benchmarks:
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
