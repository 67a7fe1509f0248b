// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/mlp_params.hpp"

#include <utility>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::nn {

void add_model_keys(ConfigSchema& s, const std::string& default_layers)
{
  s.add_string("model.layers", default_layers,
               "the layers in order, comma-separated: 'dense <width> <activation>' or 'residual <width> "
               "<activation>' (y = x + W2 f(W1 x + b1) + b2); activations linear, relu, leaky_relu, sigmoid, tanh, "
               "gelu, softmax (last layer only); the inputs come from the data")
      .add_string("model.precision", "float32", "arithmetic of training and inference", {"float32", "float64"})
      .add_string("model.init", "auto",
                  "weight initialiser: auto (He for the ReLU family, Xavier otherwise), he, xavier",
                  {"auto", "he", "xavier"})
      .add_real("model.leaky_slope", 0.01, "slope of leaky_relu for negative inputs", 0.0, 1.0)
      .add_int("model.seed", 1, "seed of the weights, the shuffles and the validation split", 0, 9.0e18);
}

void add_training_keys(ConfigSchema& s)
{
  s.add_string("training.loss", "mse",
               "mse; bce (sigmoid outputs); cce or kl (softmax outputs; a single target column of class indices "
               "is one-hot encoded)",
               {"mse", "bce", "cce", "kl"})
      .add_string("training.optimizer", "adam", "sgd (with momentum) or adam", {"sgd", "adam"})
      .add_real("training.learning_rate", 1e-3, "step size", 0.0, 1e3)
      .add_real("training.momentum", 0.0, "sgd momentum", 0.0, 0.9999)
      .add_real("training.beta1", 0.9, "adam: decay of the first moment", 0.0, 0.9999999)
      .add_real("training.beta2", 0.999, "adam: decay of the second moment", 0.0, 0.9999999)
      .add_real("training.epsilon", 1e-8, "adam: added to the root of the second moment", 0.0, 1.0)
      .add_real("training.l1", 0.0, "L1 penalty l1 |w| on the weights (not biases)", 0.0, 1e3)
      .add_real("training.l2", 0.0, "L2 penalty (l2/2) w^2 on the weights (not biases)", 0.0, 1e3)
      .add_int("training.epochs", 100, "passes over the training set", 1, 1LL << 40)
      .add_int("training.batch", 256, "global batch: samples per optimiser step, split over the ranks", 1, 1LL << 31)
      .add_int("training.patience", 10,
               "early stopping: stop after this many epochs without improvement of the validation loss (0: never)", 0,
               1LL << 40)
      .add_real("training.min_delta", 0.0, "early stopping: the smallest decrease that counts as improvement", 0.0,
                1e30)
      .add_bool("training.restore_best", true, "end with the weights of the best epoch (by validation loss)")
      .add_bool("training.shuffle", true, "shuffle the training set every epoch (from model.seed and the epoch)");
}

ProgressUnit epoch_unit()
{
  return {"epoch", "epochs", false};
}

SimulationInfo training_info(std::string name, std::string description)
{
  SimulationInfo i;
  i.name = std::move(name);
  i.description = std::move(description);
  i.unit = epoch_unit();
  i.table_key = "output.history";
  i.table_style = TableStyle::csv;
  i.final_checkpoint = false;
  return i;
}

void add_training_run_keys(ConfigSchema& s)
{
  s.add_string("output.history", "history.csv",
               "the table of metrics per epoch (CSV) in the output directory (\"\": none)");
  s.writes_file("output.history");
  declare_run_keys(s, epoch_unit(),
                   {.checkpoint_interval = 10,
                    .table_interval = 1,
                    .log_interval = 1,
                    .has_table = true,
                    .final_checkpoint = false});
  s.renamed("output.checkpoint_every", "output.checkpoint_interval");
  s.renamed("training.log_every", "output.log_interval");
  // A restart continues the same optimisation: the model, the loss, the optimiser and how it
  // walks the data. The length of the run and when to stop early or keep the best weights
  // (epochs, patience, min_delta, restore_best) may change, like the outputs.
  s.fixed_on_restart({"model.", "training.loss", "training.optimizer", "training.learning_rate", "training.momentum",
                      "training.beta1", "training.beta2", "training.epsilon", "training.l1", "training.l2",
                      "training.batch", "training.shuffle"});
}

