// SPDX-License-Identifier: Apache-2.0
#pragma once
// MLP training throughput (see mlp_suite.cpp).

#include "suite.hpp"

namespace tessera::nn {

struct BenchOptions {
  int batches = 0; // global batches per timed call (0: 16 on GPUs, 2 on hosts)
};

void mlp_benchmarks(bench::Suite& suite, const BenchOptions& options = {});

} // namespace tessera::nn
