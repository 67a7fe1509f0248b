// SPDX-License-Identifier: Apache-2.0
// The Wilson hopping term (dslash) in GFLOP/s (1320 flops per site) over the whole lattice,
// one parity after the other as the even-odd solvers apply it, and the CG time to solution
// (even-odd, double and mixed precision) on a hot-start field at kappa = 0.2.
//
// The bound is memory bandwidth. The least traffic a parity's kernel can have, with perfect
// cache reuse: every link touches one site of each parity, so each parity's kernel reads all
// links (8 per updated site), each neighbour spinor once (1 per site) and writes 1 spinor:
// (8 L + 48) reals per site, L = 18 or 12 link reals: 768 B (single, 18) to 1152 B (double,
// 12). Traffic over the measured copy bandwidth is the ceiling fraction. The byte model of
// the Kokkos Dslash mini-app (8 links + 8 neighbour spinors + 1 result per site, no reuse)
// is kept as `effective_gb_per_s` for comparison with published figures.
#include "dslash_suite.hpp"

#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/lqcd/fermion.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace tessera::lqcd {
namespace {

// The Wilson quarks and CG settings tessera-lqcd runs with these keys (the schema's defaults
// for the others).
Params driver_params(const std::vector<std::string>& keys)
{
  return params_for<Simulation>(keys);
}

// Reals moved per site under the mini-app's model: 8 links, 8 neighbour spinors, 1 result.
constexpr double mini_app_reals_per_site(int link_reals)
{
  return 8.0 * link_reals + 8 * 24 + 24;
}

// Reals a parity's kernel must move per updated site at least: 8 links, 1 spinor in, 1 out.
constexpr double least_reals_per_site(int link_reals)
{
  return 8.0 * link_reals + 2 * 24;
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
  const WilsonParams wilson = driver_params({"action.kappa=0.12"}).hmc.wilson;
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

std::string lattice_name(const std::array<int, dims>& size)
{
  return fmt::format("{}", fmt::join(size, "x"));
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
  for (const std::string variant : {"double", "single", "double_12", "single_12"}) {
    const bool single = variant.starts_with("single");
    const int link_reals = variant.ends_with("_12") ? 12 : 18;
    const auto t = variant == "double"      ? time_dslash<double, 18>(d, u)
                   : variant == "single"    ? time_dslash<float, 18>(d, u)
                   : variant == "double_12" ? time_dslash<double, 12>(d, u)
                                            : time_dslash<float, 12>(d, u);
    const double real_bytes = single ? 4 : 8;
    const double bytes_per_site = least_reals_per_site(link_reals) * real_bytes;
    const double mini_app_bytes_per_site = mini_app_reals_per_site(link_reals) * real_bytes;
    const double gflop_per_site = hopping_flops_per_site * 1e-9;
    bench::Figure f{"lqcd",
                    "dslash_" + variant,
                    {{"lattice", lattice_name(size)}, {"sites", sites}},
                    sites,
                    "sites",
                    "GFLOP/s",
                    gflop_per_site * sites,
                    t};
    const double bytes = bytes_per_site * sites / t.median;
    f.extra = {{"least_bytes_per_site", bytes_per_site},
               {"gb_per_s", bytes * 1e-9},
               {"mini_app_bytes_per_site", mini_app_bytes_per_site},
               {"effective_gb_per_s", mini_app_bytes_per_site * sites / t.median * 1e-9},
               {"link_format", link_reals == 18 ? "18 reals (full 3x3)" : "12 reals (two rows, third rebuilt)"}};
    const auto& e = suite.add(f, "copy_bandwidth", bytes_per_site / gflop_per_site);
    log::info("{:>12} {:>9} {:>10.1f} {:>10.1f} {:>8.1f}% {:>7.1f}%", lattice_name(size), variant,
              gflop_per_site * sites / t.median, bytes * 1e-9, 100.0 * e.value("ceiling_fraction", 0.0),
              100.0 * (t.max - t.min) / t.median);
  }
}

// CG time to solution, even-odd, double and mixed precision.
void cg_at(bench::Suite& suite, const std::array<int, dims>& size)
{
  const Decomposition d(suite.comm(), size, {});
  const auto u = hot_start(d, 5);
  // kappa 0.2 on a hot (strong-coupling) field: a hundred iterations or more, not a trivial solve
  const auto params = driver_params({"action.kappa=0.2", "solver.tolerance=1e-10", "solver.max_iterations=20000"});
  const WilsonParams wilson = params.hmc.wilson;
  auto b = allocate_fermion<double>(d.geometry(), "bench::b");
  for (int p = 0; p < 2; ++p)
    gaussian_noise(d, p, b.parity[p], 2, 9, 1);
  for (auto kind : {SolverKind::cg_even_odd, SolverKind::cg_even_odd_mixed}) {
    auto x = allocate_fermion<double>(d.geometry(), "bench::x");
    SolverResult result;
    const auto t = bench::time_it(
        [&] {
          Kokkos::deep_copy(x.parity[0], Complex<double>(0, 0));
          result = solve_wilson(d, u, wilson, kind, params.hmc.action_solver, x, b);
        },
        3, 1.0, 10);
    const double sites = static_cast<double>(d.geometry().global_volume());
    bench::Figure f{
        "lqcd", fmt::format("cg_{}", name(kind)), {{"lattice", lattice_name(size)}}, sites, "sites", "solves/s", 1.0,
        t};
    f.extra = {{"seconds_to_solution", t.median},
               {"iterations", result.iterations},
               {"reliable_updates", result.reliable_updates},
               {"relative_residual", result.relative_residual},
               {"kappa", wilson.kappa},
               {"tolerance", 1e-10}};
    suite.add_without_ceiling(f, "time to solution (the dslash figures carry the bandwidth fraction)");
    log::info("CG {} on {}: {:.4f} s to 1e-10 ({} iterations, {} reliable updates, residual {:.2e})", name(kind),
              lattice_name(size), t.median, result.iterations, result.reliable_updates, result.relative_residual);
  }
}

} // namespace

void dslash_benchmarks(bench::Suite& suite)
{
  log::info("{:>12} {:>9} {:>10} {:>10} {:>9} {:>8}", "lattice", "variant", "GFLOP/s", "GB/s", "of copy", "spread");
  std::vector<std::array<int, dims>> sizes;
  if (suite.quick())
    sizes = {{4, 4, 4, 4}, {8, 8, 8, 8}};
  else
    sizes = {{16, 16, 16, 16}, {24, 24, 24, 24}, {32, 32, 32, 32}, {48, 48, 48, 96}};
  for (const auto& size : sizes)
    dslash_at(suite, size);
  cg_at(suite, suite.quick() ? std::array<int, dims>{4, 4, 4, 4} : sizes.front());
}

} // namespace tessera::lqcd
