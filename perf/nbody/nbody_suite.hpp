// SPDX-License-Identifier: Apache-2.0
#pragma once
// N-body force kernels in interactions per second (see nbody_suite.cpp).

#include "suite.hpp"
#include "tessera/nbody/forces.hpp"

namespace tessera::nbody {

struct BenchOptions {
  long max_n = 0;             // largest N (0: 2^20 on GPUs, 2^16 on hosts)
  long full_max_n = 1L << 20; // largest N of the full evaluations; above it only block steps
  ForceConfig forces;         // team size and tile (0: the backend's defaults)
};

void force_benchmarks(bench::Suite& suite, const BenchOptions& options = {});

} // namespace tessera::nbody
