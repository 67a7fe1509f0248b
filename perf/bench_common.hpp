// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every benchmark shares: timing with fences (warm-up, repeats, median and spread) and
// the result file of PERF.md (machine, backend, Kokkos version, compiler, commit, date).

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tessera::bench {

struct Timing {
  double median = 0, min = 0, max = 0; // seconds per call
  int repetitions = 0;
};

// Calls f once to warm up, then repeatedly (at least min_repetitions, until about
// target_seconds have passed, at most max_repetitions), fencing around each call.
Timing time_it(const std::function<void()>& f, int min_repetitions = 3, double target_seconds = 1.0,
               int max_repetitions = 50);

// The machine: CPU model and cores, the device the kernels run on, its memory.
nlohmann::json machine();

// A result file skeleton: machine, backend, kokkos_version, compiler, commit, date.
nlohmann::json result_file(const std::string& suite);

// One result entry in PERF.md's format.
nlohmann::json entry(const std::string& module, const std::string& benchmark, const nlohmann::json& size,
                     const std::string& unit, double rate_median, double rate_min, double rate_max, int repetitions,
                     const nlohmann::json& extra = {});

} // namespace tessera::bench
