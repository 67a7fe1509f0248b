// SPDX-License-Identifier: Apache-2.0
#pragma once
// Training as tessera-mlp and tessera-reactions run it under core's run loop, one epoch per
// unit of work: the model built from the keys and broadcast from rank 0, an epoch of
// training and evaluation, the best epoch by the monitored loss (the validation loss, or the
// training loss without a validation set), early stopping, the divergence check, the
// checkpoint (the contents of a model file: weights, optimiser state, epochs, the best
// weights so far) and the model file at the end.
//
// TrainingRun<T> is the training in one precision; Training holds either precision, chosen
// by model.precision, for the simulations that are not templates.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/simulation.hpp"
#include "tessera/nn/model_file.hpp"
#include "tessera/nn/training_data.hpp"

namespace tessera::nn {

// One row of history.csv.
struct EpochRecord {
  std::int64_t epoch = 0;
  double train_loss = 0, validation_loss = 0, validation_accuracy = 0, seconds = 0;
  double samples_per_second = 0; // training only, for the progress line
};

// The end of a training run: its epochs (since its start or restart) and the final weights'
// losses.
struct FitResult {
  std::vector<EpochRecord> history;
  std::int64_t epochs = 0, best_epoch = -1;
  double best_loss = 0;
  bool stopped_early = false, interrupted = false;
  double train_seconds = 0, samples_per_second = 0;
  Evaluation train, validation; // of the final weights
};

nlohmann::json to_json(const FitResult& result);
// "trained N epochs at R samples/s; training loss ..., validation loss ..."
std::string summary_line(const FitResult& result);
// JSON null for NaN and infinities (JSON has no such numbers).
nlohmann::json number_or_null(double x);

template <class T>
class TrainingRun {
public:
  // A fresh start: the weights from model.seed, the same on every rank.
  TrainingRun(const RunContext& context, const MlpParams& params, PreparedData data, const Architecture& architecture);
  TrainingRun(const TrainingRun&) = delete; // the trainer points at the model and optimiser
  TrainingRun& operator=(const TrainingRun&) = delete;

  // Continues from what write_checkpoint wrote.
  void read_checkpoint(CheckpointReader& checkpoint);
  void write_checkpoint(CheckpointWriter& writer) const;

  // One epoch; a non-finite training loss ends the run (exit 1).
  void epoch();
  std::int64_t epochs() const { return progress_.epochs; }
  // No improvement for training.patience epochs.
  bool stopped_early() const;
  const std::vector<EpochRecord>& history() const { return history_; }

  // The end of a complete run: the best weights back (training.restore_best), then the
  // model file.
  void save_final(const std::filesystem::path& path);
  // Evaluates the final weights on both sets.
  FitResult result(bool interrupted);

  Model<T>& model() { return model_; }
  const Model<T>& model() const { return model_; }
  const PreparedData& data() const { return data_; }

private:
  RunContext context_;
  MlpParams params_;
  PreparedData data_;
  Model<T> model_;
  Optimizer<T> optimizer_;
  DeviceSamples<T> train_, validation_;
  Trainer<T> trainer_;
  TrainingProgress<T> progress_;
  std::vector<EpochRecord> history_; // of this run
  double train_seconds_ = 0;         // of this run
};

class Training {
public:
  // Checks that the data and model fit the device, then builds the model of the keys for
  // data with `inputs` features in model.precision.
  Training(const RunContext& context, const MlpParams& params, PreparedData data, int inputs);

  void read_checkpoint(CheckpointReader& checkpoint);
  void write_checkpoint(CheckpointWriter& writer) const;
  void epoch();
  std::int64_t epochs() const;
  bool stopped_early() const;
  // The table row and the progress words of the last epoch (empty before this run's first).
  DiagnosticsRow row() const;
  std::string status() const;
  void save_final(const std::filesystem::path& path);
  FitResult result(bool interrupted);

  std::size_t parameter_count() const;
  std::string architecture() const;
  const PreparedData& data() const;

  // f(TrainingRun<T>&) in the precision of the run.
  template <class F>
  decltype(auto) visit(F&& f)
  {
    return std::visit([&](auto& run) -> decltype(auto) { return f(*run); }, run_);
  }

private:
  template <class F>
  decltype(auto) visit(F&& f) const
  {
    return std::visit([&](const auto& run) -> decltype(auto) { return f(std::as_const(*run)); }, run_);
  }
  const EpochRecord* last() const;

  std::variant<std::unique_ptr<TrainingRun<float>>, std::unique_ptr<TrainingRun<double>>> run_;
};

} // namespace tessera::nn
