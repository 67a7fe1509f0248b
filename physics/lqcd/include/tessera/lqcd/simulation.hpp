// SPDX-License-Identifier: Apache-2.0
#pragma once
// The HMC of tessera-lqcd (run.mode = hmc) as a simulation of core's run loop
// (docs/lqcd.md). One unit of work is one trajectory with the measurements due after it (the
// Polyakov loop every measure.interval, the Wilson flow and Q every flow.interval, the
// reversibility test every hmc.reversibility_interval: schedules of the physics, kept here);
// one row of hmc.dat per trajectory; NERSC configurations as outputs; checkpoints with the
// links, the chain's counters and the running sums of the averages, so that a restart on any
// rank grid continues the chain bit for bit and its summary covers the whole chain.
//
// The measure and invert modes are not simulations (measure.hpp, invert.hpp).

#include <cmath>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/core/simulation.hpp"
#include "tessera/lqcd/chain.hpp"
#include "tessera/lqcd/hmc.hpp"
#include "tessera/lqcd/params.hpp"

namespace tessera::lqcd {

// What one trajectory gave: its table row, progress line and history entry.
struct TrajectoryRecord {
  TrajectoryResult result;
  Complex<double> polyakov{0, 0};                      // 0 where not measured (measure.interval)
  double t2_e_clover = std::nan(""), q = std::nan(""); // NaN where not flowed (flow.interval)
  double seconds = 0;                                  // the trajectory and its measurements
};

class Simulation {
public:
  using Params = lqcd::Params;
  static SimulationInfo info();
  static ConfigSchema schema() { return lqcd::schema(); }
  static Params params(const Config& config) { return params_from(config); }

  Simulation(const RunContext& context, const Params& params);
  Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);
  Simulation(const Simulation&) = delete; // the HMC points at the decomposition
  Simulation& operator=(const Simulation&) = delete;
  ~Simulation();

  void advance(double target);
  double position() const { return static_cast<double>(chain_.next_trajectory); }
  double end() const { return params_.trajectories; }
  void write_checkpoint(CheckpointWriter& writer) const;
  DiagnosticsRow diagnostics() const;
  void write_output(const OutputRequest& request);
  std::string status() const;
  Results results();

  const Decomposition& decomposition() const { return *decomposition_; }
  const Links& links() const { return links_; }
  const ChainState& chain() const { return chain_; }
  // The last trajectory of this process (none before the first advance).
  const std::optional<TrajectoryRecord>& last() const { return last_; }

private:
  Simulation(const RunContext& context, const Params& params, CheckpointReader* checkpoint);
  void measure(std::uint64_t n, TrajectoryRecord& record);
  void check_reversibility(std::uint64_t n);
  void add_to_averages(std::uint64_t n, const TrajectoryRecord& record);

  RunContext context_;
  Params params_;
  std::unique_ptr<Decomposition> decomposition_;
  Links links_;
  ChainState chain_;
  std::unique_ptr<Hmc> hmc_;
  std::uint64_t first_trajectory_ = 0; // of this process
  std::optional<TrajectoryRecord> last_;
  std::string configuration_;                              // the NERSC file of the chain's current end ("": none)
  nlohmann::json history_ = nlohmann::json::array();       // this process's trajectories
  nlohmann::json reversibility_ = nlohmann::json::array(); // this process's tests
};

} // namespace tessera::lqcd
