// SPDX-License-Identifier: Apache-2.0
// Interactions per second of the N-body force kernels:
//   full evaluations (every particle active): Hermite FP64 (a + jerk + pot, 60 flops),
//   acceleration only FP32 (20 flops, the CUDA-samples convention) and FP64 (30 flops);
//   block-step evaluations with N/16 and N/256 active particles (Hermite FP64), as a rate
//   per interaction and as a fraction of the full evaluation's rate.
// GFLOP/s follow PERF.md's conventions (20 / 30 / 60 flops per interaction). The ceiling
// fraction uses the operations the kernel must do, counted in interact() (add, subtract,
// multiply 1, FMA 2, the reciprocal square root 1): 19 for the acceleration, 43 with the
// jerk, over the FMA throughput of the precision. The conventions count a square root and a
// division as several flops, and so exceed what a host with fast SIMD square roots executes.
// Above full_max_n only the block-step cases run (a full evaluation at N = 2^20 takes
// minutes on a host); their rate per interaction stands for the kernel's at that N.
#include "nbody_suite.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "tessera/core/log.hpp"
#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/simulation.hpp"

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

constexpr double counted_ops_accel = 19;
constexpr double counted_ops_hermite = 43;
// Issue slots per FP32 acceleration interaction at the instruction level: 3 FADD, 3 FFMA
// (r^2), 3 FMUL (m / r^3), 3 FFMA (sums) on the FP32 pipe plus 1 MUFU.RSQ; scratch loads and
// the loop come on top, divided by the i per thread. One warp-instruction per clock per SM
// sub-partition on Hopper, where an FP32 instruction also takes one clock of its 32 lanes:
// the limit is the FP32 FMA rate (flop/s) / 2 / 13 interactions/s.
constexpr double issue_slots_accel_fp32 = 13;

template <class Real, bool Jerk>
bench::Timing time_forces(const Comm& comm, const State& s, Index stride, const ForceConfig& config)
{
  Gravity<Real, Jerk> gravity(comm, s.local(), 1.0 / 1024, config);
  Index count = s.local();
  const View<Index*> active = stride > 1 ? every(stride, s.local(), count) : View<Index*>();
  ViewRight<double**> sums("bench::sums", count, n_sums<Jerk>);
  return bench::time_it([&] { gravity.compute(s.x, s.v, s.m, active, count, sums); }, 3, 1.0, 20);
}

struct Case {
  const char* name;
  double flops; // PERF.md's convention
  double ops;   // counted in interact()
  Index stride;
  bench::Timing (*run)(const Comm&, const State&, Index, const ForceConfig&);
  int i_per_thread = 0; // 0: the kernel's default
};

} // namespace

void force_benchmarks(bench::Suite& suite, const BenchOptions& options)
{
  const Comm& comm = suite.comm();
  const long max_n = options.max_n > 0 ? options.max_n : (device_is_host ? (1L << 16) : (1L << 20));
  log::info("{:>8} {:>26} {:>14} {:>10} {:>10} {:>9}", "N", "benchmark", "interactions/s", "GFLOP/s", "spread",
            "of FMA");
  const long first = suite.quick() ? (1L << 10) : (1L << 14);
  const long last = suite.quick() ? (1L << 12) : max_n;
  std::vector<Case> cases = {{"hermite_fp64", flops_hermite, counted_ops_hermite, 1, time_forces<double, true>},
                             {"accel_fp32", flops_accel_fp32, counted_ops_accel, 1, time_forces<float, false>}};
  std::vector<std::string> names(options.fp32_i_per_thread.size());
  for (std::size_t q = 0; q < names.size(); ++q) {
    names[q] = fmt::format("accel_fp32_i{}", options.fp32_i_per_thread[q]);
    cases.push_back({names[q].c_str(), flops_accel_fp32, counted_ops_accel, 1, time_forces<float, false>,
                     options.fp32_i_per_thread[q]});
  }
  cases.insert(cases.end(),
               {{"accel_fp64", flops_accel_fp64, counted_ops_accel, 1, time_forces<double, false>},
                {"hermite_fp64_active_1/16", flops_hermite, counted_ops_hermite, 16, time_forces<double, true>},
                {"hermite_fp64_active_1/256", flops_hermite, counted_ops_hermite, 256, time_forces<double, true>}});
  std::vector<long> sizes = options.sizes;
  if (sizes.empty()) {
    for (long n = first; n <= last; n *= 4)
      sizes.push_back(n);
  }
  const auto wanted = [&](const std::string& name) {
    return options.cases.empty() || std::find(options.cases.begin(), options.cases.end(), name) != options.cases.end();
  };
  for (const long n : sizes) {
    double full_rate = 0; // this N's full Hermite rate (0: not measured)
    // Positions of a Plummer sphere are all that matters here.
    const auto p = params_for<Simulation>({fmt::format("ic.n={}", n), "ic.standard_units=false"});
    const State s = initial_state(comm, p);
    const double n2 = static_cast<double>(n) * static_cast<double>(n);
    for (const auto& c : cases) {
      const std::string name = c.name;
      if (n / c.stride < 1 || (c.stride == 1 && n > options.full_max_n) || !wanted(name)) continue;
      ForceConfig config = options.forces;
      if (c.i_per_thread > 0) config.i_per_thread = c.i_per_thread;
      const bool fp32 = name.starts_with("accel_fp32");
      bench::Figure f{"nbody",
                      name,
                      {{"n", n}},
                      static_cast<double>(n),
                      "particles",
                      "interactions/s",
                      n2 / static_cast<double>(c.stride),
                      c.run(comm, s, c.stride, config)};
      const double rate = f.work / f.timing.median;
      if (name == "hermite_fp64") full_rate = rate;
      f.extra = {{"gflops", rate * c.flops * 1e-9},
                 {"team_size", options.forces.team_size},
                 {"tile", options.forces.tile},
                 {"i_per_thread", c.i_per_thread > 0 ? c.i_per_thread
                                  : fp32             ? default_i_per_thread<float, false>
                                                     : default_i_per_thread<double, true>},
                 {"j_split", options.forces.j_split},
                 {"flops_per_interaction", c.flops},
                 {"counted_ops_per_interaction", c.ops},
                 {"active", n / c.stride}};
      if (c.stride > 1 && full_rate > 0) f.extra["fraction_of_full_rate"] = rate / full_rate;
      if (fp32 && suite.ceiling("fma_fp32") > 0) {
        // The instruction-level limit (issue_slots_accel_fp32) and the fraction reached.
        const double limit = suite.ceiling("fma_fp32") / 2 / issue_slots_accel_fp32;
        f.extra["issue_slots_per_interaction"] = issue_slots_accel_fp32;
        f.extra["issue_limit_interactions_per_second"] = limit;
        f.extra["fraction_of_issue_limit"] = rate / limit;
      }
      const auto& e = suite.add(f, fp32 ? "fma_fp32" : "fma_fp64", c.ops);
      log::info("{:>8} {:>26} {:>14.4g} {:>10.1f} {:>9.1f}% {:>8.1f}%", n, name, rate, rate * c.flops * 1e-9,
                100.0 * (f.timing.max - f.timing.min) / f.timing.median, 100.0 * e.value("ceiling_fraction", 0.0));
    }
  }
}

} // namespace tessera::nbody
