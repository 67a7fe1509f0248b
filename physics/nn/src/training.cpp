// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/training.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"

namespace tessera::nn {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Every rank gets rank 0's parameters (a model initialised anywhere starts identical).
template <class T>
void broadcast_parameters(const Comm& comm, const Kokkos::View<T*, MemSpace>& parameters)
{
  if (comm.size() == 1) return;
  auto host = host_copy(parameters);
  comm.broadcast(host.data(), static_cast<int>(host.extent(0)));
  Kokkos::deep_copy(parameters, host);
}

template <class T>
std::unique_ptr<TrainingRun<T>> make_run(const RunContext& context, const MlpParams& params, PreparedData data,
                                         const Architecture& architecture)
{
  check_device_memory(context.comm, params, data, architecture, sizeof(T));
  return std::make_unique<TrainingRun<T>>(context, params, std::move(data), architecture);
}

} // namespace

template <class T>
TrainingRun<T>::TrainingRun(const RunContext& context, const MlpParams& params, PreparedData data,
                            const Architecture& architecture)
    : context_(context), params_(params), data_(std::move(data)), model_(architecture),
      optimizer_(params.optimizer, model_.parameter_count()), train_(to_device<T>(data_.train)),
      validation_(to_device<T>(data_.validation)),
      trainer_(context.comm, model_, optimizer_, params.loss, train_settings(params))
{
  progress_.best_parameters = Kokkos::View<T*, MemSpace>("tessera::nn::best_parameters", model_.parameter_count());
  model_.initialise(ExecSpace{}, params.seed);
  broadcast_parameters(context.comm, model_.parameters());
}

template <class T>
void TrainingRun<T>::read_checkpoint(CheckpointReader& checkpoint)
{
  const auto file = read_model(checkpoint);
  restore(file, model_, &optimizer_);
  progress_.epochs = file.epochs;
  progress_.best_epoch = file.best_epoch;
  progress_.best_loss = file.best_loss;
  if (file.best_parameters.size() == model_.parameter_count()) {
    auto host = Kokkos::create_mirror_view(progress_.best_parameters);
    for (std::size_t k = 0; k < file.best_parameters.size(); ++k)
      host(k) = static_cast<T>(file.best_parameters[k]);
    Kokkos::deep_copy(progress_.best_parameters, host);
  }
}

template <class T>
void TrainingRun<T>::write_checkpoint(CheckpointWriter& writer) const
{
  write_model(writer, model_, optimizer_, params_.loss, data_.input_scaler, data_.target_scaler, progress_);
}

template <class T>
void TrainingRun<T>::epoch()
{
  const auto start = std::chrono::steady_clock::now();
  EpochRecord record;
  record.epoch = progress_.epochs + 1;
  {
    auto scope = context_.scope("train");
    record.train_loss = trainer_.train_epoch(train_, progress_.epochs);
  }
  const double train_time = seconds_since(start);
  train_seconds_ += train_time;
  record.samples_per_second = static_cast<double>(data_.train.count) / train_time;
  const bool monitor_validation = data_.validation.count > 0;
  {
    auto scope = context_.scope("evaluate");
    const auto v = monitor_validation ? trainer_.evaluate(validation_) : Evaluation{};
    record.validation_loss = monitor_validation ? v.loss : std::nan("");
    record.validation_accuracy = v.accuracy;
  }
  record.seconds = seconds_since(start);
  // The validation loss sees the parameters after the epoch's last update, the training loss
  // those before each batch's: either non-finite means the run diverged.
  if (!std::isfinite(record.train_loss) || (monitor_validation && !std::isfinite(record.validation_loss))) {
    const bool train = !std::isfinite(record.train_loss);
    throw Error(ExitCode::failure, fmt::format("epoch {}: the {} loss is {} (diverged; lower "
                                               "training.learning_rate)",
                                               record.epoch, train ? "training" : "validation",
                                               train ? record.train_loss : record.validation_loss));
  }
  history_.push_back(record);
  progress_.epochs = record.epoch;
  const double monitored = monitor_validation ? record.validation_loss : record.train_loss;
  if (monitored < progress_.best_loss - params_.min_delta) {
    progress_.best_loss = monitored;
    progress_.best_epoch = record.epoch;
    Kokkos::deep_copy(progress_.best_parameters, model_.parameters());
  }
  if (stopped_early()) {
    log::info("early stop: no improvement of the {} loss by more than {} for {} epochs (best: epoch {})",
              monitor_validation ? "validation" : "training", params_.min_delta, params_.patience,
              progress_.best_epoch);
  }
}

