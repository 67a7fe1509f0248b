#pragma once
// Parameters of a tessera-mlp run and the input keys that set them
// (tessera-mlp --help-input; docs/nn.md).

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/nn/architecture.hpp"
#include "tessera/nn/loss.hpp"
#include "tessera/nn/optimizer.hpp"

namespace tessera::nn {

struct DataParams {
  std::filesystem::path file;
  int target_columns = 1;
  std::string inputs_dataset = "inputs", targets_dataset = "targets";
  double validation_fraction = 0.2;
  bool scale_inputs = true, scale_targets = true;
};

struct MlpParams {
  DataParams data;
  std::string layers = "dense 64 relu, dense 64 relu, dense 1 linear";
  std::string precision = "float32";
  Initialiser initialiser = Initialiser::automatic;
  double leaky_slope = 0.01;
  std::uint64_t seed = 1;
  Loss loss = Loss::mse;
  OptimizerSettings optimizer;
  std::int64_t epochs = 100, batch = 256, patience = 10;
  double min_delta = 0.0;
  bool shuffle = true, restore_best = true;
  int log_every = 1;
  std::filesystem::path output_dir = ".";
  std::string model_file = "model.h5", history_file = "history.csv";
  std::int64_t checkpoint_every = 10; // epochs between training checkpoints (mlp.chk.h5)
  // --predict
  std::filesystem::path predict_model, predict_data;
  int predict_targets = 0;
  std::string predictions_file = "predictions.csv";
};

// The keys of tessera-mlp.
ConfigSchema mlp_schema();
// Reads and cross-checks the keys (throws InputError naming the key).
MlpParams mlp_params_from(const Config& config, const std::filesystem::path& output_dir);

// The keys shared with tessera-reactions (model.*, training.*), added to `schema`.
void add_model_keys(ConfigSchema& schema, const std::string& default_layers);
void add_training_keys(ConfigSchema& schema);
void read_model_keys(const Config& config, MlpParams& p);
void read_training_keys(const Config& config, MlpParams& p);
// A string key naming a file in the output directory (InputError when it holds a '/').
std::string file_name_key(const Config& config, const std::string& key);

} // namespace tessera::nn
