// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/reactions_params.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::nn {

ConfigSchema reactions_schema()
{
  ConfigSchema s;
  s.add_int("network.zones", 50000, "zones burnt for the training set (split into training and validation)", 10,
            1LL << 40)
      .add_int("network.test_zones", 10000, "held-out zones, never trained on: the accuracy and speed figures", 1,
               1LL << 40)
      .add_real("network.density_min", 1e8, "lowest density (log-uniform draws)", 1.0, 1e12, "g/cm^3")
      .add_real("network.density_max", 1e9, "highest density", 1.0, 1e12, "g/cm^3")
      .add_real("network.temperature_min", 1.2e9, "lowest temperature (log-uniform draws)", 1e7, 1e10, "K")
      .add_real("network.temperature_max", 1.4e9, "highest temperature", 1e7, 1e10, "K")
      .add_real("network.x12_min", 0.3, "lowest initial 12C mass fraction (uniform draws; X24 = 1 - X12)", 0.0, 1.0)
      .add_real("network.x12_max", 1.0, "highest initial 12C mass fraction", 0.0, 1.0)
      .add_real("network.dt", 1e-3, "burn time step of every zone", 1e-12, 1e6, "s")
      .add_real("network.rtol", 1e-8, "integrator: relative tolerance", 1e-14, 1e-2)
      .add_real("network.atol", 1e-12, "integrator: absolute tolerance", 1e-30, 1e-2)
      .add_int("network.max_steps", 20000, "integrator: steps per zone before it is reported as failed", 10, 1 << 30)
      .add_real("data.validation_fraction", 0.2, "share of network.zones held out for validation during training", 0.0,
                0.9);
  add_model_keys(s, "dense 64 gelu, residual 64 gelu, residual 64 gelu, dense 2 linear");
  add_training_keys(s);
  s.add_string("output.model", "surrogate.h5", "the trained surrogate (HDF5 model file, as tessera-mlp writes)")
      .add_string("output.data", "reactions_data.h5",
                  "the generated training set (datasets inputs, targets) for tessera-mlp (\"\": none)");
  add_training_run_keys(s);
  s.writes_file("output.model").writes_file("output.data");
  // The training set is part of what a restart continues; the held-out zones are not.
  s.fixed_on_restart({"network.zones", "network.density_min", "network.density_max", "network.temperature_min",
                      "network.temperature_max", "network.x12_min", "network.x12_max", "network.dt", "network.rtol",
                      "network.atol", "network.max_steps", "data.validation_fraction"});
  return s;
}

ReactionsParams reactions_params(const Config& c)
{
  ReactionsParams p{};
  read_model_keys(c, p.mlp);
  if (c.get_string("training.loss") != "mse") {
    throw InputError(
        fmt::format("{}: key 'training.loss': the surrogate is a regression; expected mse", c.where("training.loss")));
  }
  read_training_keys(c, p.mlp);
  read_output_keys(c, p.mlp);
  // The generated set, always standardised (no keys: the features span decades otherwise).
  p.mlp.data.target_columns = reaction_targets;
  p.mlp.data.inputs_dataset = "inputs";
  p.mlp.data.targets_dataset = "targets";
  p.mlp.data.validation_fraction = c.get_real("data.validation_fraction");
  p.mlp.data.scale_inputs = true;
  p.mlp.data.scale_targets = true;
  p.data_file = file_name_key(c, "output.data");
  p.zones = c.get_int("network.zones");
  p.test_zones = c.get_int("network.test_zones");
  p.density_min = c.get_real("network.density_min");
  p.density_max = c.get_real("network.density_max");
  p.temperature_min = c.get_real("network.temperature_min");
  p.temperature_max = c.get_real("network.temperature_max");
  p.x12_min = c.get_real("network.x12_min");
  p.x12_max = c.get_real("network.x12_max");
  p.dt = c.get_real("network.dt");
  p.burn.rtol = c.get_real("network.rtol");
  p.burn.atol = c.get_real("network.atol");
  p.burn.max_steps = static_cast<int>(c.get_int("network.max_steps"));
  // Each message names where its keys came from: the deck, or the override on the command line.
  const auto ordered = [&](const std::string& name, double lo, double hi) {
    if (!(lo <= hi)) {
      throw InputError(fmt::format("{0}: keys 'network.{1}_min' = {2} and 'network.{1}_max' = {3}: expected min <= max",
                                   c.where({"network." + name + "_min", "network." + name + "_max"}), name, lo, hi));
    }
  };
  ordered("density", p.density_min, p.density_max);
  ordered("temperature", p.temperature_min, p.temperature_max);
  ordered("x12", p.x12_min, p.x12_max);
  const auto layers = parse_layers(p.mlp.layers, "model.layers");
  if (layers.back().width != reaction_targets) {
    throw InputError(fmt::format("{}: key 'model.layers': the last layer must have {} outputs (log10 dX, log10 eps), "
                                 "not {}",
                                 c.where("model.layers"), reaction_targets, layers.back().width));
  }
  return p;
}

} // namespace tessera::nn
