// SPDX-License-Identifier: Apache-2.0
#pragma once
// The state of an HMC chain besides its links: where it stands, its acceptance counts and
// the samples of what the summary averages over the production trajectories (after
// hmc.thermalisation). A checkpoint holds all of it (gauge_io.hpp), so that the summary of a
// restarted chain covers the whole chain, not only the part since the restart.

#include <cmath>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/statistics.hpp"

namespace tessera::lqcd {

// The samples of one observable, one per production trajectory (or measurement), in chain
// order: its mean, error and integrated autocorrelation time come from the Gamma method
// (tessera/core/statistics.hpp), which needs the whole series, not running sums.
struct Average {
  std::vector<double> samples;

  void add(double x) { samples.push_back(x); }
  std::int64_t n() const { return static_cast<std::int64_t>(samples.size()); }
  // The plain mean (0 with no samples).
  double mean() const
  {
    long double sum = 0;
    for (const double x : samples)
      sum += x;
    return samples.empty() ? 0.0 : static_cast<double>(sum / static_cast<long double>(samples.size()));
  }
  ChainEstimate estimate() const { return gamma_method(samples); }
  // {"mean", "error", "tau_int", "tau_int_error", "window", "samples"}: mean null with no
  // samples, the others null where there is no estimate (fewer than 2 samples, all equal).
  nlohmann::json to_json() const
  {
    const ChainEstimate e = estimate();
    const auto number = [](double x, bool ok) { return ok ? nlohmann::json(x) : nlohmann::json(nullptr); };
    return {{"mean", number(e.mean, !samples.empty())},
            {"error", number(e.error, e.has_estimate)},
            {"tau_int", number(e.tau_int, e.has_estimate)},
            {"tau_int_error", number(e.tau_int_error, e.has_estimate)},
            {"window", e.has_estimate ? nlohmann::json(e.window) : nlohmann::json(nullptr)},
            {"samples", e.samples}};
  }
};

struct ChainState {
  std::uint64_t next_trajectory = 0; // trajectories done
  std::int64_t accepted = 0, attempted = 0;
  std::int64_t solver_iterations = 0;
  // Over the production trajectories: the plaquette, exp(-dH), acceptance (0/1), |Polyakov
  // loop| (where measured), and Q and Q^2 (where flowed).
  Average plaquette, exp_minus_dh, acceptance, polyakov_abs, charge, charge2;
};

} // namespace tessera::lqcd
