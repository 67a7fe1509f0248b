#pragma once
// A whole tessera-mlp run: training (data file -> model file, history, metrics) or, with
// --predict, inference of a saved model on new data (-> predictions CSV).

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/timers.hpp"
#include "tessera/nn/mlp_params.hpp"

namespace tessera::nn {

nlohmann::json run_mlp_training(const Comm& comm, const MlpParams& params,
                                const std::optional<std::filesystem::path>& restart, PhaseTimers& timers);

nlohmann::json run_mlp_prediction(const Comm& comm, const MlpParams& params, PhaseTimers& timers);

} // namespace tessera::nn
