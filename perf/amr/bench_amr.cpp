// SPDX-License-Identifier: Apache-2.0
// tessera-bench-amr: the AMR hydrodynamics benchmarks alone (amr_suite.cpp).
// Usage: tessera-bench-amr [--quick] [--cells N] [--kernel-times] [--label L] [--output FILE]
#include "amr_suite.hpp"
#include "runner.hpp"

int main(int argc, char** argv)
{
  tessera::amr::BenchOptions options;
  return tessera::bench::run_benchmarks(
      argc, argv, "tessera-bench-amr", "Tessera AMR hydrodynamics benchmark",
      {{"amr", [&](tessera::bench::Suite& s) { tessera::amr::amr_benchmarks(s, options); }}}, [&](CLI::App& app) {
        app.add_option("--cells", options.cells, "root cells per axis (default 256 on GPUs, 64 on hosts)");
        app.add_flag("--kernel-times", options.kernel_times, "also log the time per kernel of a few steps");
      });
}
