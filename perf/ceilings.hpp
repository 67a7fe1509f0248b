// SPDX-License-Identifier: Apache-2.0
#pragma once
// Ceilings measured by the harness on the machine at hand (PERF.md: measured, not quoted),
// so that every rate can be given as a fraction of what this machine does:
//   copy_bandwidth   bytes read + written per second by a device copy larger than any cache:
//                    the best of a copy kernel, a two-double copy kernel, Kokkos::deep_copy and
//                    STREAM's triad (the entry names the winner under "method")
//   fma_fp32/fp64    FLOP/s of independent fused multiply-add chains (2 flops per FMA)
//   gemm_fp32/fp64   FLOP/s of KokkosBlas::gemm (cuBLAS on CUDA), when Kokkos Kernels is there

#include <string>

#include <nlohmann/json.hpp>

namespace tessera::bench {

// The ceilings as PERF.md's list of {name, unit, value (the fastest repetition), median, min,
// max, repetitions}; quick: shorter timing, same sizes.
nlohmann::json measure_ceilings(bool quick);

// The value of ceiling `name` in a list from measure_ceilings (0 when absent).
double ceiling(const nlohmann::json& ceilings, const std::string& name);

} // namespace tessera::bench
