// SPDX-License-Identifier: Apache-2.0
#pragma once
// The zones of tessera-reactions (docs/nn.md, the surrogate workflow of Fan et al., ApJ 940,
// 134, 2022, on the carbon network of docs/reactions.md):
//   - zones (rho, T, X12) drawn from the counter-based RNG over the configured ranges, split
//     over the ranks, each burnt for network.dt by the RODAS3 integrator (burn()), as the
//     training set: inputs (log10 rho, log10 T, X12) -> targets (log10 dX, log10 eps), the
//     12C burnt in the step and the energy generation rate; the new mass fractions X12 - dX
//     and X24 + dX conserve mass exactly;
//   - held-out zones (never trained on) burnt again and predicted by the trained surrogate:
//     the errors of the mass fractions and of the energy generation rate, and the speed of
//     the surrogate against the integrator on the same device.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/nn/model.hpp"
#include "tessera/nn/reactions_params.hpp"
#include "tessera/nn/training_data.hpp"

namespace tessera::nn {

// Refuses (InputError) zone counts whose training set would not fit the memory of the rank
// with the least free, before minutes of burning.
void check_zone_memory(const Comm& comm, const ReactionsParams& params);

// Zones [first, first + count) burnt, each rank its share, gathered on every rank as samples.
// `seconds`: the integration's time (the slowest rank). Exit 1 when a zone fails.
Samples generate_zones(const Comm& comm, const ReactionsParams& params, Index first, Index count, double& seconds);

// The training set as HDF5 (datasets inputs, targets), usable with tessera-mlp (rank 0 writes).
void write_zones(const Comm& comm, const std::filesystem::path& path, const Samples& samples);

// The surrogate's speed against the integrator's, in words: "12.3x faster" when `speedup`
// (integrator time / surrogate time) is above 1, "10.0x slower" (1 / speedup) below it,
// "as fast" when the two print alike.
std::string speed_comparison(double speedup);

struct HeldOut {
  nlohmann::json json; // held_out (errors) and speed
  std::vector<std::string> lines;
};

// network.test_zones zones after the training set, burnt (the truth, timed) and predicted by
// `model` with the training set's scalers (timed).
template <class T>
HeldOut evaluate_held_out(const Comm& comm, const ReactionsParams& params, Model<T>& model, const PreparedData& data);

} // namespace tessera::nn
