// SPDX-License-Identifier: Apache-2.0
#pragma once
// The flow's model file (output.model of a training run, model.file of a sampling run) and
// the flow's part of tessera-flow's checkpoints: HDF5 through core's checkpoint writer, so
// both are written atomically and refused when incomplete or edited. A model file holds the
// networks' parameters, Adam's moments and step count, and as root attributes the flow's
// shape (lattice, layers, channels, kernel, activations, precision) and the couplings it was
// trained at. A flow is read only into a flow of the same shape: any difference is an input
// error naming the key.

#include <filesystem>

#include "tessera/core/checkpoint.hpp"
#include "tessera/flow/params.hpp"
#include "tessera/nn/lattice_flow.hpp"
#include "tessera/nn/optimizer.hpp"

namespace tessera::flow {

template <class T>
void write_flow_state(CheckpointWriter& writer, const Params& params, const nn::LatticeFlow<T>& flow,
                      const nn::Optimizer<T>& optimizer);
// Refuses a file whose flow differs in shape from params' (InputError naming the key).
template <class T>
void read_flow_state(CheckpointReader& reader, const Params& params, nn::LatticeFlow<T>& flow,
                     nn::Optimizer<T>& optimizer);

template <class T>
void write_flow_model(const Comm& comm, const std::filesystem::path& path, const Params& params,
                      const nn::LatticeFlow<T>& flow, const nn::Optimizer<T>& optimizer);
// The parameters (and optimiser state) of the model file at `path` (IoError when it cannot be
// read or trusted; InputError when its flow has another shape than model.* and lattice.size).
template <class T>
void read_flow_model(const Comm& comm, const std::filesystem::path& path, const Params& params,
                     nn::LatticeFlow<T>& flow, nn::Optimizer<T>& optimizer);

} // namespace tessera::flow
