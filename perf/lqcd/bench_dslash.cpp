// SPDX-License-Identifier: Apache-2.0
// tessera-bench-dslash: the lattice-QCD benchmarks alone (dslash_suite.cpp).
// Usage: tessera-bench-dslash [--quick] [--label L] [--output FILE] [--sizes LIST] [--cg-sizes LIST]
//        [--cg-kappa K] [--cg-flow-steps N] [--cg-tolerance T] [--cg-repetitions N] [--chunk-planes LIST]
// LIST: lattices such as 32x32x32x32,48x48x48x96.
#include "dslash_suite.hpp"
#include "runner.hpp"

int main(int argc, char** argv)
{
  return tessera::bench::run_benchmarks(
      argc, argv, "tessera-bench-dslash", "Tessera Wilson dslash benchmark",
      {{"lqcd", tessera::lqcd::dslash_benchmarks}}, [](CLI::App& app) {
        auto& o = tessera::lqcd::dslash_options();
        app.add_option("--sizes", o.sizes, "dslash lattices, e.g. 32x32x32x32,48x48x48x96");
        app.add_option("--cg-sizes", o.cg_sizes, "CG time-to-solution lattices");
        app.add_option("--cg-kappa", o.cg_kappa, "CG: hopping parameter");
        app.add_option("--cg-flow-steps", o.cg_flow_steps, "CG: Wilson-flow steps of 0.02 smoothing the hot start");
        app.add_option("--cg-tolerance", o.cg_tolerance, "CG: true residual");
        app.add_option("--cg-repetitions", o.cg_repetitions, "CG: timed solves");
        app.add_option("--chunk-planes", o.chunk_planes,
                       "12-real variants on the last lattice with these z-planes a chunk of the sweep, e.g. 48,12,6");
      });
}
