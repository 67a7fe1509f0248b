// SPDX-License-Identifier: Apache-2.0
#pragma once
// tessera-reactions as a simulation of core's run loop (docs/nn.md): the zones of the
// training set burnt (reactions_zones.hpp) and, on a fresh start, written to output.data;
// the surrogate trained one epoch per unit of work as tessera-mlp trains (history.csv, the
// checkpoint reactions.chk.h5, the model file output.model at the end of a complete run);
// at the end of a complete run the held-out zones measure its errors and speed-up.

#include "tessera/core/simulation.hpp"
#include "tessera/nn/reactions_params.hpp"
#include "tessera/nn/training.hpp"

namespace tessera::nn {

class ReactionsSimulation {
public:
  using Params = ReactionsParams;
  static SimulationInfo info();
  static ConfigSchema schema() { return reactions_schema(); }
  static Params params(const Config& config) { return reactions_params(config); }

  ReactionsSimulation(const RunContext& context, const Params& params);
  ReactionsSimulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);

  void advance(double target);
  double position() const { return static_cast<double>(training_.epochs()); }
  double end() const { return static_cast<double>(params_.mlp.epochs); }
  bool finished() const { return training_.stopped_early(); }
  void write_checkpoint(CheckpointWriter& writer) const { training_.write_checkpoint(writer); }
  DiagnosticsRow diagnostics() const;
  void write_output(const OutputRequest& request);
  std::string status() const { return training_.status(); }
  Results results();

  const Training& training() const { return training_; }

private:
  // The training set burnt (and written on a fresh start), the surrogate built for it.
  static Training training_of(const RunContext& context, const Params& params, bool fresh, double& seconds);
  ReactionsSimulation(const RunContext& context, const Params& params, bool fresh);

  RunContext context_;
  Params params_;
  double generate_seconds_ = 0;
  Training training_;
  bool interrupted_ = false;
};

} // namespace tessera::nn
