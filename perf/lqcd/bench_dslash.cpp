// tessera-bench-dslash: the Wilson hopping term (dslash) in GFLOP/s (1320 flops per site)
// and effective GB/s under the byte model of the Kokkos Dslash mini-app (per site: 8 links
// of 18 reals, 8 neighbour spinors of 24 reals in, 1 spinor out: 1440 B in single, 2880 B
// in double precision), as a fraction of the measured copy bandwidth; and the CG time to
// solution (even-odd, double and mixed precision) on a hot-start field at kappa = 0.2.
// Usage: tessera-bench-dslash [--quick] [--output FILE]
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench_common.hpp"
#include "ceilings.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/lqcd/fermion.hpp"

namespace tessera::lqcd {
namespace {

// Reals moved per site under the mini-app's model: 8 links, 8 neighbour spinors, 1 result.
constexpr double reals_per_site(int link_reals)
{
  return 8.0 * link_reals + 8 * 24 + 24;
}

// The hopping term over the whole lattice (both parities) in precision T, with links of 18
// or 12 reals.
template <class T, int LinkReals>
bench::Timing time_dslash(const Decomposition& d, const Links& u)
{
  const auto links = [&] {
    if constexpr (LinkReals == 12)
      return compress_links<T>(u);
    else if constexpr (std::is_same_v<T, float>)
      return single_precision(u);
    else
      return u;
  }();
  const WilsonParams wilson{0.12, {1, 1, 1, -1}};
  auto noise = allocate_fermion<double>(d.geometry(), "bench::noise");
  for (int p = 0; p < 2; ++p)
    gaussian_noise(d, p, noise.parity[p], 1, 9, 0);
  auto in = allocate_fermion<T>(d.geometry(), "bench::in");
  auto out = allocate_fermion<T>(d.geometry(), "bench::out");
  for (int p = 0; p < 2; ++p)
    convert_copy<T>(d, p, noise.parity[p], in.parity[p]);
  return bench::time_it(
      [&] {
        for (int p = 0; p < 2; ++p)
          hopping_term(d, links, wilson, out.parity[p], p, T(0), out.parity[p], T(1), in.parity[1 - p], false, false);
      },
      5, 1.0, 200);
}

int benchmark_main(int argc, char** argv)
{
  Runtime runtime(argc, argv);
  CLI::App app("Tessera Wilson dslash benchmark", "tessera-bench-dslash");
  bool quick = false;
  std::string output;
  app.add_flag("--quick", quick, "seconds-long smoke run (4^4 and 8^4)");
  app.add_option("--output", output, "JSON result file (default: perf/results/lqcd-<backend>-<date>.json)");
  CLI11_PARSE(app, argc, argv);
  const Comm& comm = runtime.world();

  auto file = bench::result_file("lqcd");
  log::info("{}", runtime.banner());
  const auto ceilings = bench::measure_ceilings(quick);
  file["ceilings"] = ceilings;
  const double bandwidth = bench::ceiling(ceilings, "copy_bandwidth");
  log::info("copy bandwidth ceiling: {:.4g} GB/s", bandwidth * 1e-9);
  log::info("{:>12} {:>9} {:>10} {:>10} {:>9} {:>8}", "lattice", "variant", "GFLOP/s", "GB/s", "of copy", "spread");

  std::vector<std::array<int, dims>> sizes;
  if (quick)
    sizes = {{4, 4, 4, 4}, {8, 8, 8, 8}};
  else
    sizes = {{16, 16, 16, 16}, {24, 24, 24, 24}, {32, 32, 32, 32}, {48, 48, 48, 96}};
  for (const auto& size : sizes) {
    const Decomposition d(comm, size, {});
    const double needed = 2.0 * static_cast<double>(d.geometry().storage_half) * (576 * 1.5 + 6 * 192);
    if (needed > static_cast<double>(available_memory_bytes())) {
      log::info("{}: skipped (needs {:.1f} GiB)", fmt::join(size, "x"), needed / 1073741824.0);
      continue;
    }
    const auto u = hot_start(d, 3);
    const double sites = static_cast<double>(d.geometry().global_volume());
    for (const std::string variant : {"double", "single", "double_12", "single_12"}) {
      const bool single = variant.starts_with("single");
      const int link_reals = variant.ends_with("_12") ? 12 : 18;
      const auto t = variant == "double"      ? time_dslash<double, 18>(d, u)
                     : variant == "single"    ? time_dslash<float, 18>(d, u)
                     : variant == "double_12" ? time_dslash<double, 12>(d, u)
                                              : time_dslash<float, 12>(d, u);
      const double bytes_per_site = reals_per_site(link_reals) * (single ? 4 : 8);
      const double flops = hopping_flops_per_site * sites / t.median;
      const double bytes = bytes_per_site * sites / t.median;
      file["results"].push_back(bench::entry(
          "lqcd", "dslash_" + variant, {{"lattice", fmt::format("{}", fmt::join(size, "x"))}, {"sites", sites}},
          "GFLOP/s", flops * 1e-9, hopping_flops_per_site * sites / t.max * 1e-9,
          hopping_flops_per_site * sites / t.min * 1e-9, t.repetitions,
          {{"effective_gb_per_s", bytes * 1e-9},
           {"bytes_per_site", bytes_per_site},
           {"link_format", link_reals == 18 ? "18 reals (full 3x3)" : "12 reals (two rows, third rebuilt)"},
           {"fraction_of_copy_bandwidth", bandwidth > 0 ? bytes / bandwidth : 0.0}}));
      log::info("{:>12} {:>9} {:>10.1f} {:>10.1f} {:>8.1f}% {:>7.1f}%", fmt::format("{}", fmt::join(size, "x")),
                variant, flops * 1e-9, bytes * 1e-9, bandwidth > 0 ? 100 * bytes / bandwidth : 0.0,
                100.0 * (t.max - t.min) / t.median);
    }
  }

  // CG time to solution, even-odd, on the smallest production size.
  const std::array<int, dims> cg_size = quick ? std::array<int, dims>{4, 4, 4, 4} : sizes.front();
  const Decomposition d(comm, cg_size, {});
  const auto u = hot_start(d, 5);
  // kappa 0.2 on a hot (strong-coupling) field: a few hundred iterations, not a trivial solve
  const WilsonParams wilson{0.2, {1, 1, 1, -1}};
  auto b = allocate_fermion<double>(d.geometry(), "bench::b");
  for (int p = 0; p < 2; ++p)
    gaussian_noise(d, p, b.parity[p], 2, 9, 1);
  for (auto kind : {SolverKind::cg_even_odd, SolverKind::cg_even_odd_mixed}) {
    auto x = allocate_fermion<double>(d.geometry(), "bench::x");
    SolverResult result;
    const auto t = bench::time_it(
        [&] {
          Kokkos::deep_copy(x.parity[0], Complex<double>(0, 0));
          result = solve_wilson(d, u, wilson, kind, {1e-10, 20000, 0.1}, x, b);
        },
        3, 1.0, 10);
    file["results"].push_back(bench::entry("lqcd", fmt::format("cg_{}", name(kind)),
                                           {{"lattice", fmt::format("{}", fmt::join(cg_size, "x"))}}, "solves/s",
                                           1.0 / t.median, 1.0 / t.max, 1.0 / t.min, t.repetitions,
                                           {{"seconds_to_solution", t.median},
                                            {"iterations", result.iterations},
                                            {"reliable_updates", result.reliable_updates},
                                            {"relative_residual", result.relative_residual},
                                            {"kappa", wilson.kappa},
                                            {"tolerance", 1e-10}}));
    log::info("CG {} on {}: {:.4f} s to 1e-10 ({} iterations, {} reliable updates, residual {:.2e})", name(kind),
              fmt::join(cg_size, "x"), t.median, result.iterations, result.reliable_updates, result.relative_residual);
  }
  if (comm.is_root()) {
    if (output.empty())
      output =
          fmt::format("perf/results/lqcd-{}-{}.json", backend_name(), file["date"].get<std::string>().substr(0, 10));
    std::ofstream(output) << file.dump(2) << "\n";
    log::info("results: {}", output);
  }
  return 0;
}

} // namespace
} // namespace tessera::lqcd

int main(int argc, char** argv)
{
  return tessera::lqcd::benchmark_main(argc, argv);
}
