// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Wilson hopping term and the CG time to solution (see dslash_suite.cpp).

#include <string>

#include "suite.hpp"

namespace tessera::lqcd {

// What tessera-bench-dslash's options change (the defaults elsewhere): lattices as
// "LxxLyxLzxLt,..." (empty: the quick or full sweep), and the CG benchmark's field and system.
struct DslashOptions {
  std::string sizes;           // dslash lattices
  std::string cg_sizes;        // CG lattices (empty: 4^4 quick, 16^4 full)
  double cg_kappa = 0.18;      // below the smoothed field's critical kappa (about 0.2): a few hundred iterations
  int cg_flow_steps = 20;      // Wilson-flow steps of 0.02 smoothing the hot start
  double cg_tolerance = 1e-10; // on the true residual |b - D x| / |b|
  int cg_repetitions = 5;      // timed solves (median)
  std::string chunk_planes;    // z-planes a chunk of the sweep to compare, "48,12,6" (empty: none)
};
DslashOptions& dslash_options();

void dslash_benchmarks(bench::Suite& suite);

} // namespace tessera::lqcd
