// SPDX-License-Identifier: Apache-2.0
#pragma once
// Zone-cycles per second of the AMR hydrodynamics (see amr_suite.cpp).

#include "suite.hpp"

namespace tessera::amr {

struct BenchOptions {
  int cells = 0;             // root cells per axis of the 3-D uniform mesh (0: 256 on GPUs, 64 on hosts)
  bool kernel_times = false; // also profile a few steps of each mesh per kernel (logged only)
};

void amr_benchmarks(bench::Suite& suite, const BenchOptions& options = {});

} // namespace tessera::amr
