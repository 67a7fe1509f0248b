// SPDX-License-Identifier: Apache-2.0
#pragma once
// The state of an HMC chain besides its links: where it stands, its acceptance counts and
// the running sums of what the summary averages over the production trajectories (after
// hmc.thermalisation). A checkpoint holds all of it (gauge_io.hpp), so that the summary of a
// restarted chain covers the whole chain, not only the part since the restart.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace tessera::lqcd {

// Mean and its naive standard error.
struct Average {
  double sum = 0, sum2 = 0;
  std::int64_t n = 0;

  void add(double x)
  {
    sum += x;
    sum2 += x * x;
    ++n;
  }
  double mean() const { return n > 0 ? sum / static_cast<double>(n) : 0.0; }
  double error() const
  {
    if (n < 2) return 0.0;
    const double m = mean();
    return std::sqrt(std::max(0.0, sum2 / static_cast<double>(n) - m * m) / static_cast<double>(n - 1));
  }
  nlohmann::json to_json() const { return {{"mean", mean()}, {"error", error()}, {"samples", n}}; }
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
