// SPDX-License-Identifier: Apache-2.0
// tessera-bench-nbody: the N-body force benchmarks alone (nbody_suite.cpp), with the
// kernel's tuning knobs on the command line.
// Usage: tessera-bench-nbody [--quick] [--max-n N] [--full-max-n N] [--team-size T] [--tile T]
//                            [--j-split S] [--sizes N,...] [--i-per-thread 1,2,4] [--cases A,...]
//                            [--label L] [--output FILE]
#include "nbody_suite.hpp"
#include "runner.hpp"

int main(int argc, char** argv)
{
  tessera::nbody::BenchOptions options;
  return tessera::bench::run_benchmarks(
      argc, argv, "tessera-bench-nbody", "Tessera N-body force benchmark",
      {{"nbody", [&](tessera::bench::Suite& s) { tessera::nbody::force_benchmarks(s, options); }}}, [&](CLI::App& app) {
        app.add_option("--max-n", options.max_n, "largest N (default 2^20 on GPUs, 2^16 on hosts)");
        app.add_option("--full-max-n", options.full_max_n, "largest N of the full evaluations (default 2^20)");
        app.add_option("--team-size", options.forces.team_size, "threads per team (0: backend default)");
        app.add_option("--tile", options.forces.tile, "j-particles per tile (0: backend default)");
        app.add_option("--j-split", options.forces.j_split, "segments of the j-range (0: automatic)");
        app.add_option("--sizes", options.sizes, "the N to run, e.g. 131072,1048576 (default 2^14, 2^16, ...)")
            ->delimiter(',');
        app.add_option("--i-per-thread", options.fp32_i_per_thread,
                       "also time the FP32 acceleration kernel with these i per thread (1, 2, 4) as accel_fp32_i<NI>")
            ->delimiter(',');
        app.add_option("--cases", options.cases,
                       "benchmarks to run (default all): hermite_fp64, accel_fp32, accel_fp32_i<NI>, accel_fp64, "
                       "hermite_fp64_active_1/16, hermite_fp64_active_1/256")
            ->delimiter(',');
      });
}
