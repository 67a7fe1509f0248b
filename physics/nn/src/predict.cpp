// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/predict.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/nn/model_file.hpp"
#include "tessera/nn/training.hpp"

namespace tessera::nn {

namespace {

template <class T>
nlohmann::json predict(const Comm& comm, const MlpParams& p, const std::filesystem::path& output_dir,
                       const ModelFile& file, PhaseTimers& timers)
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
    Optimizer<T> unused(file.optimizer, 0);
    // One forward pass per chunk of 8192 samples, in file order.
    const TrainSettings chunks{std::min<Index>(samples.count, 8192), 0, false};
    Trainer<T> evaluator(self, model, unused, file.loss, chunks);
    if (p.predict_targets > 0) loss = evaluator.evaluate(device).loss;
    const auto y = host_copy(model.forward(ExecSpace{}, device.inputs));
    outputs.assign(y.data(), y.data() + y.span());
    file.target_scaler.invert(outputs);
    std::vector<std::string> names = samples.target_names;
    if (names.empty()) {
      for (int c = 0; c < file.architecture.outputs(); ++c)
        names.push_back(fmt::format("y{}", c));
    }
    write_csv(output_dir / p.predictions_file, names, outputs, file.architecture.outputs());
  }
  comm.barrier();
  log::info("predicted {} samples with {} ({}){}; written to {}", samples.count, p.predict_model.string(),
            file.architecture.text(), std::isnan(loss) ? "" : fmt::format(", loss {:.6e}", loss),
            (output_dir / p.predictions_file).string());
  return {{"samples", samples.count},
          {"loss", number_or_null(loss)},
          {"predictions", (output_dir / p.predictions_file).string()}};
}

} // namespace

nlohmann::json run_prediction(const Comm& comm, const MlpParams& params, const std::filesystem::path& output_dir,
                              PhaseTimers& timers)
{
  MlpParams p = params;
  if (p.predict_model.empty()) p.predict_model = output_dir / p.model_file;
  if (p.predict_data.empty()) throw InputError("key 'predict.data': --predict needs the samples to predict");
  const auto file = load_model(p.predict_model);
  return file.precision == "float64" ? predict<double>(comm, p, output_dir, file, timers)
                                     : predict<float>(comm, p, output_dir, file, timers);
}

} // namespace tessera::nn
