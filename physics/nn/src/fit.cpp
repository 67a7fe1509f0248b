#include "tessera/nn/fit.hpp"

#include <chrono>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::nn {

namespace {

constexpr const char* checkpoint_name = "mlp.chk.h5";

void write_history(const Comm& comm, const std::filesystem::path& path, const std::vector<EpochRecord>& history)
{
  if (!comm.is_root()) return;
  std::vector<double> rows;
  for (const auto& r : history) {
    rows.insert(rows.end(),
                {static_cast<double>(r.epoch), r.train_loss, r.validation_loss, r.validation_accuracy, r.seconds});
  }
  write_csv(path, {"epoch", "train_loss", "validation_loss", "validation_accuracy", "seconds"}, rows, 5);
}

} // namespace

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

template <class T>
void broadcast_parameters(const Comm& comm, const Kokkos::View<T*, MemSpace>& parameters)
{
  if (comm.size() == 1) return;
  auto host = host_copy(parameters);
  comm.broadcast(host.data(), static_cast<int>(host.extent(0)));
  Kokkos::deep_copy(parameters, host);
}

template <class T>
FitResult fit(const Comm& comm, const MlpParams& p, const PreparedData& data,
              const std::optional<std::filesystem::path>& restart, PhaseTimers& timers, Model<T>& model)
{
  const auto& a = model.architecture();
  Optimizer<T> optimizer(p.optimizer, model.parameter_count());
  TrainingProgress<T> progress;
  progress.best_parameters = Kokkos::View<T*, MemSpace>("tessera::nn::best_parameters", model.parameter_count());
  model.initialise(ExecSpace{}, p.seed);
  broadcast_parameters(comm, model.parameters());
  if (restart) {
    const auto file = load_model(*restart);
    if (file.architecture.text() != a.text() || file.architecture.inputs != a.inputs ||
        file.precision != precision_name<T>() || file.loss != p.loss) {
      throw InputError(fmt::format("{}: the checkpoint was written by another run ({} inputs, '{}', {}, loss {}); "
                                   "restart with the same data and model keys",
                                   restart->string(), file.architecture.inputs, file.architecture.text(),
                                   file.precision, loss_name(file.loss)));
    }
    restore(file, model, &optimizer);
    progress.epochs = file.epochs;
    progress.best_epoch = file.best_epoch;
    progress.best_loss = file.best_loss;
    if (file.best_parameters.size() == model.parameter_count()) {
      auto host = Kokkos::create_mirror_view(progress.best_parameters);
      for (std::size_t k = 0; k < file.best_parameters.size(); ++k)
        host(k) = static_cast<T>(file.best_parameters[k]);
      Kokkos::deep_copy(progress.best_parameters, host);
    }
    log::info("restarting from {} after epoch {}", restart->string(), progress.epochs);
  }

  const auto train = to_device<T>(data.train);
  const auto validation = to_device<T>(data.validation);
  const bool monitor_validation = data.validation.count > 0;
  Trainer<T> trainer(comm, model, optimizer, p.loss, {p.batch, p.seed, p.shuffle});
  FitResult result;
  const auto save_checkpoint = [&] {
    auto scope = timers.scope("checkpoint");
    save_model(comm, p.output_dir / checkpoint_name, model, optimizer, p.loss, data.input_scaler, data.target_scaler,
               progress);
  };
  Progress bar("training", p.epochs, "epochs");
  std::int64_t epoch = progress.epochs;
  for (; epoch < p.epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    EpochRecord record;
    record.epoch = epoch + 1;
    {
      auto scope = timers.scope("train");
      record.train_loss = trainer.train_epoch(train, epoch);
    }
    const double train_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.train_seconds += train_time;
    {
      auto scope = timers.scope("evaluate");
      const auto v = monitor_validation ? trainer.evaluate(validation) : Evaluation{};
      record.validation_loss = monitor_validation ? v.loss : std::nan("");
      record.validation_accuracy = v.accuracy;
    }
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!std::isfinite(record.train_loss)) {
      throw Error(ExitCode::failure, fmt::format("epoch {}: the training loss is {} (diverged; lower "
                                                 "training.learning_rate)",
                                                 record.epoch, record.train_loss));
    }
    result.history.push_back(record);
    progress.epochs = epoch + 1;
    const double monitored = monitor_validation ? record.validation_loss : record.train_loss;
    if (monitored < progress.best_loss - p.min_delta) {
      progress.best_loss = monitored;
      progress.best_epoch = epoch + 1;
      Kokkos::deep_copy(progress.best_parameters, model.parameters());
    }
    if ((epoch + 1) % p.log_every == 0 || epoch + 1 == p.epochs) {
      log::info("epoch {:>6}/{}  loss {:.6e}  val_loss {:.6e}{}  {:.3g} samples/s", epoch + 1, p.epochs,
                record.train_loss, record.validation_loss,
                std::isnan(record.validation_accuracy) ? std::string()
                                                       : fmt::format("  val_acc {:.4f}", record.validation_accuracy),
                static_cast<double>(data.train.count) / train_time);
    }
    bar.update(epoch + 1);
    if (p.patience > 0 && epoch + 1 - progress.best_epoch >= p.patience) {
      result.stopped_early = true;
      log::info("early stop: no improvement of the {} loss by more than {} for {} epochs (best: epoch {})",
                monitor_validation ? "validation" : "training", p.min_delta, p.patience, progress.best_epoch);
      break;
    }
    if (stop_requested()) {
      result.interrupted = true;
      save_checkpoint();
      log::info("interrupted: checkpoint {} written after epoch {}", (p.output_dir / checkpoint_name).string(),
                epoch + 1);
      break;
    }
    if (p.checkpoint_every > 0 && (epoch + 1) % p.checkpoint_every == 0 && epoch + 1 < p.epochs) save_checkpoint();
  }
  bar.finish();
  if (p.restore_best && progress.best_epoch > 0 && !result.interrupted) {
    Kokkos::deep_copy(model.parameters(), progress.best_parameters);
  }
  result.epochs = progress.epochs;
  result.best_epoch = progress.best_epoch;
  result.best_loss = progress.best_loss;
  const auto epochs_here = static_cast<double>(result.history.size());
  result.samples_per_second =
      epochs_here * static_cast<double>(data.train.count) / std::max(result.train_seconds, 1e-30);
  result.train = trainer.evaluate(train);
  if (monitor_validation) result.validation = trainer.evaluate(validation);
  if (!result.interrupted) {
    auto scope = timers.scope("write");
    save_model(comm, p.output_dir / p.model_file, model, optimizer, p.loss, data.input_scaler, data.target_scaler,
               progress);
  }
  if (!p.history_file.empty()) write_history(comm, p.output_dir / p.history_file, result.history);
  return result;
}

