// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/reactions_simulation.hpp"

#include "tessera/core/log.hpp"
#include "tessera/nn/reactions_zones.hpp"

namespace tessera::nn {

SimulationInfo ReactionsSimulation::info()
{
  // The products are the model file and the held-out figures (training_info: a checkpoint
  // only at the interval and on a stop signal).
  return training_info("reactions", "Tessera reaction-network surrogate: 12C + 12C -> 24Mg burnt by a stiff "
                                    "integrator on the device, an MLP trained on it, its error and speed-up on "
                                    "held-out zones");
}

Training ReactionsSimulation::training_of(const RunContext& context, const Params& p, bool fresh, double& seconds)
{
  check_output_file(context.output_dir, "output.model", p.mlp.model_file);
  check_output_file(context.output_dir, "output.history", p.mlp.history_file);
  check_output_file(context.output_dir, "output.data", p.data_file);
  check_zone_memory(context.comm, p);
  Samples samples;
  {
    auto scope = context.scope("generate");
    samples = generate_zones(context.comm, p, 0, p.zones, seconds);
  }
  log::info("training data: {} zones burnt for dt = {} s in {:.3g} s (rho {:.3g}..{:.3g} g/cm^3, T {:.3g}..{:.3g} K, "
            "X12 {}..{})",
            p.zones, p.dt, seconds, p.density_min, p.density_max, p.temperature_min, p.temperature_max, p.x12_min,
            p.x12_max);
  // A restart burns the same zones again (they follow from the fixed keys) but leaves the
  // file of its first run alone.
  if (fresh && !p.data_file.empty()) write_zones(context.comm, context.output_dir / p.data_file, samples);
  Training training(context, p.mlp, prepare_data(samples, p.mlp, "tessera-reactions training data"), reaction_features);
  log::info("surrogate: {} ({} parameters, {})", training.architecture(), training.parameter_count(), p.mlp.precision);
  return training;
}

ReactionsSimulation::ReactionsSimulation(const RunContext& context, const Params& params, bool fresh)
    : context_(context), params_(params), training_(training_of(context, params, fresh, generate_seconds_))
{
}

ReactionsSimulation::ReactionsSimulation(const RunContext& context, const Params& params)
    : ReactionsSimulation(context, params, true)
{
}

ReactionsSimulation::ReactionsSimulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : ReactionsSimulation(context, params, false)
{
  training_.read_checkpoint(checkpoint);
}

void ReactionsSimulation::advance(double)
{
  training_.epoch();
}

DiagnosticsRow ReactionsSimulation::diagnostics() const
{
  return params_.mlp.history_file.empty() ? DiagnosticsRow{} : training_.row();
}

void ReactionsSimulation::write_output(const OutputRequest& request)
{
  interrupted_ = request.interrupted;
  if (!request.final) return;
  if (request.interrupted) return;
  auto scope = context_.scope("write");
  const auto path = context_.output_dir / params_.mlp.model_file;
  training_.save_final(path);
  log::info("surrogate written to {}", path.string());
}

Results ReactionsSimulation::results()
{
  const auto fit = training_.result(interrupted_);
  Results r;
  r.lines.push_back(summary_line(fit));
  r.rate = fit.samples_per_second;
  r.rate_unit = "samples/s";
  r.json = {{"training", to_json(fit)}};
  if (interrupted_) return r;
  // The held-out zones measure the surrogate of a complete run only.
  auto scope = context_.scope("held_out");
  const auto held_out =
      training_.visit([&](auto& run) { return evaluate_held_out(context_.comm, params_, run.model(), run.data()); });
  r.lines.insert(r.lines.end(), held_out.lines.begin(), held_out.lines.end());
  r.json.update(held_out.json);
  r.json["training_zones"] = params_.zones;
  r.json["generate_seconds"] = generate_seconds_;
  return r;
}

} // namespace tessera::nn
