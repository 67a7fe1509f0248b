// tessera-bench-shower: showered events per second, e+ e- -> q qbar at 91.2 GeV with the
// default shower (docs/shower.md), for 10^4 ... 10^7 events:
//   shower    hard process + shower (the figure GAPS reports as its shower time)
//   full      hard process + shower + all observables histogrammed (what the driver does)
//   shower_per_dipole   the per-dipole competition of GAPS v1 (same physics, slower)
//   shower_pass_<k>     the trials per launch between compactions (k = 0: one launch)
// Usage: tessera-bench-shower [--quick] [--max-events N] [--output FILE]
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench_common.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/params.hpp"

namespace tessera::shower {
namespace {

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

int benchmark_main(int argc, char** argv)
{
  Runtime runtime(argc, argv);
  CLI::App app("Tessera parton-shower benchmark", "tessera-bench-shower");
  bool quick = false;
  long max_events = device_is_host ? 100000L : 10000000L;
  std::string output;
  app.add_flag("--quick", quick, "seconds-long smoke run (10^3 and 10^4 events)");
  app.add_option("--max-events", max_events, "largest run (default 10^7 on GPUs, 10^5 on hosts)");
  app.add_option("--output", output, "JSON result file (default: perf/results/shower-<backend>-<date>.json)");
  CLI11_PARSE(app, argc, argv);
  if (quick) max_events = 10000;

  auto file = bench::result_file("shower");
  log::info("{}", runtime.banner());
  log::info("{:>9} {:>20} {:>12} {:>8} {:>8} {:>8}", "events", "benchmark", "events/s", "spread", "partons", "passes");
  const auto report = [&](long n, const std::string& name, const GeneratorSettings& g, const Measured& m,
                          bool analysed) {
    const double rate = static_cast<double>(n) / m.timing.median;
    nlohmann::json extra = {{"trials_per_pass", g.trials_per_pass},
                            {"batch", std::min<std::int64_t>(g.batch_size, n)},
                            {"max_partons", g.max_partons},
                            {"competition", g.shower.competition == Competition::summed ? "summed" : "per_dipole"},
                            {"passes_last_batch", m.passes},
                            {"includes_analysis", analysed}};
    if (analysed && m.totals.events > 0) {
      extra["mean_partons"] = static_cast<double>(m.totals.partons) / static_cast<double>(m.totals.events);
      extra["trials_per_event"] = static_cast<double>(m.totals.trials) / static_cast<double>(m.totals.events);
      extra["cross_section_pb"] = m.totals.sum_w / static_cast<double>(m.totals.events);
    }
    file["results"].push_back(bench::entry("shower", name, {{"events", n}}, "events/s", rate,
                                           static_cast<double>(n) / m.timing.max, static_cast<double>(n) / m.timing.min,
                                           m.timing.repetitions, extra));
    log::info("{:>9} {:>20} {:>12.4g} {:>7.1f}% {:>8.2f} {:>8}", n, name, rate,
              100.0 * (m.timing.max - m.timing.min) / m.timing.median, extra.value("mean_partons", 0.0), m.passes);
  };

  const auto defaults = bench_params({}).generator;
  const long first = quick ? 1000L : 10000L;
  for (long n = first; n <= max_events; n *= 10) {
    report(n, "shower", defaults, measure(defaults, n, false), false);
    report(n, "full", defaults, measure(defaults, n, true), true);
    if (n <= 1000000L) {
      const auto per_dipole = bench_params({"shower.competition=per_dipole"}).generator;
      report(n, "shower_per_dipole", per_dipole, measure(per_dipole, n, false), false);
    }
  }
  // The pass length at the largest size up to 10^6.
  const long tune_n = std::min(max_events, 1000000L);
  for (int per_pass : {0, 4, 16, 64}) {
    auto g = defaults;
    g.trials_per_pass = per_pass;
    report(tune_n, fmt::format("shower_pass_{}", per_pass), g, measure(g, tune_n, false), false);
  }
  if (runtime.world().is_root()) {
    if (output.empty())
      output =
          fmt::format("perf/results/shower-{}-{}.json", backend_name(), file["date"].get<std::string>().substr(0, 10));
    std::ofstream(output) << file.dump(2) << "\n";
    log::info("results: {}", output);
  }
  return 0;
}

} // namespace
} // namespace tessera::shower

int main(int argc, char** argv)
{
  return tessera::shower::benchmark_main(argc, argv);
}
