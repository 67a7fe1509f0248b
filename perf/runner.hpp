// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every benchmark executable shares around its modules' work: the command line
// (--quick, --label, --output, and --only where there are several modules), the banner,
// this machine's ceilings (measured once per run), and the one result file.

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "suite.hpp"

namespace tessera::bench {

struct Module {
  std::string name;                // as --only knows it: nbody, shower, lqcd, nn, ...
  std::function<void(Suite&)> run; // appends its figures to the suite
};

// Parses the command line (with `add_options` adding an executable's own), measures the
// ceilings, runs every selected module and writes the result file on the root rank.
// Returns the exit code: 0, or 2 after a one-line error (bad option, unwritable output).
int run_benchmarks(int argc, char** argv, const std::string& program, const std::string& description,
                   const std::vector<Module>& modules, const std::function<void(CLI::App&)>& add_options = {});

} // namespace tessera::bench
