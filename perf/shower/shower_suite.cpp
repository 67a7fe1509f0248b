// Showered events per second, e+ e- -> q qbar at 91.2 GeV with the default shower
// (docs/shower.md), for 10^4 ... 10^7 events:
//   shower    hard process + shower (the figure GAPS reports as its shower time)
//   full      hard process + shower + all observables histogrammed (what the driver does)
//   shower_per_dipole   the per-dipole competition of GAPS v1 (same physics, slower)
//   shower_pass_<k>     the trials per launch between compactions (k = 0: one launch)
// No measured ceiling bounds these figures: the veto algorithm is a chain of dependent
// random trials with divergent control flow (perf/NOTES.md compares with GAPS instead).
#include "shower_suite.hpp"

#include <string>

#include <fmt/format.h>

#include "tessera/core/config.hpp"
#include "tessera/core/log.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/params.hpp"

namespace tessera::shower {
namespace {

constexpr const char* no_ceiling =
    "divergent chains of dependent random trials: neither FMA nor bandwidth bound (see GAPS in perf/NOTES.md)";

Params bench_params(const std::vector<std::string>& overrides)
{
  return params_from(Config::load(schema(), std::nullopt, overrides), ".");
}

struct Measured {
  bench::Timing timing;
  GeneratorTotals totals;
  int passes = 0;
};

// Events [0, n) through the generator; with analyse = false only the hard process and the
// shower run.
Measured measure(GeneratorSettings settings, std::int64_t n, bool analyse)
{
  settings.batch_size = std::min<std::int64_t>(settings.batch_size, n);
  HistogramBook book(standard_histograms());
  Generator generator(settings, book);
  Measured m;
  const auto once = [&] {
    if (analyse) {
      m.totals = generator.run(0, n);
      return;
    }
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

} // namespace

void shower_benchmarks(bench::Suite& suite, const BenchOptions& options)
{
  const long max_events =
      suite.quick() ? 10000L : (options.max_events > 0 ? options.max_events : (device_is_host ? 100000L : 10000000L));
  log::info("{:>9} {:>20} {:>12} {:>8} {:>8} {:>8}", "events", "benchmark", "events/s", "spread", "partons", "passes");
  const auto defaults = bench_params({}).generator;
  const long first = suite.quick() ? 1000L : 10000L;
  for (long n = first; n <= max_events; n *= 10) {
    record(suite, n, "shower", defaults, measure(defaults, n, false), false);
    record(suite, n, "full", defaults, measure(defaults, n, true), true);
    if (n <= 1000000L) {
      const auto per_dipole = bench_params({"shower.competition=per_dipole"}).generator;
      record(suite, n, "shower_per_dipole", per_dipole, measure(per_dipole, n, false), false);
    }
  }
  // The pass length at the largest size up to 10^6.
  const long tune_n = std::min(max_events, 1000000L);
  for (int per_pass : {0, 4, 16, 64}) {
    auto g = defaults;
    g.trials_per_pass = per_pass;
    record(suite, tune_n, fmt::format("shower_pass_{}", per_pass), g, measure(g, tune_n, false), false);
  }
}

} // namespace tessera::shower
