// SPDX-License-Identifier: Apache-2.0
#pragma once
// N-body force kernels in interactions per second (see nbody_suite.cpp).

#include <string>
#include <vector>

#include "suite.hpp"
#include "tessera/nbody/forces.hpp"

namespace tessera::nbody {

struct BenchOptions {
  long max_n = 0;             // largest N (0: 2^20 on GPUs, 2^16 on hosts)
  long full_max_n = 1L << 20; // largest N of the full evaluations; above it only block steps
  ForceConfig forces;         // team size, tile, j-split (0: the backend's defaults)
  std::vector<long> sizes;    // the N to run (empty: 2^14, 2^16, ... up to max_n)
  // Extra runs of the FP32 acceleration kernel with these i-particles per thread (1, 2, 4),
  // as accel_fp32_i<NI>, next to accel_fp32 (the default), so that one run compares them.
  std::vector<int> fp32_i_per_thread;
  std::vector<std::string> cases; // benchmark names to run (empty: all)
};

void force_benchmarks(bench::Suite& suite, const BenchOptions& options = {});

} // namespace tessera::nbody
