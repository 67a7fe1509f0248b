// SPDX-License-Identifier: Apache-2.0
// The Wilson hopping term (dslash) in GFLOP/s (1320 flops per site) over the whole lattice,
// one parity after the other as the even-odd solvers apply it, in double, single and half
// (16-bit fields, float arithmetic) with 18- or 12-real links, and the CG time to solution
// (even-odd: double, mixed single, mixed half) on a smoothed field near its critical kappa.
//
// The bound is memory bandwidth. The least traffic a parity's kernel can have, with perfect
// cache reuse: every link touches one site of each parity, so each parity's kernel reads all
// links (8 per updated site), each neighbour spinor once (1 per site) and writes 1 spinor:
// (8 L + 48) reals per site, L = 18 or 12 link reals: 768 B (single, 18) to 1152 B (double,
// 12). Half: 2 bytes per link real, 52 bytes per spinor (24 int16 and a float norm), so
// (8 L 2 + 2 x 52) B: 392 (18) and 296 (12). Traffic over the measured copy bandwidth is the
// ceiling fraction. The byte model of
// the Kokkos Dslash mini-app (8 links + 8 neighbour spinors + 1 result per site, no reuse)
// is kept as `effective_gb_per_s` for comparison with published figures.
#include "dslash_suite.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/lqcd/fermion.hpp"
#include "tessera/lqcd/observables.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace tessera::lqcd {
namespace {

// The Wilson quarks and CG settings tessera-lqcd runs with these keys (the schema's defaults
// for the others).
Params driver_params(const std::vector<std::string>& keys)
{
  return params_for<Simulation>(keys);
}

// Bytes of one link real and of one spinor in precision P (half: 24 int16 and a float norm).
template <class P>
constexpr double link_real_bytes = sizeof(P);
template <>
constexpr double link_real_bytes<Half> = 2;
template <class P>
constexpr double spinor_bytes = 24 * sizeof(P);
template <>
constexpr double spinor_bytes<Half> = 24 * 2 + 4;

// Bytes moved per site under the mini-app's model: 8 links, 8 neighbour spinors, 1 result.
template <class P>
constexpr double mini_app_bytes_per_site(int link_reals)
{
  return 8.0 * link_reals * link_real_bytes<P> + 9 * spinor_bytes<P>;
}

// Bytes a parity's kernel must move per updated site at least: 8 links, 1 spinor in, 1 out.
template <class P>
constexpr double least_bytes_per_site(int link_reals)
{
  return 8.0 * link_reals * link_real_bytes<P> + 2 * spinor_bytes<P>;
}

// The links of precision P with 18 or 12 reals.
template <class P, int LinkReals>
auto links_for(const Links& u)
{
  if constexpr (std::is_same_v<P, Half>)
    return half_links<LinkReals / 6>(u);
  else if constexpr (LinkReals == 12)
    return compress_links<P>(u);
  else if constexpr (std::is_same_v<P, float>)
    return single_precision(u);
  else
    return u;
}

// The hopping term over the whole lattice (both parities) in precision P, with links of 18
// or 12 reals; chunk_planes > 0 sets the z-planes per chunk of the sweep (one rank).
template <class P, int LinkReals>
bench::Timing time_dslash(const Decomposition& d, const Links& u, int chunk_planes = 0)
{
  using Real = typename Storage<P>::Real;
  const auto links = links_for<P, LinkReals>(u);
  const WilsonParams wilson = driver_params({"action.kappa=0.12"}).hmc.wilson;
  auto noise = allocate_fermion<double>(d.geometry(), "bench::noise");
  for (int p = 0; p < 2; ++p)
    gaussian_noise(d, p, noise.parity[p], 1, 9, 0);
  auto in = allocate_fermion<P>(d.geometry(), "bench::in");
  auto out = allocate_fermion<P>(d.geometry(), "bench::out");
  for (int p = 0; p < 2; ++p)
    convert_copy(d, p, noise.parity[p], in.parity[p]);
  return bench::time_it(
      [&] {
        for (int p = 0; p < 2; ++p)
          if (chunk_planes > 0) // one rank: no ghosts to fill
            hopping_sweep(d.geometry(), links, wilson, out.parity[p], p, Real(0), out.parity[p], Real(1),
                          in.parity[1 - p], false, false, chunk_planes);
          else
            hopping_term(d, links, wilson, out.parity[p], p, Real(0), out.parity[p], Real(1), in.parity[1 - p], false,
                         false);
      },
      5, 1.0, 200);
}

bench::Timing time_variant(const std::string& variant, const Decomposition& d, const Links& u, int chunk_planes = 0)
{
  if (variant == "double") return time_dslash<double, 18>(d, u, chunk_planes);
  if (variant == "single") return time_dslash<float, 18>(d, u, chunk_planes);
  if (variant == "half") return time_dslash<Half, 18>(d, u, chunk_planes);
  if (variant == "double_12") return time_dslash<double, 12>(d, u, chunk_planes);
  if (variant == "single_12") return time_dslash<float, 12>(d, u, chunk_planes);
  return time_dslash<Half, 12>(d, u, chunk_planes);
}

std::string lattice_name(const std::array<int, dims>& size)
{
  return fmt::format("{}", fmt::join(size, "x"));
}

// Records one dslash timing with its bytes and fraction of the copy ceiling, and logs it.
void add_dslash_figure(bench::Suite& suite, const std::string& benchmark, const std::string& variant,
                       const nlohmann::json& size, double sites, const bench::Timing& t)
{
  const int link_reals = variant.ends_with("_12") ? 12 : 18;
  const bool half = variant.starts_with("half"), single = variant.starts_with("single");
  const double bytes_per_site = half     ? least_bytes_per_site<Half>(link_reals)
                                : single ? least_bytes_per_site<float>(link_reals)
                                         : least_bytes_per_site<double>(link_reals);
  const double mini_app_bytes = half     ? mini_app_bytes_per_site<Half>(link_reals)
                                : single ? mini_app_bytes_per_site<float>(link_reals)
                                         : mini_app_bytes_per_site<double>(link_reals);
  const double gflop_per_site = hopping_flops_per_site * 1e-9;
  bench::Figure f{"lqcd", benchmark, size, sites, "sites", "GFLOP/s", gflop_per_site * sites, t};
  const double bytes = bytes_per_site * sites / t.median;
  f.extra = {{"least_bytes_per_site", bytes_per_site},
             {"gb_per_s", bytes * 1e-9},
             {"mini_app_bytes_per_site", mini_app_bytes},
             {"effective_gb_per_s", mini_app_bytes * sites / t.median * 1e-9},
             {"link_format", link_reals == 18 ? "18 reals (full 3x3)" : "12 reals (two rows, third rebuilt)"},
             {"storage", half ? "16-bit fixed point, float norm per spinor site, float arithmetic"
                              : (single ? "float" : "double")}};
  const auto& e = suite.add(f, "copy_bandwidth", bytes_per_site / gflop_per_site);
  log::info("{:>12} {:>9} {:>10.1f} {:>10.1f} {:>8.1f}% {:>7.1f}%{}", size.value("lattice", ""), variant,
            gflop_per_site * sites / t.median, bytes * 1e-9, 100.0 * e.value("ceiling_fraction", 0.0),
            100.0 * (t.max - t.min) / t.median,
            size.contains("chunk_planes") ? fmt::format("  ({} z-planes a chunk)", size["chunk_planes"].get<int>())
                                          : "");
}

void dslash_at(bench::Suite& suite, const std::array<int, dims>& size)
{
  const Decomposition d(suite.comm(), size, {});
  const double needed = 2.0 * static_cast<double>(d.geometry().storage_half) * (576 * 1.5 + 6 * 192);
  if (needed > static_cast<double>(available_memory_bytes())) {
    log::info("{}: skipped (needs {:.1f} GiB)", lattice_name(size), needed / 1073741824.0);
    return;
  }
  const auto u = hot_start(d, 3);
  const double sites = static_cast<double>(d.geometry().global_volume());
  for (const std::string variant : {"double", "single", "half", "double_12", "single_12", "half_12"})
    add_dslash_figure(suite, "dslash_" + variant, variant, {{"lattice", lattice_name(size)}, {"sites", sites}}, sites,
                      time_variant(variant, d, u));
}

// The 12-real variants with the sweep's chunk of z-planes set by hand (sweep_chunk picks the
// most planes with at most sweep_chunk_sites sites a parity): the measurement behind that
// choice. One rank, planes dividing the lattice's z extent.
void chunk_study_at(bench::Suite& suite, const std::array<int, dims>& size, const std::vector<int>& planes)
{
  const Decomposition d(suite.comm(), size, {});
  if (d.geometry().any_padding) {
    log::info("chunk study: skipped on {} ranks (one rank only)", suite.comm().size());
    return;
  }
  const auto u = hot_start(d, 3);
  const double sites = static_cast<double>(d.geometry().global_volume());
  log::info("chunk study on {} (sweep_chunk's choice: {} planes)", lattice_name(size), sweep_chunk(d.geometry()));
  for (const std::string variant : {"double_12", "single_12", "half_12"})
    for (const int c : planes) {
      if (c < 1 || size[2] % c != 0) {
        log::info("chunk study: {} z-planes do not divide {}: skipped", c, size[2]);
        continue;
      }
      add_dslash_figure(suite, "dslash_" + variant + "_chunks", variant,
                        {{"lattice", lattice_name(size)}, {"sites", sites}, {"chunk_planes", c}}, sites,
                        time_variant(variant, d, u, c));
    }
}

// The gauge field of the CG benchmark: a hot start smoothed by `flow_steps` Wilson-flow steps
// of 0.02 (a rough field like a quenched one at moderate beta, whose Dirac spectrum has the
// near-zero modes that make CG work; a hot start at kappa well below its critical value
// makes the solve easy, a cold one has no disorder). Set-up costs a few flow steps.
Links smoothed_field(const Decomposition& d, int flow_steps)
{
  const auto u = hot_start(d, 5);
  for (int k = 0; k < flow_steps; ++k)
    wilson_flow_step(d, u, 0.02);
  return u;
}

// CG time to solution, even-odd, in double, mixed single and mixed half, same tolerance.
void cg_at(bench::Suite& suite, const std::array<int, dims>& size)
{
  const DslashOptions& o = dslash_options();
  const Decomposition d(suite.comm(), size, {});
  const auto u = smoothed_field(d, o.cg_flow_steps);
  const double plaquette_average = plaquette(d, u).average();
  const auto params =
      driver_params({fmt::format("action.kappa={}", o.cg_kappa), fmt::format("solver.tolerance={}", o.cg_tolerance),
                     "solver.max_iterations=100000"});
  const WilsonParams wilson = params.hmc.wilson;
  auto b = allocate_fermion<double>(d.geometry(), "bench::b");
  for (int p = 0; p < 2; ++p)
    gaussian_noise(d, p, b.parity[p], 2, 9, 1);
  double double_seconds = 0;
  for (auto kind : {SolverKind::cg_even_odd, SolverKind::cg_even_odd_mixed, SolverKind::cg_even_odd_half}) {
    auto x = allocate_fermion<double>(d.geometry(), "bench::x");
    SolverResult result;
    const auto t = bench::time_it(
        [&] {
          Kokkos::deep_copy(x.parity[0], Complex<double>(0, 0));
          result = solve_wilson(d, u, wilson, kind, params.hmc.action_solver, x, b);
        },
        1, 1.0, o.cg_repetitions);
    if (kind == SolverKind::cg_even_odd) double_seconds = t.median;
    const double sites = static_cast<double>(d.geometry().global_volume());
    bench::Figure f{
        "lqcd", fmt::format("cg_{}", name(kind)), {{"lattice", lattice_name(size)}}, sites, "sites", "solves/s", 1.0,
        t};
    f.extra = {{"seconds_to_solution", t.median},
               {"speedup_over_double", double_seconds / t.median},
               {"iterations", result.iterations},
               {"reliable_updates", result.reliable_updates},
               {"relative_residual", result.relative_residual},
               {"true_residual", result.true_residual},
               {"converged", result.converged},
               {"kappa", wilson.kappa},
               {"tolerance", o.cg_tolerance},
               {"field", fmt::format("hot start + {} Wilson-flow steps of 0.02, plaquette {:.4f}", o.cg_flow_steps,
                                     plaquette_average)}};
    suite.add_without_ceiling(f, "time to solution (the dslash figures carry the bandwidth fraction)");
    log::info("CG {:<11} on {}: {:.4f} s to {:.0e} ({:.2f}x double; {} iterations, {} reliable updates, true "
              "residual |b - D x|/|b| {:.2e}{}; plaquette {:.4f}, kappa {})",
              name(kind), lattice_name(size), t.median, o.cg_tolerance, double_seconds / t.median, result.iterations,
              result.reliable_updates, result.true_residual, result.converged ? "" : " NOT CONVERGED",
              plaquette_average, wilson.kappa);
  }
}

std::vector<std::array<int, dims>> parse_sizes(const std::string& list)
{
  std::vector<std::array<int, dims>> sizes;
  std::size_t start = 0;
  while (start < list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    std::array<int, dims> e{};
    if (std::sscanf(list.substr(start, end - start).c_str(), "%dx%dx%dx%d", &e[0], &e[1], &e[2], &e[3]) != 4)
      throw std::invalid_argument(fmt::format("lattice '{}': expected LxxLyxLzxLt", list.substr(start, end - start)));
    sizes.push_back(e);
    start = end + 1;
  }
  return sizes;
}

// "48,24,12" -> {48, 24, 12}
std::vector<int> parse_int_list(const std::string& list)
{
  std::vector<int> values;
  std::size_t start = 0;
  while (start < list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    int v = 0;
    if (std::sscanf(list.substr(start, end - start).c_str(), "%d", &v) != 1 || v < 1)
      throw std::invalid_argument(fmt::format("'{}': expected a positive integer", list.substr(start, end - start)));
    values.push_back(v);
    start = end + 1;
  }
  return values;
}

} // namespace

DslashOptions& dslash_options()
{
  static DslashOptions options;
  return options;
}

void dslash_benchmarks(bench::Suite& suite)
{
  const DslashOptions& o = dslash_options();
  log::info("{:>12} {:>9} {:>10} {:>10} {:>9} {:>8}", "lattice", "variant", "GFLOP/s", "GB/s", "of copy", "spread");
  const auto sizes = parse_sizes(!o.sizes.empty() ? o.sizes
                                 : suite.quick()  ? "4x4x4x4,8x8x8x8"
                                                  : "16x16x16x16,24x24x24x24,32x32x32x32,48x48x48x96");
  for (const auto& size : sizes)
    dslash_at(suite, size);
  if (!o.chunk_planes.empty() && !sizes.empty()) chunk_study_at(suite, sizes.back(), parse_int_list(o.chunk_planes));
  for (const auto& size : parse_sizes(!o.cg_sizes.empty() ? o.cg_sizes : suite.quick() ? "4x4x4x4" : "16x16x16x16"))
    cg_at(suite, size);
}

} // namespace tessera::lqcd
