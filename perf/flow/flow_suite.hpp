// SPDX-License-Identifier: Apache-2.0
#pragma once
// Normalizing-flow training and sampling throughput (see flow_suite.cpp).

#include <string>
#include <vector>

#include "suite.hpp"

namespace tessera::flow {

struct FlowBenchOptions {
  std::vector<int> sizes;   // lattice sizes L (empty: 8 and 16; quick: 8)
  std::vector<int> batches; // batch sizes (empty: 64 and 1024; quick: 64)
  int coupling_layers = 16;
};

void flow_benchmarks(bench::Suite& suite, const FlowBenchOptions& options = {});

} // namespace tessera::flow