nlohmann::json number_or_null(double x)
{
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json();
}

nlohmann::json to_json(const FitResult& r)
{
  nlohmann::json history = nlohmann::json::array();
  for (const auto& e : r.history) {
    history.push_back({{"epoch", e.epoch},
                       {"train_loss", e.train_loss},
                       {"validation_loss", number_or_null(e.validation_loss)},
                       {"validation_accuracy", number_or_null(e.validation_accuracy)}});
  }
  const auto evaluation = [](const Evaluation& e) {
    return nlohmann::json{{"loss", e.loss}, {"accuracy", number_or_null(e.accuracy)}, {"samples", e.samples}};
  };
  return {{"epochs", r.epochs},
          {"best_epoch", r.best_epoch},
          {"best_loss", r.best_loss},
          {"stopped_early", r.stopped_early},
          {"interrupted", r.interrupted},
          {"train_seconds", r.train_seconds},
          {"samples_per_second", r.samples_per_second},
          {"train", evaluation(r.train)},
          {"validation", evaluation(r.validation)},
          {"history", history}};
}

#define TESSERA_NN_FIT(T)                                                                                              \
  template FitResult fit<T>(const Comm&, const MlpParams&, const PreparedData&,                                        \
                            const std::optional<std::filesystem::path>&, PhaseTimers&, Model<T>&);                     \
  template void broadcast_parameters<T>(const Comm&, const Kokkos::View<T*, MemSpace>&);
TESSERA_NN_FIT(float)
TESSERA_NN_FIT(double)
#undef TESSERA_NN_FIT

} // namespace tessera::nn
