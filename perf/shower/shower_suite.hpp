// SPDX-License-Identifier: Apache-2.0
#pragma once
// Showered events per second (see shower_suite.cpp).

#include "suite.hpp"

namespace tessera::shower {

struct BenchOptions {
  long max_events = 0; // largest run (0: 10^7 on GPUs, 10^5 on hosts)
};

void shower_benchmarks(bench::Suite& suite, const BenchOptions& options = {});

} // namespace tessera::shower
