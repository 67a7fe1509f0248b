// SPDX-License-Identifier: Apache-2.0
#pragma once
// Wall time per kernel name through Kokkos' tool callbacks, with a fence before and after
// every kernel and deep copy: a profile for finding what to tune, on any backend, without
// an external profiler. The fences slow the run, so these times are never figures.

#include <nlohmann/json.hpp>

namespace tessera::bench {

// Starts recording (replaces any callbacks set before).
void start_kernel_times();
// Stops, logs a table (name, calls, seconds, share) and returns it as JSON.
nlohmann::json stop_kernel_times();

} // namespace tessera::bench
