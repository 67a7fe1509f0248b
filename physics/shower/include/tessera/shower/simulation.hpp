// SPDX-License-Identifier: Apache-2.0
#pragma once
// The parton shower as a simulation of core's run loop (tessera-shower; docs/shower.md):
// the events.n events split over the ranks in contiguous blocks of global event numbers,
// generated one batch per rank at a time (hard process, shower, analysis into histograms).
// Progress is counted in events over all ranks. The histograms (YODA, HDF5) of the events
// done are the output, written at the end and when a stop signal ends the run; the first
// events go to events.hepmc3. A checkpoint holds each rank's events done, their totals and
// histogram sums: event k depends only on the seed and k, so a restart that skips the
// events done ends with the histograms of an uninterrupted run.

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/simulation.hpp"
#include "tessera/shower/checkpoint.hpp"
#include "tessera/shower/first_events.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/histograms.hpp"
#include "tessera/shower/output.hpp"
#include "tessera/shower/params.hpp"

namespace tessera::shower {

class Simulation {
public:
  using Params = shower::Params;
  static SimulationInfo info();
  static ConfigSchema schema() { return shower::schema(); }
  static Params params(const Config& config) { return params_from(config); }

  Simulation(const RunContext& context, const Params& params);
  Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);
  Simulation(const Simulation&) = delete; // the generator fills the book's device sums
  Simulation& operator=(const Simulation&) = delete;

  // One batch on every rank (a rank whose block is done takes part in the collectives with
  // an empty batch, so all ranks call advance equally often). `target` is the loop's end:
  // a batch never passes a rank's block, so never events.n.
  void advance(double target);
  double position() const { return static_cast<double>(done_all_ranks_); }
  double end() const { return static_cast<double>(params_.events); }
  void write_checkpoint(CheckpointWriter& writer) const;
  DiagnosticsRow diagnostics() const { return {}; } // no table: the histograms are the output
  // The histograms of the events done (final, also when interrupted); scheduled outputs
  // do not exist (no output.interval).
  void write_output(const OutputRequest& request);
  std::string status() const;
  // The summary; throws (exit 1) when more than shower.max_overflow_fraction overflowed.
  Results results();

  // Collective: the totals and the histograms (normalised per generated event) over all ranks.
  GeneratorTotals totals() const;
  std::vector<HostHistogram> histograms() const;
  // This rank's block of global event numbers, and its generator (benchmarks read its passes).
  BlockRange range() const { return range_; }
  const Generator& generator() const { return generator_; }

private:
  Simulation(const RunContext& context, const Params& params, CheckpointReader* checkpoint);
  std::int64_t hepmc_written() const { return progress_.hepmc_written + first_events_.written(); }
  // After a restart: the first events the checkpoint's file lacks, written again.
  void rewrite_first_events();

  RunContext context_;
  Params params_;
  BlockRange range_;
  HistogramBook book_;
  Generator generator_;
  FirstEvents first_events_;
  RunProgress progress_;             // this rank: events done, their totals (restored ones included)
  std::int64_t restored_events_ = 0; // all ranks: events done before a restart
  std::int64_t done_all_ranks_ = 0;  // position()
  double seconds_ = 0;               // this rank's time in advance
};

} // namespace tessera::shower
