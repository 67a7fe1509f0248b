// SPDX-License-Identifier: Apache-2.0
#pragma once
// Model files (HDF5): everything needed to predict with a trained model and to continue
// training it. Written through core's CheckpointWriter (temporary name, checksums, rename),
// so an interrupted save never leaves a damaged file under the final name. The training
// checkpoint of tessera-mlp and tessera-reactions holds the same contents (write_model and
// read_model into the run loop's checkpoint).
//
//   attributes  architecture ("dense 64 relu, ..."), inputs, leaky_slope, initialiser,
//               loss, precision (float32 | float64), optimizer, learning_rate, momentum,
//               beta1, beta2, epsilon, l1, l2, optimizer_steps, epochs, best_epoch, best_loss
//   datasets    parameters, optimizer_first_moment, optimizer_second_moment (Adam),
//               input_mean, input_scale, target_mean, target_scale (empty: no scaling),
//               best_parameters (training checkpoints: the weights of the best epoch so far)

#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/nn/loss.hpp"
#include "tessera/nn/model.hpp"
#include "tessera/nn/optimizer.hpp"
#include "tessera/nn/samples.hpp"

namespace tessera::nn {

struct ModelFile {
  Architecture architecture;
  Loss loss = Loss::mse;
  std::string precision = "float64";
  OptimizerSettings optimizer{};
  std::int64_t optimizer_steps = 0;
  std::int64_t epochs = 0, best_epoch = -1;
  double best_loss = std::numeric_limits<double>::infinity();
  std::vector<double> parameters, first_moment, second_moment, best_parameters; // exact for float32 models too
  Scaler input_scaler, target_scaler;
};

template <class T>
constexpr const char* precision_name()
{
  return std::is_same_v<T, float> ? "float32" : "float64";
}

// Where training stands: epochs done and the best epoch so far (by the monitored loss).
template <class T>
struct TrainingProgress {
  std::int64_t epochs = 0, best_epoch = -1;
  double best_loss = std::numeric_limits<double>::infinity();
  Kokkos::View<T*, MemSpace> best_parameters; // empty: not written
};

// The contents of a model file into `writer` (collective over the writer's ranks, which all
// hold the same model); the caller commits.
template <class T>
void write_model(CheckpointWriter& writer, const Model<T>& model, const Optimizer<T>& optimizer, Loss loss,
                 const Scaler& input_scaler, const Scaler& target_scaler, const TrainingProgress<T>& progress);
// Reads and checks the contents of a model file (InputError: not a model file or inconsistent).
ModelFile read_model(CheckpointReader& reader);

// Collective: every rank calls it with the same model; rank 0 writes it.
template <class T>
void save_model(const Comm& comm, const std::filesystem::path& path, const Model<T>& model,
                const Optimizer<T>& optimizer, Loss loss, const Scaler& input_scaler, const Scaler& target_scaler,
                const TrainingProgress<T>& progress);

// Reads and checks a model file, on each rank independently (IoError: missing or damaged;
// InputError: not a model file).
ModelFile load_model(const std::filesystem::path& path);

// Copies the file's parameters (and optimiser state, when given) into a model built from
// file.architecture.
template <class T>
void restore(const ModelFile& file, Model<T>& model, Optimizer<T>* optimizer = nullptr);

} // namespace tessera::nn
