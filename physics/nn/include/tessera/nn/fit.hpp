#pragma once
// Training as a run does it, shared by tessera-mlp and tessera-reactions: data prepared
// (one-hot labels, split, scalers), the model built and broadcast from rank 0, epochs with
// metrics, early stopping on the validation loss, checkpoints every few epochs and on
// SIGTERM, and a restart from such a checkpoint.

#include <filesystem>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/timers.hpp"
#include "tessera/nn/mlp_params.hpp"
#include "tessera/nn/model_file.hpp"

namespace tessera::nn {

struct PreparedData {
  Samples train, validation;
  Scaler input_scaler, target_scaler;
};

// One-hot labels (cce/kl with one target column), the split, the scalers fitted on the
// training part and applied to both. Checks the targets against the last layer's width.
PreparedData prepare_data(const Samples& samples, const MlpParams& params, const std::string& where);

struct EpochRecord {
  std::int64_t epoch = 0;
  double train_loss = 0, validation_loss = 0, validation_accuracy = 0, seconds = 0;
};

struct FitResult {
  std::vector<EpochRecord> history;
  std::int64_t epochs = 0, best_epoch = -1;
  double best_loss = 0;
  bool stopped_early = false, interrupted = false;
  double train_seconds = 0, samples_per_second = 0;
  Evaluation train, validation; // of the final weights
};

// Builds the model of `params` for data with `inputs` features, trains it and writes the
// model file and the history into params.output_dir. `restart`: a checkpoint to continue.
template <class T>
FitResult fit(const Comm& comm, const MlpParams& params, const PreparedData& data,
              const std::optional<std::filesystem::path>& restart, PhaseTimers& timers, Model<T>& model);

nlohmann::json to_json(const FitResult& result);
// JSON null for NaN and infinities (JSON has no such numbers).
nlohmann::json number_or_null(double x);

// Every rank gets rank 0's parameters (a model initialised anywhere starts identical).
template <class T>
void broadcast_parameters(const Comm& comm, const Kokkos::View<T*, MemSpace>& parameters);

Architecture architecture_of(const MlpParams& params, int inputs);

// Refuses (InputError) a run whose data, model and batch would not fit the device memory
// of the rank with the least free: checked before anything large is allocated.
void check_device_memory(const Comm& comm, const MlpParams& params, const PreparedData& data,
                         const Architecture& architecture, std::size_t scalar_bytes);

} // namespace tessera::nn
