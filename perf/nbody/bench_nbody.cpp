// tessera-bench-nbody: interactions per second of the N-body force kernels.
//   full evaluations (every particle active): Hermite FP64 (a + jerk + pot, 60 flops),
//   acceleration only FP32 (20 flops, the CUDA-samples convention) and FP64 (30 flops);
//   block-step evaluations with N/16 and N/256 active particles (Hermite FP64), as a rate
//   per interaction and as a fraction of the full evaluation's rate.
// Usage: tessera-bench-nbody [--quick] [--max-n N] [--full-max-n N] [--output FILE]
// Above --full-max-n only the block-step cases run (a full evaluation at N = 2^20 takes
// minutes on a host); their rate per interaction stands for the kernel's at that N.
#include <cmath>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench_common.hpp"
#include "ceilings.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/nbody/forces.hpp"
#include "tessera/nbody/initial_conditions.hpp"

// Inside the namespace rather than `using namespace tessera`: that would bring tessera::log
// next to ::log, which CUDA's maths headers then find ambiguous.
namespace tessera::nbody {
namespace {

View<Index*> every(Index stride, Index n, Index& count)
{
  count = n / stride;
  View<Index*> active("bench::active", count);
  par_for("bench::every", count, KOKKOS_LAMBDA(Index k) { active(k) = k * stride; });
  return active;
}

ForceConfig g_config; // --team-size / --tile of the command line (0: backend default)

template <class Real, bool Jerk>
bench::Timing time_forces(const Comm& comm, const State& s, Index stride)
{
  Gravity<Real, Jerk> gravity(comm, s.local(), 1.0 / 1024, g_config);
  Index count = s.local();
  const View<Index*> active = stride > 1 ? every(stride, s.local(), count) : View<Index*>();
  ViewRight<double**> sums("bench::sums", count, n_sums<Jerk>);
  return bench::time_it([&] { gravity.compute(s.x, s.v, s.m, active, count, sums); }, 3, 1.0, 20);
}

} // namespace

int benchmark_main(int argc, char** argv)
{
  Runtime runtime(argc, argv);
  const Comm& comm = runtime.world();
  CLI::App app("Tessera N-body force benchmark", "tessera-bench-nbody");
  bool quick = false;
  long max_n = device_is_host ? (1L << 16) : (1L << 20);
  long full_max_n = 1L << 20;
  std::string output;
  app.add_flag("--quick", quick, "seconds-long smoke run (N = 2^10, 2^12)");
  app.add_option("--max-n", max_n, "largest N (default 2^20 on GPUs, 2^16 on hosts)");
  app.add_option("--full-max-n", full_max_n, "largest N of the full evaluations (default 2^20)");
  app.add_option("--output", output, "JSON result file (default: perf/results/nbody-<backend>-<date>.json)");
  app.add_option("--team-size", g_config.team_size, "threads per team (0: backend default)");
  app.add_option("--tile", g_config.tile, "j-particles per tile (0: backend default)");
  CLI11_PARSE(app, argc, argv);

  auto file = bench::result_file("nbody");
  log::info("{}", runtime.banner());
  // This machine's ceilings first; every figure below is also given as a fraction of one:
  // its conventional FLOP rate over the FMA throughput of its precision.
  file["ceilings"] = bench::measure_ceilings(quick);
  for (const auto& c : file["ceilings"])
    log::info("ceiling {:<16} {:.4g} {}", c["name"].get<std::string>(), c["value"].get<double>(),
              c["unit"].get<std::string>());
  log::info("{:>8} {:>26} {:>14} {:>10} {:>10} {:>9}", "N", "benchmark", "interactions/s", "GFLOP/s", "spread",
            "of FMA");
  const long first = quick ? (1L << 10) : (1L << 14);
  const long last = quick ? (1L << 12) : max_n;
  for (long n = first; n <= last; n *= 4) {
    double full_rate = 0; // this N's full Hermite rate (0: not measured)
    Params p;
    p.n = n;
    p.standard_units = false; // positions of a Plummer sphere are all that matters here
    const State s = initial_state(comm, p);
    const double n2 = static_cast<double>(n) * static_cast<double>(n);
    struct Case {
      const char* name;
      double flops;
      Index stride;
      bench::Timing (*run)(const Comm&, const State&, Index);
    };
    const Case cases[] = {{"hermite_fp64", flops_hermite, 1, time_forces<double, true>},
                          {"accel_fp32", flops_accel_fp32, 1, time_forces<float, false>},
                          {"accel_fp64", flops_accel_fp64, 1, time_forces<double, false>},
                          {"hermite_fp64_active_1/16", flops_hermite, 16, time_forces<double, true>},
                          {"hermite_fp64_active_1/256", flops_hermite, 256, time_forces<double, true>}};
    for (const auto& c : cases) {
      if (n / c.stride < 1 || (c.stride == 1 && n > full_max_n)) continue;
      const auto t = c.run(comm, s, c.stride);
      const double pairs = n2 / static_cast<double>(c.stride);
      const double rate = pairs / t.median;
      if (c.stride == 1 && std::string(c.name) == "hermite_fp64") full_rate = rate;
      nlohmann::json extra = {
          {"gflops", rate * c.flops * 1e-9}, {"team_size", g_config.team_size},  {"tile", g_config.tile},
          {"i_per_thread", i_per_thread},    {"flops_per_interaction", c.flops}, {"active", n / c.stride},
          {"mpi_ranks", comm.size()}};
      if (c.stride > 1 && full_rate > 0) extra["fraction_of_full_rate"] = rate / full_rate;
      const char* ceiling_name = std::string(c.name) == "accel_fp32" ? "fma_fp32" : "fma_fp64";
      if (const double peak = bench::ceiling(file["ceilings"], ceiling_name); peak > 0) {
        extra["ceiling"] = ceiling_name;
        extra["ceiling_fraction"] = rate * c.flops / peak;
      }
      file["results"].push_back(bench::entry("nbody", c.name, {{"n", n}}, "interactions/s", rate, pairs / t.max,
                                             pairs / t.min, t.repetitions, extra));
      log::info("{:>8} {:>26} {:>14.4g} {:>10.1f} {:>9.1f}% {:>8.1f}%", n, c.name, rate, rate * c.flops * 1e-9,
                100.0 * (t.max - t.min) / t.median, 100.0 * extra.value("ceiling_fraction", 0.0));
    }
  }
  if (comm.is_root()) {
    if (output.empty()) {
      output =
          fmt::format("perf/results/nbody-{}-{}.json", backend_name(), file["date"].get<std::string>().substr(0, 10));
    }
    std::ofstream(output) << file.dump(2) << "\n";
    log::info("results: {}", output);
  }
  return 0;
}

} // namespace tessera::nbody

int main(int argc, char** argv)
{
  return tessera::nbody::benchmark_main(argc, argv);
}
