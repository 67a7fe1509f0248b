// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters of a tessera-reactions run and the input keys that set them
// (tessera-reactions --help-input; docs/nn.md). Every field comes from the keys: the
// defaults live in the schema only.

#include <cstdint>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/nn/burn.hpp"
#include "tessera/nn/mlp_params.hpp"

namespace tessera::nn {

struct ReactionsParams {
  MlpParams mlp; // model.*, training.*, data.validation_fraction, output.model, output.history
  std::int64_t zones, test_zones;
  double density_min, density_max;         // g/cm^3, log-uniform
  double temperature_min, temperature_max; // K, log-uniform
  double x12_min, x12_max;                 // uniform
  double dt;                               // s
  BurnSettings burn;
  std::string data_file; // the generated training set ("": not written)
};

// (log10 rho, log10 T, X12) -> (log10 dX, log10 eps): the features and targets of the surrogate.
inline constexpr int reaction_features = 3, reaction_targets = 2;

ConfigSchema reactions_schema();
ReactionsParams reactions_params(const Config& config);

} // namespace tessera::nn
