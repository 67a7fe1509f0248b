// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/mlp_simulation.hpp"

#include <fmt/format.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"

namespace tessera::nn {

namespace {

// The checkpoint's record of the samples it was trained on.
constexpr const char* data_checksum_attribute = "mlp.data_checksum";

// The data file of the keys, prepared for training, and the training built for it;
// `data_checksum` is the checksum of the samples read (inputs, then targets).
Training training_of(const RunContext& context, const MlpParams& p, std::int64_t& data_checksum)
{
  if (p.data.file.empty()) throw InputError("key 'data.file': no training data given");
  check_output_file(context.output_dir, "output.model", p.model_file);
  check_output_file(context.output_dir, "output.history", p.history_file);
  Samples samples;
  {
    auto scope = context.scope("read");
    samples = read_samples(p.data.file, p.data.target_columns, p.data.inputs_dataset, p.data.targets_dataset);
  }
  data_checksum =
      static_cast<std::int64_t>(checksum(samples.x.data(), samples.x.size(), sizeof(double), 0) +
                                checksum(samples.y.data(), samples.y.size(), sizeof(double), samples.x.size()));
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
    : context_(context), params_(params), training_(training_of(context, params, data_checksum_))
{
}

MlpSimulation::MlpSimulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : MlpSimulation(context, params)
{
  // data.file is compared by name (a fixed key); its samples by this checksum, so that a file
  // edited between the runs is not trained on as if it were the same (checkpoints of older
  // Tessera carry none).
  if (checkpoint.has_attribute(data_checksum_attribute) &&
      checkpoint.attribute_int(data_checksum_attribute) != data_checksum_)
    throw InputError(fmt::format("{}: the samples of data.file = {} are not those the checkpoint was trained on "
                                 "(the file changed since); a restart must read the same data",
                                 checkpoint.path().string(), params.data.file.string()));
  training_.read_checkpoint(checkpoint);
}

void MlpSimulation::write_checkpoint(CheckpointWriter& writer) const
{
  training_.write_checkpoint(writer);
  writer.attribute(data_checksum_attribute, data_checksum_);
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
