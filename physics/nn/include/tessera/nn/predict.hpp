// SPDX-License-Identifier: Apache-2.0
#pragma once
// tessera-mlp --predict: inference of a saved model file on new samples (-> predictions CSV
// in the output directory). Not a simulation: one pass, no epochs, no checkpoint.

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/timers.hpp"
#include "tessera/nn/mlp_params.hpp"

namespace tessera::nn {

// predict.model (default: output.model in `output_dir`) on predict.data; returns the
// results of the summary (samples, loss, predictions).
nlohmann::json run_prediction(const Comm& comm, const MlpParams& params, const std::filesystem::path& output_dir,
                              PhaseTimers& timers);

} // namespace tessera::nn
