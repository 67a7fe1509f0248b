// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters of a tessera-mlp run and the input keys that set them (tessera-mlp
// --help-input; docs/nn.md). The model.* and training.* keys and the run loop's keys in
// epochs are shared with tessera-reactions. Every field comes from the keys: the defaults
// live in the schema only.

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/core/simulation.hpp"
#include "tessera/nn/architecture.hpp"
#include "tessera/nn/loss.hpp"
#include "tessera/nn/optimizer.hpp"
#include "tessera/nn/trainer.hpp"

namespace tessera::nn {

struct DataParams {
  std::filesystem::path file;
  int target_columns;
  std::string inputs_dataset, targets_dataset;
  double validation_fraction;
  bool scale_inputs, scale_targets;
};

struct MlpParams {
  DataParams data;
  std::string layers;
  std::string precision; // float32 | float64
  Initialiser initialiser;
  double leaky_slope;
  std::uint64_t seed;
  Loss loss;
  OptimizerSettings optimizer;
  std::int64_t epochs, batch, patience;
  double min_delta;
  bool shuffle, restore_best;
  std::string model_file;   // in the output directory
  std::string history_file; // "history.csv", or "" for no rows
  // --predict
  std::filesystem::path predict_model, predict_data;
  int predict_targets;
  std::string predictions_file;
};

// The keys of tessera-mlp.
ConfigSchema mlp_schema();
// Reads and cross-checks the keys (throws InputError naming the key).
MlpParams mlp_params(const Config& config);

// Training counts epochs.
ProgressUnit epoch_unit();
// The run loop's description of a training run (tessera-mlp, tessera-reactions): named `name`,
// `description` its --help line, counting epochs, its table the CSV file of output.history, a
// last checkpoint only at the interval and on a stop signal (the product is the model file).
SimulationInfo training_info(std::string name, std::string description);
// The keys shared with tessera-reactions (model.*, training.*), added to `schema`.
void add_model_keys(ConfigSchema& schema, const std::string& default_layers);
void add_training_keys(ConfigSchema& schema);
// output.history, the run loop's keys in epochs and the renamed keys of both drivers;
// flags the model and training keys a restart must keep.
void add_training_run_keys(ConfigSchema& schema);
void read_model_keys(const Config& config, MlpParams& p);
void read_training_keys(const Config& config, MlpParams& p);
// output.model and output.history.
void read_output_keys(const Config& config, MlpParams& p);
// A string key naming a file in the output directory (a writes_file key: core's config has
// refused a '/', "." and "..").
std::string file_name_key(const Config& config, const std::string& key);
// Refuses (InputError naming `key`) a file name that is a directory in the output directory,
// before any work (the file would only be written after training).
void check_output_file(const std::filesystem::path& output_dir, const std::string& key, const std::string& name);

// How the trainer walks the data: the global batch and the shuffles of the params.
TrainSettings train_settings(const MlpParams& params);

} // namespace tessera::nn