template <class T>
bool TrainingRun<T>::stopped_early() const
{
  // Counted from the state, not remembered: a restart with another patience stops by it.
  return params_.patience > 0 && progress_.epochs > 0 && progress_.epochs - progress_.best_epoch >= params_.patience;
}

template <class T>
void TrainingRun<T>::save_final(const std::filesystem::path& path)
{
  if (params_.restore_best && progress_.best_epoch > 0)
    Kokkos::deep_copy(model_.parameters(), progress_.best_parameters);
  save_model(context_.comm, path, model_, optimizer_, params_.loss, data_.input_scaler, data_.target_scaler, progress_);
}

template <class T>
FitResult TrainingRun<T>::result(bool interrupted)
{
  FitResult r;
  r.history = history_;
  r.epochs = progress_.epochs;
  r.best_epoch = progress_.best_epoch;
  r.best_loss = progress_.best_loss;
  r.stopped_early = stopped_early();
  r.interrupted = interrupted;
  r.train_seconds = train_seconds_;
  r.samples_per_second =
      static_cast<double>(history_.size()) * static_cast<double>(data_.train.count) / std::max(train_seconds_, 1e-30);
  auto scope = context_.scope("evaluate");
  r.train = trainer_.evaluate(train_);
  if (data_.validation.count > 0) r.validation = trainer_.evaluate(validation_);
  return r;
}

template class TrainingRun<float>;
template class TrainingRun<double>;

Training::Training(const RunContext& context, const MlpParams& params, PreparedData data, int inputs)
{
  const auto architecture = architecture_of(params, inputs);
  if (params.precision == "float64") {
    run_ = make_run<double>(context, params, std::move(data), architecture);
  } else {
    run_ = make_run<float>(context, params, std::move(data), architecture);
  }
}

void Training::read_checkpoint(CheckpointReader& checkpoint)
{
  visit([&](auto& run) { run.read_checkpoint(checkpoint); });
}

void Training::write_checkpoint(CheckpointWriter& writer) const
{
  visit([&](const auto& run) { run.write_checkpoint(writer); });
}

void Training::epoch()
{
  visit([](auto& run) { run.epoch(); });
}

std::int64_t Training::epochs() const
{
  return visit([](const auto& run) { return run.epochs(); });
}

bool Training::stopped_early() const
{
  return visit([](const auto& run) { return run.stopped_early(); });
}

const EpochRecord* Training::last() const
{
  return visit([](const auto& run) { return run.history().empty() ? nullptr : &run.history().back(); });
}

DiagnosticsRow Training::row() const
{
  DiagnosticsRow row;
  if (const auto* r = last()) {
    row.add("epoch", r->epoch)
        .add("train_loss", r->train_loss)
        .add("validation_loss", r->validation_loss)
        .add("validation_accuracy", r->validation_accuracy)
        .add("seconds", r->seconds);
  }
  return row;
}

std::string Training::status() const
{
  const auto* r = last();
  if (r == nullptr) return {};
  return fmt::format("loss {:.6e}  val_loss {:.6e}{}  {:.3g} samples/s", r->train_loss, r->validation_loss,
                     std::isnan(r->validation_accuracy) ? std::string()
                                                        : fmt::format("  val_acc {:.4f}", r->validation_accuracy),
                     r->samples_per_second);
}

void Training::save_final(const std::filesystem::path& path)
{
  visit([&](auto& run) { run.save_final(path); });
}

FitResult Training::result(bool interrupted)
{
  return visit([&](auto& run) { return run.result(interrupted); });
}

std::size_t Training::parameter_count() const
{
  return visit([](const auto& run) { return run.model().parameter_count(); });
}

std::string Training::architecture() const
{
  return visit([](const auto& run) { return run.model().architecture().text(); });
}

const PreparedData& Training::data() const
{
  return visit([](const auto& run) -> const PreparedData& { return run.data(); });
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

std::string summary_line(const FitResult& r)
{
  return fmt::format(
      "trained {} epochs at {:.4g} samples/s; training loss {:.6e}{}{}", r.epochs, r.samples_per_second, r.train.loss,
      r.validation.samples > 0 ? fmt::format(", validation loss {:.6e}", r.validation.loss) : "",
      std::isnan(r.validation.accuracy) ? "" : fmt::format(", validation accuracy {:.4f}", r.validation.accuracy));
}

} // namespace tessera::nn
