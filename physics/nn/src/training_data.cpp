// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/training_data.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::nn {

Architecture architecture_of(const MlpParams& params, int inputs)
{
  Architecture a;
  a.inputs = inputs;
  a.layers = parse_layers(params.layers, "model.layers");
  a.leaky_slope = params.leaky_slope;
  a.initialiser = params.initialiser;
  check_architecture(a, "model.layers");
  return a;
}

PreparedData prepare_data(const Samples& samples, const MlpParams& p, const std::string& where)
{
  const auto layers = parse_layers(p.layers, "model.layers");
  const int outputs = layers.back().width;
  Samples all = samples;
  if ((p.loss == Loss::cce || p.loss == Loss::kl) && all.outputs == 1 && outputs > 1) {
    all = one_hot(all, outputs, where);
  }
  if (all.outputs != outputs) {
    throw InputError(fmt::format("{}: {} target column(s), but the last layer of model.layers has {} output(s)", where,
                                 all.outputs, outputs));
  }
  auto split = split_samples(all, p.data.validation_fraction, p.seed);
  if (split.train.count == 0) throw InputError(fmt::format("{}: no samples left for training", where));
  PreparedData out{std::move(split.train), std::move(split.validation), {}, {}};
  if (p.data.scale_inputs) out.input_scaler.fit(out.train.x, out.train.count, out.train.inputs);
  if (p.data.scale_targets && p.loss == Loss::mse) {
    out.target_scaler.fit(out.train.y, out.train.count, out.train.outputs);
  }
  for (Samples* part : {&out.train, &out.validation}) {
    out.input_scaler.apply(part->x);
    out.target_scaler.apply(part->y);
  }
  return out;
}

void check_device_memory(const Comm& comm, const MlpParams& p, const PreparedData& data, const Architecture& a,
                         std::size_t scalar_bytes)
{
  double parameters = 0, work = 0;
  int width = a.inputs;
  for (const auto& layer : a.layers) {
    const double layer_parameters = (static_cast<double>(width) + 1) * layer.width;
    parameters += layer.kind == LayerSpec::Kind::residual ? 2 * layer_parameters : layer_parameters;
    work += (layer.kind == LayerSpec::Kind::residual ? 9.0 : 4.0) * layer.width;
    width = layer.width;
  }
  const double samples = static_cast<double>(data.train.count + data.validation.count);
  const double share = std::ceil(static_cast<double>(p.batch) / comm.size());
  const double need = static_cast<double>(scalar_bytes) *
                      (samples * (a.inputs + a.outputs()) + 6 * parameters + share * (work + 3.0 * a.inputs));
  const double free = comm.min(static_cast<double>(available_memory_bytes()));
  if (need > 0.9 * free) {
    throw InputError(fmt::format("the data, model.layers and training.batch = {} need about {:.2f} GiB per rank, more "
                                 "than the {:.2f} GiB free; lower training.batch or the model size",
                                 p.batch, need / (1 << 30), free / (1 << 30)));
  }
}

} // namespace tessera::nn
