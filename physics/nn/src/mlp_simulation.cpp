// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/mlp_simulation.hpp"

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"

namespace tessera::nn {

namespace {

// The data file of the keys, prepared for training, and the training built for it.
Training training_of(const RunContext& context, const MlpParams& p)
{
  if (p.data.file.empty()) throw InputError("key 'data.file': no training data given");
  check_output_file(context.output_dir, "output.model", p.model_file);
  check_output_file(context.output_dir, "output.history", p.history_file);
  Samples samples;
  {
    auto scope = context.scope("read");
    samples = read_samples(p.data.file, p.data.target_columns, p.data.inputs_dataset, p.data.targets_dataset);
  }
  auto data = prepare_data(samples, p, p.data.file.string());
  const auto train = data.train.count, validation = data.validation.count;
  const int outputs = data.train.outputs;
  Training training(context, p, std::move(data), samples.inputs);
  log::info("data: {} samples ({} training, {} validation), {} inputs, {} outputs; model: {} inputs, {}, {} "
            "parameters ({}); {} ranks, global batch {}",
            samples.count, train, validation, samples.inputs, outputs, samples.inputs, training.architecture(),
            training.parameter_count(), p.precision, context.comm.size(), p.batch);
  return training;
}

} // namespace

SimulationInfo MlpSimulation::info()
{
  return training_info("mlp", "Tessera MLP: trains a multi-layer perceptron by back-propagation on the device, "
                              "data-parallel over MPI ranks; --predict runs a saved model on new data");
}

MlpSimulation::MlpSimulation(const RunContext& context, const Params& params)
    : context_(context), params_(params), training_(training_of(context, params))
{
}

MlpSimulation::MlpSimulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : MlpSimulation(context, params)
{
  training_.read_checkpoint(checkpoint);
}

void MlpSimulation::advance(double)
{
  training_.epoch();
}

DiagnosticsRow MlpSimulation::diagnostics() const
{
  return params_.history_file.empty() ? DiagnosticsRow{} : training_.row();
}

void MlpSimulation::write_output(const OutputRequest& request)
{
  // The only output is the model file of a run that ended by itself (no output.interval).
  interrupted_ = request.interrupted;
  if (!request.final) return;
  if (request.interrupted) return;
  auto scope = context_.scope("write");
  const auto path = context_.output_dir / params_.model_file;
  training_.save_final(path);
  log::info("model written to {}", path.string());
}

Results MlpSimulation::results()
{
  const auto fit = training_.result(interrupted_);
  Results r;
  r.lines.push_back(summary_line(fit));
  r.rate = fit.samples_per_second;
  r.rate_unit = "samples/s";
  r.json = to_json(fit);
  r.json["parameters"] = training_.parameter_count();
  r.json["architecture"] = training_.architecture();
  r.json["model_file"] = interrupted_ ? "" : (context_.output_dir / params_.model_file).string();
  return r;
}

} // namespace tessera::nn
