// SPDX-License-Identifier: Apache-2.0
// Showered events per second, e+ e- -> q qbar at 91.2 GeV with the default shower
// (docs/shower.md), for 10^4 ... 10^7 events:
//   shower    hard process + shower (the figure GAPS reports as its shower time)
//   full      hard process + shower + all observables histogrammed: tessera-shower's
//             Simulation advanced batch by batch, as the driver runs it
//   shower_per_dipole   the per-dipole competition of GAPS v1 (same physics, slower)
//   shower_pass_<k>     the trials per launch between compactions (k = 0: one launch)
// No measured ceiling bounds these figures: the veto algorithm is a chain of dependent
// random trials with divergent control flow (perf/NOTES.md compares with GAPS instead).
#include "shower_suite.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/config.hpp"
#include "tessera/core/log.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/simulation.hpp"

namespace tessera::shower {
namespace {

constexpr const char* no_ceiling =
    "divergent chains of dependent random trials: neither FMA nor bandwidth bound (see GAPS in perf/NOTES.md)";

// The input keys `overrides` for a run of n events, in one batch where the default batch
// holds them.
Params bench_params(std::vector<std::string> overrides, std::int64_t n)
{
  overrides.push_back(fmt::format("events.n={}", n));
  overrides.push_back(fmt::format("events.batch={}", std::min<std::int64_t>(default_batch_size(), n)));
  return params_for<Simulation>(overrides);
}

struct Measured {
  bench::Timing timing;
  GeneratorTotals totals;
  int passes = 0;
};

// Events [0, n) through the hard process and the shower only (the shower's pieces).
Measured measure_shower(const Params& p, std::int64_t n)
{
  const auto& settings = p.generator;
  Generator generator(settings, HistogramBook(standard_histograms()));
  Measured m;
  const auto once = [&] {
    for (std::int64_t done = 0; done < n; done += settings.batch_size) {
      const auto count = std::min<std::int64_t>(settings.batch_size, n - done);
      generator.start(done, count);
      generator.shower(count);
    }
  };
  m.timing = bench::time_it(once, 3, 1.0, 20);
  m.passes = generator.passes();
  return m;
}

bench::Timing timing_of(std::vector<double> samples)
{
  std::sort(samples.begin(), samples.end());
  const std::size_t k = samples.size();
  const double median = k % 2 ? samples[k / 2] : 0.5 * (samples[k / 2 - 1] + samples[k / 2]);
  return {median, samples.front(), samples.back(), static_cast<int>(k)};
}

// Events [0, n) as tessera-shower generates them: a Simulation of this process alone,
// advanced to its end. Every repetition needs a fresh one; its set-up (allocation, warm-up)
// stays out of the time, as it stays out of the driver's rate. Repetitions as bench::time_it.
Measured measure_full(const Params& p)
{
  const Comm self(MPI_COMM_SELF);
  Measured m;
  std::vector<double> samples;
  double spent = 0;
  while ((samples.size() < 3 || spent < 1.0) && samples.size() < 20) {
    // The run's banner once, not once per repetition between the table's rows.
    const bool quiet = log::context().quiet;
    log::context().quiet = quiet || !samples.empty();
    Simulation sim(RunContext{self}, p);
    log::context().quiet = quiet;
    Kokkos::fence();
    Kokkos::Timer timer;
    while (sim.position() < sim.end())
      sim.advance(sim.end());
    Kokkos::fence();
    samples.push_back(timer.seconds());
    spent += samples.back();
    m.totals = sim.totals();
    m.passes = sim.generator().passes();
  }
  m.timing = timing_of(samples);
  return m;
}

void record(bench::Suite& suite, long n, const std::string& name, const GeneratorSettings& g, const Measured& m,
            bool analysed)
{
  bench::Figure f{"shower", name,       {{"events", n}},        static_cast<double>(n),
                  "events", "events/s", static_cast<double>(n), m.timing};
  f.extra = {{"trials_per_pass", g.trials_per_pass},
             {"batch", std::min<std::int64_t>(g.batch_size, n)},
             {"max_partons", g.max_partons},
             {"competition", g.shower.competition == Competition::summed ? "summed" : "per_dipole"},
             {"passes_last_batch", m.passes},
             {"includes_analysis", analysed}};
  if (analysed && m.totals.events > 0) {
    f.extra["mean_partons"] = static_cast<double>(m.totals.partons) / static_cast<double>(m.totals.events);
    f.extra["trials_per_event"] = static_cast<double>(m.totals.trials) / static_cast<double>(m.totals.events);
    f.extra["cross_section_pb"] = m.totals.sum_w / static_cast<double>(m.totals.events);
  }
  suite.add_without_ceiling(f, no_ceiling);
  log::info("{:>9} {:>20} {:>12.4g} {:>7.1f}% {:>8.2f} {:>8}", n, name, static_cast<double>(n) / m.timing.median,
            100.0 * (m.timing.max - m.timing.min) / m.timing.median, f.extra.value("mean_partons", 0.0), m.passes);
}

void record_shower(bench::Suite& suite, long n, const std::string& name, const std::vector<std::string>& overrides)
{
  const auto p = bench_params(overrides, n);
  record(suite, n, name, p.generator, measure_shower(p, n), false);
}

} // namespace

void shower_benchmarks(bench::Suite& suite, const BenchOptions& options)
{
  const long max_events =
      suite.quick() ? 10000L : (options.max_events > 0 ? options.max_events : (device_is_host ? 100000L : 10000000L));
  log::info("{:>9} {:>20} {:>12} {:>8} {:>8} {:>8}", "events", "benchmark", "events/s", "spread", "partons", "passes");
  const long first = suite.quick() ? 1000L : 10000L;
  for (long n = first; n <= max_events; n *= 10) {
    record_shower(suite, n, "shower", {});
    const auto full = bench_params({}, n);
    record(suite, n, "full", full.generator, measure_full(full), true);
    if (n <= 1000000L) record_shower(suite, n, "shower_per_dipole", {"shower.competition=per_dipole"});
  }
  // The pass length at the largest size up to 10^6.
  const long tune_n = std::min(max_events, 1000000L);
  for (int per_pass : {0, 4, 16, 64})
    record_shower(suite, tune_n, fmt::format("shower_pass_{}", per_pass),
                  {fmt::format("shower.trials_per_pass={}", per_pass)});
}

} // namespace tessera::shower
