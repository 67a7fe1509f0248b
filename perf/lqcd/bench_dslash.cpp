// SPDX-License-Identifier: Apache-2.0
// tessera-bench-dslash: the lattice-QCD benchmarks alone (dslash_suite.cpp).
// Usage: tessera-bench-dslash [--quick] [--label L] [--output FILE]
#include "dslash_suite.hpp"
#include "runner.hpp"

int main(int argc, char** argv)
{
  return tessera::bench::run_benchmarks(argc, argv, "tessera-bench-dslash", "Tessera Wilson dslash benchmark",
                                        {{"lqcd", tessera::lqcd::dslash_benchmarks}});
}
