// SPDX-License-Identifier: Apache-2.0
#include "ceilings.hpp"

#include <Kokkos_Core.hpp>
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

// Kernels in named functions (nvcc: no device lambda inside another lambda).
void copy_kernel(const View<double*>& a, const View<double*>& b)
{
  par_for("ceiling::copy", static_cast<Index>(a.extent(0)), KOKKOS_LAMBDA(Index i) { b(i) = a(i); });
}

// b = a over n doubles: 16 n bytes moved.
nlohmann::json copy_bandwidth(Index n, double seconds)
{
  View<double*> a("ceiling::a", n), b("ceiling::b", n);
  Kokkos::deep_copy(a, 1.0);
  const auto t = time_it([&] { copy_kernel(a, b); }, 5, seconds, 50);
  return ceiling_entry("copy_bandwidth", "bytes/s", 16.0 * static_cast<double>(n), t);
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
template <class Real>
nlohmann::json fma_throughput(Index items, int steps, double seconds)
{
  constexpr int lanes = device_is_host ? 16 : 1;
  constexpr int chains = 8;
  View<Real*> out("ceiling::fma_out", items);
  const auto t = time_it([&] { fma_kernel<Real, chains, lanes>(out, steps); }, 5, seconds, 50);
  const double flops = 2.0 * chains * lanes * static_cast<double>(steps) * static_cast<double>(items);
  return ceiling_entry(sizeof(Real) == 4 ? "fma_fp32" : "fma_fp64", "flop/s", flops, t);
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
  // Sizes that exceed caches (copy: 2 x 256 MiB on GPUs, 2 x 128 MiB on hosts) and fill the
  // device (FMA: 64 work items per hardware thread on GPUs, 4 per host thread).
  // Quick mode only times for less long: the sizes stay out of cache (2 x 64 MiB) and the
  // FMA chains long, so that quick fractions mean the same as full ones.
  const Index copy_n = quick ? (Index(1) << 23) : (device_is_host ? (Index(1) << 24) : (Index(1) << 25));
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
