// SPDX-License-Identifier: Apache-2.0
#pragma once
// tessera-flow as a simulation of core's run loop (docs/flows.md): a normalizing flow for
// 2-D phi^4 trained by reverse KL, its proposals made exact by an independence
// Metropolis-Hastings chain, and HMC on the same theory for comparison, in that order
// (run.mode picks one of them or all three). One unit of work is one training step, one
// batch of proposals or one HMC trajectory of all chains; one row of flow.dat per unit.
// Checkpoints hold the flow and Adam's state, the chain's state and series, the HMC fields
// and series, so that a restart continues every part to the bit and its summary covers the
// whole run.

#include <memory>
#include <string>

#include "tessera/core/simulation.hpp"
#include "tessera/flow/params.hpp"

namespace tessera::flow {

class Simulation {
public:
  using Params = flow::Params;
  static SimulationInfo info();
  static ConfigSchema schema() { return flow::schema(); }
  static Params params(const Config& config) { return params_from(config); }

  Simulation(const RunContext& context, const Params& params);
  Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;
  Simulation(Simulation&&) noexcept;
  ~Simulation();

  void advance(double target);
  double position() const;
  double end() const;
  void write_checkpoint(CheckpointWriter& writer) const;
  DiagnosticsRow diagnostics() const;
  std::string status() const;
  void check() const;
  Results results();

private:
  class State;
  std::unique_ptr<State> state_;
};

} // namespace tessera::flow
