// SPDX-License-Identifier: Apache-2.0
#pragma once
// tessera-mlp's training as a simulation of core's run loop (docs/nn.md): the data file
// read, split and scaled, the model of model.* trained one epoch per unit of work, a row of
// history.csv per epoch, the checkpoint mlp.chk.h5 (a model file with the optimiser state
// and the best weights so far, with a checksum of the samples) and, at the end of a complete
// run, the model file output.model.

#include <cstdint>

#include "tessera/core/simulation.hpp"
#include "tessera/nn/mlp_params.hpp"
#include "tessera/nn/training.hpp"

namespace tessera::nn {

class MlpSimulation {
public:
  using Params = MlpParams;
  static SimulationInfo info();
  static ConfigSchema schema() { return mlp_schema(); }
  static Params params(const Config& config) { return mlp_params(config); }

  MlpSimulation(const RunContext& context, const Params& params);
  MlpSimulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);

  void advance(double target);
  double position() const { return static_cast<double>(training_.epochs()); }
  double end() const { return static_cast<double>(params_.epochs); }
  bool finished() const { return training_.stopped_early(); }
  // The model and the optimiser, and the checksum of the samples read (a restart refuses
  // other data under the same file name).
  void write_checkpoint(CheckpointWriter& writer) const;
  DiagnosticsRow diagnostics() const;
  void write_output(const OutputRequest& request);
  std::string status() const { return training_.status(); }
  Results results();

  const Training& training() const { return training_; }
  Training& training() { return training_; }

private:
  RunContext context_;
  Params params_;
  std::int64_t data_checksum_ = 0; // before training_, which sets it
  Training training_;
  bool interrupted_ = false;
};

} // namespace tessera::nn
