// SPDX-License-Identifier: Apache-2.0
// tessera-bench-flow: the normalizing-flow benchmarks alone (flow_suite.cpp); the PyTorch
// reference is perf/flow/torch_flow.py (same flow, same sizes).
// Usage: tessera-bench-flow [--quick] [--sizes 8,16] [--batches 64,1024] [--layers N] [--label L] [--output FILE]
#include "flow_suite.hpp"
#include "runner.hpp"

int main(int argc, char** argv)
{
  tessera::flow::FlowBenchOptions options;
  return tessera::bench::run_benchmarks(
      argc, argv, "tessera-bench-flow", "Tessera normalizing-flow benchmark",
      {{"flow", [&](tessera::bench::Suite& s) { tessera::flow::flow_benchmarks(s, options); }}}, [&](CLI::App& app) {
        app.add_option("--sizes", options.sizes, "lattice sizes L (default 8,16)")->delimiter(',');
        app.add_option("--batches", options.batches, "batch sizes (default 64,1024)")->delimiter(',');
        app.add_option("--layers", options.coupling_layers, "coupling layers (default 16)");
      });
}