ConfigSchema mlp_schema()
{
  ConfigSchema s;
  s.add_string("data.file", "",
               "training data: .csv/.txt (header of column names optional) or .h5/.hdf5 (datasets below)")
      .add_int("data.targets", 1, "CSV: the last this many columns are the targets", 1, 1 << 20)
      .add_string("data.inputs_dataset", "inputs", "HDF5: dataset of inputs, (samples, features)")
      .add_string("data.targets_dataset", "targets", "HDF5: dataset of targets, (samples, outputs)")
      .add_real("data.validation_fraction", 0.2, "share of the samples held out for validation", 0.0, 0.9)
      .add_bool("data.scale_inputs", true, "standardise inputs with the training set's mean and deviation")
      .add_bool("data.scale_targets", true, "standardise targets the same way (mse only; predictions are unscaled)");
  add_model_keys(s, "dense 64 relu, dense 64 relu, dense 1 linear");
  add_training_keys(s);
  s.add_string("output.model", "model.h5", "the trained model (HDF5) in the output directory");
  add_training_run_keys(s);
  s.add_string("predict.model", "", "--predict: the model file (default: output.model in the output directory)")
      .add_string("predict.data", "", "--predict: the samples to predict (.csv or .h5, as data.file)")
      .add_int("predict.targets", 0,
               "--predict: the last this many columns of predict.data are known targets (their loss is reported)", 0,
               1 << 20)
      .add_string("predict.output", "predictions.csv", "--predict: predictions (CSV) in the output directory");
  s.writes_file("output.model").writes_file("predict.output");
  // The data and how it is split and scaled are part of what a restart continues.
  s.fixed_on_restart({"data."});
  s.reads_file("data.file").reads_file("predict.model").reads_file("predict.data");
  return s;
}

std::string file_name_key(const Config& c, const std::string& key)
{
  // The key is flagged writes_file: core's config already refused '/', "." and "..".
  return c.get_string(key);
}

void check_output_file(const std::filesystem::path& output_dir, const std::string& key, const std::string& name)
{
  if (name.empty()) return;
  std::error_code ec;
  const auto path = output_dir / name;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(
        fmt::format("key '{}' = \"{}\": {} is a directory; expected a file name", key, name, path.string()));
  }
}

void read_model_keys(const Config& c, MlpParams& p)
{
  p.layers = c.get_string("model.layers");
  parse_layers(p.layers, "model.layers"); // fail early with the key's name
  p.precision = c.get_string("model.precision");
  p.initialiser = initialiser_from_name(c.get_string("model.init"));
  p.leaky_slope = c.get_real("model.leaky_slope");
  p.seed = static_cast<std::uint64_t>(c.get_int("model.seed"));
}

void read_training_keys(const Config& c, MlpParams& p)
{
  p.loss = loss_from_name(c.get_string("training.loss"));
  p.optimizer.kind = optimizer_from_name(c.get_string("training.optimizer"));
  p.optimizer.learning_rate = c.get_real("training.learning_rate");
  p.optimizer.momentum = c.get_real("training.momentum");
  p.optimizer.beta1 = c.get_real("training.beta1");
  p.optimizer.beta2 = c.get_real("training.beta2");
  p.optimizer.epsilon = c.get_real("training.epsilon");
  p.optimizer.l1 = c.get_real("training.l1");
  p.optimizer.l2 = c.get_real("training.l2");
  p.epochs = c.get_int("training.epochs");
  p.batch = c.get_int("training.batch");
  p.patience = c.get_int("training.patience");
  p.min_delta = c.get_real("training.min_delta");
  p.restore_best = c.get_bool("training.restore_best");
  p.shuffle = c.get_bool("training.shuffle");
  const auto layers = parse_layers(p.layers, "model.layers");
  try {
    check_loss_fits_output(p.loss, layers.back().activation, "training.loss");
  } catch (const InputError& e) {
    // A cross-key check: name where the two keys came from (the deck or the command line).
    throw InputError(fmt::format("{}: {}", c.where({"training.loss", "model.layers"}), e.what()));
  }
}

void read_output_keys(const Config& c, MlpParams& p)
{
  p.model_file = file_name_key(c, "output.model");
  if (p.model_file.empty()) throw InputError("key 'output.model': expected a file name, got \"\"");
  p.history_file = file_name_key(c, "output.history"); // the run loop's table (SimulationInfo::table_key)
}

MlpParams mlp_params(const Config& c)
{
  MlpParams p{};
  p.data.file = c.get_string("data.file");
  p.data.target_columns = static_cast<int>(c.get_int("data.targets"));
  p.data.inputs_dataset = c.get_string("data.inputs_dataset");
  p.data.targets_dataset = c.get_string("data.targets_dataset");
  p.data.validation_fraction = c.get_real("data.validation_fraction");
  p.data.scale_inputs = c.get_bool("data.scale_inputs");
  p.data.scale_targets = c.get_bool("data.scale_targets");
  read_model_keys(c, p);
  read_training_keys(c, p);
  read_output_keys(c, p);
  p.predict_model = c.get_string("predict.model");
  p.predict_data = c.get_string("predict.data");
  p.predict_targets = static_cast<int>(c.get_int("predict.targets"));
  p.predictions_file = file_name_key(c, "predict.output");
  return p;
}

TrainSettings train_settings(const MlpParams& p)
{
  return {p.batch, p.seed, p.shuffle};
}

} // namespace tessera::nn
