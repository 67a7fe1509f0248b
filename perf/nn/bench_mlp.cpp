// SPDX-License-Identifier: Apache-2.0
// tessera-bench-mlp: the MLP training benchmarks alone (mlp_suite.cpp).
// Usage: tessera-bench-mlp [--quick] [--batches N] [--label L] [--output FILE]
#include "mlp_suite.hpp"
#include "runner.hpp"

int main(int argc, char** argv)
{
  tessera::nn::BenchOptions options;
  return tessera::bench::run_benchmarks(
      argc, argv, "tessera-bench-mlp", "Tessera MLP training benchmark",
      {{"nn", [&](tessera::bench::Suite& s) { tessera::nn::mlp_benchmarks(s, options); }}}, [&](CLI::App& app) {
        app.add_option("--batches", options.batches, "global batches per timed call (default 16 on GPUs, 2 on hosts)");
      });
}
