#include "tessera/nn/mlp_run.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/nn/fit.hpp"

namespace tessera::nn {

namespace {

template <class T>
nlohmann::json train(const Comm& comm, const MlpParams& p, const std::optional<std::filesystem::path>& restart,
                     PhaseTimers& timers)
{
  if (p.data.file.empty()) throw InputError("key 'data.file': no training data given");
  Samples samples;
  {
    auto scope = timers.scope("read");
    samples = read_samples(p.data.file, p.data.target_columns, p.data.inputs_dataset, p.data.targets_dataset);
  }
  const auto data = prepare_data(samples, p, p.data.file.string());
  const auto architecture = architecture_of(p, samples.inputs);
  check_device_memory(comm, p, data, architecture, sizeof(T));
  Model<T> model(architecture);
  log::info("data: {} samples ({} training, {} validation), {} inputs, {} outputs; model: {} inputs, {}, {} "
            "parameters ({}); {} ranks, global batch {}",
            samples.count, data.train.count, data.validation.count, samples.inputs, data.train.outputs, samples.inputs,
            model.architecture().text(), model.parameter_count(), p.precision, comm.size(), p.batch);
  const auto result = fit<T>(comm, p, data, restart, timers, model);
  log::info("trained {} epochs at {:.4g} samples/s; training loss {:.6e}{}{}", result.epochs, result.samples_per_second,
            result.train.loss,
            data.validation.count > 0 ? fmt::format(", validation loss {:.6e}", result.validation.loss) : "",
            std::isnan(result.validation.accuracy)
                ? ""
                : fmt::format(", validation accuracy {:.4f}", result.validation.accuracy));
  if (!result.interrupted) log::info("model written to {}", (p.output_dir / p.model_file).string());
  auto json = to_json(result);
  json["parameters"] = model.parameter_count();
  json["architecture"] = model.architecture().text();
  json["model_file"] = result.interrupted ? "" : (p.output_dir / p.model_file).string();
  return json;
}

template <class T>
nlohmann::json predict(const Comm& comm, const MlpParams& p, const ModelFile& file, PhaseTimers& timers)
{
  Samples samples;
  {
    auto scope = timers.scope("read");
    samples = read_samples(p.predict_data, p.predict_targets, p.data.inputs_dataset,
                           p.predict_targets > 0 ? p.data.targets_dataset : "");
  }
  if (samples.inputs != file.architecture.inputs) {
    throw InputError(fmt::format("{}: {} input columns, but the model expects {} (the first layer's inputs)",
                                 p.predict_data.string(), samples.inputs, file.architecture.inputs));
  }
  if (p.predict_targets > 0 && samples.outputs != file.architecture.outputs()) {
    throw InputError(fmt::format("{}: {} target columns, but the model has {} outputs", p.predict_data.string(),
                                 samples.outputs, file.architecture.outputs()));
  }
  file.input_scaler.apply(samples.x);
  Model<T> model(file.architecture);
  restore(file, model);
  // Rank 0 predicts every sample (inference is one forward pass); the others wait.
  std::vector<double> outputs;
  double loss = std::nan("");
  if (comm.is_root()) {
    auto scope = timers.scope("predict");
    Samples scaled_targets = samples;
    file.target_scaler.apply(scaled_targets.y);
    const auto device = to_device<T>(scaled_targets);
    const Comm self(MPI_COMM_SELF);
    Optimizer<T> unused({}, 0);
    Trainer<T> evaluator(self, model, unused, file.loss, {std::min<Index>(samples.count, 8192), 1, false});
    if (p.predict_targets > 0) loss = evaluator.evaluate(device).loss;
    const auto y = host_copy(model.forward(ExecSpace{}, device.inputs));
    outputs.assign(y.data(), y.data() + y.span());
    file.target_scaler.invert(outputs);
    std::vector<std::string> names = samples.target_names;
    if (names.empty()) {
      for (int c = 0; c < file.architecture.outputs(); ++c)
        names.push_back(fmt::format("y{}", c));
    }
    write_csv(p.output_dir / p.predictions_file, names, outputs, file.architecture.outputs());
  }
  comm.barrier();
  log::info("predicted {} samples with {} ({}){}; written to {}", samples.count, p.predict_model.string(),
            file.architecture.text(), std::isnan(loss) ? "" : fmt::format(", loss {:.6e}", loss),
            (p.output_dir / p.predictions_file).string());
  return {{"samples", samples.count},
          {"loss", number_or_null(loss)},
          {"predictions", (p.output_dir / p.predictions_file).string()}};
}

} // namespace

nlohmann::json run_mlp_training(const Comm& comm, const MlpParams& params,
                                const std::optional<std::filesystem::path>& restart, PhaseTimers& timers)
{
  return params.precision == "float64" ? train<double>(comm, params, restart, timers)
                                       : train<float>(comm, params, restart, timers);
}

nlohmann::json run_mlp_prediction(const Comm& comm, const MlpParams& params, PhaseTimers& timers)
{
  MlpParams p = params;
  if (p.predict_model.empty()) p.predict_model = p.output_dir / p.model_file;
  if (p.predict_data.empty()) throw InputError("key 'predict.data': --predict needs the samples to predict");
  const auto file = load_model(p.predict_model);
  return file.precision == "float64" ? predict<double>(comm, p, file, timers) : predict<float>(comm, p, file, timers);
}

} // namespace tessera::nn
