// SPDX-License-Identifier: Apache-2.0
#include "ceilings.hpp"

#include <Kokkos_Core.hpp>
#include <fmt/format.h>
#if defined(TESSERA_HAVE_KOKKOSKERNELS)
#include <KokkosBlas3_gemm.hpp>
#endif

#include "bench_common.hpp"
#include "tessera/core/loops.hpp"
#include "tessera/core/spaces.hpp"

namespace tessera::bench {
namespace {

// A ceiling is what the machine can do: other processes and clock changes only ever slow a
// probe down, so its value is the fastest repetition (the median is kept beside it).
nlohmann::json ceiling_entry(const std::string& name, const std::string& unit, double work, const Timing& t)
{
  return {{"name", name},        {"unit", unit},        {"value", work / t.min},       {"median", work / t.median},
          {"min", work / t.max}, {"max", work / t.min}, {"repetitions", t.repetitions}};
}

// The best of several methods of reaching one ceiling: the winner's entry under `name`,
// naming the method, with every method's entry beside it.
nlohmann::json best_of(const std::string& name, const nlohmann::json& methods)
{
  std::string best;
  for (const auto& [method, entry] : methods.items())
    if (best.empty() || entry.at("value").get<double>() > methods[best].at("value").get<double>()) best = method;
  auto entry = methods[best];
  entry["name"] = name;
  entry["method"] = best;
  entry["methods"] = methods;
  return entry;
}

// Kernels in named functions (nvcc: no device lambda inside another lambda).
void copy_kernel(const View<double*>& a, const View<double*>& b)
{
  par_for("ceiling::copy", static_cast<Index>(a.extent(0)), KOKKOS_LAMBDA(Index i) { b(i) = a(i); });
}

// Two doubles per load and store: 16-byte aligned, so nvcc emits ld/st.global.v2.f64 and
// a thread keeps two transactions in flight where the scalar copy keeps one.
struct alignas(16) DoublePair {
  double x, y;
};
void pair_copy_kernel(const View<DoublePair*>& a, const View<DoublePair*>& b)
{
  par_for("ceiling::copy_pairs", static_cast<Index>(a.extent(0)), KOKKOS_LAMBDA(Index i) { b(i) = a(i); });
}

// STREAM's triad a = b + s c: two streams read, one written.
void triad_kernel(const View<double*>& a, const View<double*>& b, const View<double*>& c, double s)
{
  par_for("ceiling::triad", static_cast<Index>(a.extent(0)), KOKKOS_LAMBDA(Index i) { a(i) = b(i) + s * c(i); });
}

// The copy ceiling is the best of several ways to move n doubles (16 n bytes read + written;
// the triad's 24 n bytes are counted as moved): a scalar copy kernel, a two-double copy
// kernel, Kokkos::deep_copy (on CUDA a cudaMemcpyAsync device-to-device), and the triad.
// PERF.md: a ceiling is the best anything reaches on the machine, so the entry's value is the
// winner's and the entry says which won; every method is kept beside it.
nlohmann::json copy_bandwidth(Index n, double seconds)
{
  View<double*> a("ceiling::a", n), b("ceiling::b", n);
  Kokkos::deep_copy(a, 1.0);
  const double bytes = 16.0 * static_cast<double>(n);
  nlohmann::json methods = nlohmann::json::object();
  methods["copy_kernel"] =
      ceiling_entry("copy_kernel", "bytes/s", bytes, time_it([&] { copy_kernel(a, b); }, 5, seconds, 50));
  methods["deep_copy"] = ceiling_entry("deep_copy", "bytes/s", bytes,
                                       time_it([&] { Kokkos::deep_copy(ExecSpace(), b, a); }, 5, seconds, 50));
  {
    View<DoublePair*> pa("ceiling::pa", n / 2), pb("ceiling::pb", n / 2);
    methods["copy_pairs_kernel"] = ceiling_entry("copy_pairs_kernel", "bytes/s", bytes,
                                                 time_it([&] { pair_copy_kernel(pa, pb); }, 5, seconds, 50));
  }
  {
    View<double*> c("ceiling::c", n);
    Kokkos::deep_copy(c, 0.5);
    methods["triad"] =
        ceiling_entry("triad", "bytes/s", 1.5 * bytes, time_it([&] { triad_kernel(b, a, c, 3.0); }, 5, seconds, 50));
  }
  auto entry = best_of("copy_bandwidth", methods);
  entry["bytes_per_array"] = 8.0 * static_cast<double>(n);
  return entry;
}

template <class Real, int chains, int lanes>
void fma_kernel(const View<Real*>& out, int steps)
{
  par_for(
      "ceiling::fma", static_cast<Index>(out.extent(0)), KOKKOS_LAMBDA(Index i) {
        Real x[chains][lanes];
        for (int c = 0; c < chains; ++c)
          for (int l = 0; l < lanes; ++l)
            x[c][l] = Real(i % 7 + c + l) * Real(1e-3);
        const Real a = Real(0.999999), b = Real(1e-7);
        for (int s = 0; s < steps; ++s)
          for (int c = 0; c < chains; ++c)
            for (int l = 0; l < lanes; ++l)
              x[c][l] = Kokkos::fma(x[c][l], a, b);
        Real sum = 0;
        for (int c = 0; c < chains; ++c)
          for (int l = 0; l < lanes; ++l)
            sum += x[c][l];
        out(i) = sum; // keeps the chains alive
      });
}

// Every work item runs `chains` independent FMA chains of `steps` steps; 16 lanes per item
// on hosts, as a structure of arrays the compiler turns into SIMD FMAs.
template <class Real, int chains>
nlohmann::json fma_chains(Index items, int steps, double seconds)
{
  constexpr int lanes = device_is_host ? 16 : 1;
  View<Real*> out("ceiling::fma_out", items);
  const auto t = time_it([&] { fma_kernel<Real, chains, lanes>(out, steps); }, 5, seconds, 50);
  const double flops = 2.0 * chains * lanes * static_cast<double>(steps) * static_cast<double>(items);
  return ceiling_entry(fmt::format("{}_chains", chains), "flop/s", flops, t);
}

// 8 or 16 chains per work item: more hide the FMA latency better where registers allow.
template <class Real>
nlohmann::json fma_throughput(Index items, int steps, double seconds)
{
  nlohmann::json methods = nlohmann::json::object();
  methods["8_chains"] = fma_chains<Real, 8>(items, steps, seconds);
  methods["16_chains"] = fma_chains<Real, 16>(items, steps / 2, seconds);
  return best_of(sizeof(Real) == 4 ? "fma_fp32" : "fma_fp64", methods);
}

#if defined(TESSERA_HAVE_KOKKOSKERNELS)
template <class Real>
nlohmann::json gemm_throughput(Index n, double seconds)
{
  Kokkos::View<Real**, Kokkos::LayoutLeft, MemSpace> a("ceiling::A", n, n), b("ceiling::B", n, n),
      c("ceiling::C", n, n);
  Kokkos::deep_copy(a, Real(0.5));
  Kokkos::deep_copy(b, Real(0.25));
  const auto t = time_it([&] { KokkosBlas::gemm(ExecSpace(), "N", "N", Real(1), a, b, Real(0), c); }, 3, seconds, 20);
  const double nn = static_cast<double>(n);
  return ceiling_entry(sizeof(Real) == 4 ? "gemm_fp32" : "gemm_fp64", "flop/s", 2.0 * nn * nn * nn, t);
}
#endif

} // namespace

nlohmann::json measure_ceilings(bool quick)
{
  // Sizes that exceed caches (copy: 2 GiB arrays on GPUs: on the H200 a device copy of
  // 256 MiB reached 5% less than one of 2 GiB; 128 MiB on hosts) and fill the
  // device (FMA: 64 work items per hardware thread on GPUs, 4 per host thread).
  // Quick mode only times for less long: the sizes stay out of cache (2 x 64 MiB) and the
  // FMA chains long, so that quick fractions mean the same as full ones.
  const Index copy_n = quick ? (Index(1) << 23) : (device_is_host ? (Index(1) << 24) : (Index(1) << 28));
  const Index items = static_cast<Index>(ExecSpace().concurrency()) * (device_is_host ? 4 : 64);
  const int steps = device_is_host ? 4096 : 1024;
  const double seconds = quick ? 0.2 : 1.0; // of repeated calls per ceiling
  nlohmann::json list = nlohmann::json::array();
  list.push_back(copy_bandwidth(copy_n, seconds));
  list.push_back(fma_throughput<float>(items, steps, seconds));
  list.push_back(fma_throughput<double>(items, steps, seconds));
#if defined(TESSERA_HAVE_KOKKOSKERNELS)
  const Index gemm_n = quick ? 256 : (device_is_host ? 1024 : 8192);
  list.push_back(gemm_throughput<float>(gemm_n, seconds));
  list.push_back(gemm_throughput<double>(gemm_n, seconds));
#endif
  return list;
}

double ceiling(const nlohmann::json& ceilings, const std::string& name)
{
  for (const auto& c : ceilings)
    if (c.value("name", "") == name) return c.value("value", 0.0);
  return 0.0;
}

} // namespace tessera::bench
