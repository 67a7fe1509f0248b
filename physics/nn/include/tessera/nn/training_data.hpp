// SPDX-License-Identifier: Apache-2.0
#pragma once
// What training needs before its first epoch, shared by tessera-mlp and tessera-reactions:
// the data prepared (one-hot labels, split, scalers), the architecture of the keys, and the
// check that it all fits the device.

#include <string>

#include "tessera/core/comm.hpp"
#include "tessera/nn/mlp_params.hpp"
#include "tessera/nn/samples.hpp"

namespace tessera::nn {

struct PreparedData {
  Samples train, validation;
  Scaler input_scaler, target_scaler;
};

// One-hot labels (cce/kl with one target column), the split, the scalers fitted on the
// training part and applied to both. Checks the targets against the last layer's width.
PreparedData prepare_data(const Samples& samples, const MlpParams& params, const std::string& where);

// The model of the keys for data with `inputs` features.
Architecture architecture_of(const MlpParams& params, int inputs);

// Refuses (InputError) a run whose data, model and batch would not fit the device memory
// of the rank with the least free: checked before anything large is allocated.
void check_device_memory(const Comm& comm, const MlpParams& params, const PreparedData& data,
                         const Architecture& architecture, std::size_t scalar_bytes);

} // namespace tessera::nn
