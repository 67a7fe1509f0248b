// SPDX-License-Identifier: Apache-2.0
#pragma once
// The contract between the benchmark runner and each module's benchmarks: a module gets a
// Suite (the run's mode and this machine's ceilings) and hands back Figures. Every figure
// is a rate with its spread, one number for its problem size (for plots) and its fraction
// of the ceiling that bounds it, or the reason no ceiling applies.

#include <string>

#include <nlohmann/json.hpp>

#include "bench_common.hpp"
#include "tessera/core/comm.hpp"

namespace tessera::bench {

struct Figure {
  std::string module;
  std::string benchmark;
  nlohmann::json size;     // the module's own description, e.g. {"n": 16384}
  double problem_size = 0; // one number for plots: particles, sites, events, samples
  std::string problem_size_unit;
  std::string unit; // of the rate, e.g. "interactions/s"
  double work = 0;  // rate units done per timed call: rate = work / seconds
  Timing timing;
  nlohmann::json extra = nlohmann::json::object();
};

class Suite {
public:
  Suite(const Comm& comm, bool quick, nlohmann::json ceilings);

  const Comm& comm() const { return comm_; }
  // Seconds-long smoke sizes instead of the full sweep.
  bool quick() const { return quick_; }
  // A ceiling of this machine by name (0 when it was not measured, e.g. GEMM without Kokkos Kernels).
  double ceiling(const std::string& name) const;

  // Records `figure` with its fraction of ceiling `ceiling_name`; `cost_per_unit` is what one
  // unit of the figure costs in the ceiling's unit (e.g. 60 flops per interaction, 1440 bytes
  // per site). Returns the entry as written.
  const nlohmann::json& add(const Figure& figure, const std::string& ceiling_name, double cost_per_unit);
  // Records a figure that no measured ceiling bounds, with the reason.
  const nlohmann::json& add_without_ceiling(const Figure& figure, const std::string& why);

  const nlohmann::json& results() const { return results_; }

private:
  const nlohmann::json& append(const Figure& figure, nlohmann::json ceiling_fields);

  const Comm& comm_;
  bool quick_;
  nlohmann::json ceilings_;
  nlohmann::json results_ = nlohmann::json::array();
};

} // namespace tessera::bench
