// SPDX-License-Identifier: Apache-2.0
// tessera-bench-shower: the parton-shower benchmarks alone (shower_suite.cpp).
// Usage: tessera-bench-shower [--quick] [--max-events N] [--label L] [--output FILE]
#include "runner.hpp"
#include "shower_suite.hpp"

int main(int argc, char** argv)
{
  tessera::shower::BenchOptions options;
  return tessera::bench::run_benchmarks(
      argc, argv, "tessera-bench-shower", "Tessera parton-shower benchmark",
      {{"shower", [&](tessera::bench::Suite& s) { tessera::shower::shower_benchmarks(s, options); }}},
      [&](CLI::App& app) {
        app.add_option("--max-events", options.max_events, "largest run (default 10^7 on GPUs, 10^5 on hosts)");
      });
}
