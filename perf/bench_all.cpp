// SPDX-License-Identifier: Apache-2.0
// tessera-bench: every module's benchmarks in one run, one result file (docs/performance.md).
// The ceilings are measured once and every figure is given as a fraction of the one that
// bounds it. A module joins by adding its suite function to the list below.
// Usage: tessera-bench [--quick] [--only nbody,shower,lqcd,nn,amr,flow | --ceilings-only] [--label L] [--output FILE]
#include "amr_suite.hpp"
#include "dslash_suite.hpp"
#include "flow_suite.hpp"
#include "mlp_suite.hpp"
#include "nbody_suite.hpp"
#include "runner.hpp"
#include "shower_suite.hpp"

int main(int argc, char** argv)
{
  using tessera::bench::Suite;
  return tessera::bench::run_benchmarks(argc, argv, "tessera-bench", "Tessera benchmarks of every module",
                                        {{"nbody", [](Suite& s) { tessera::nbody::force_benchmarks(s); }},
                                         {"lqcd", [](Suite& s) { tessera::lqcd::dslash_benchmarks(s); }},
                                         {"shower", [](Suite& s) { tessera::shower::shower_benchmarks(s); }},
                                         {"nn", [](Suite& s) { tessera::nn::mlp_benchmarks(s); }},
                                         {"amr", [](Suite& s) { tessera::amr::amr_benchmarks(s); }},
                                         {"flow", [](Suite& s) { tessera::flow::flow_benchmarks(s); }}});
}
