// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/model_file.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"

namespace tessera::nn {

namespace {

HostView<double*> host_view(const std::vector<double>& v)
{
  HostView<double*> out("tessera::nn::model_file", v.size());
  for (std::size_t k = 0; k < v.size(); ++k)
    out(k) = v[k];
  return out;
}

// Reads a dataset stored in precision `stored` (checksummed in that precision) as doubles.
std::vector<double> read_values(CheckpointReader& reader, const std::string& name, const std::string& stored)
{
  if (stored == "float32") {
    const auto values = reader.read_shared<float>(name);
    return {values.begin(), values.end()};
  }
  return reader.read_shared<double>(name);
}

template <class T>
void upload(const std::vector<double>& values, const Kokkos::View<T*, MemSpace>& view, const std::string& what)
{
  if (values.size() != view.extent(0)) {
    throw InputError(
        fmt::format("model file: {} has {} values, the architecture needs {}", what, values.size(), view.extent(0)));
  }
  auto host = Kokkos::create_mirror_view(view);
  for (std::size_t k = 0; k < values.size(); ++k)
    host(k) = static_cast<T>(values[k]);
  Kokkos::deep_copy(view, host);
}

// What the reader cannot leave to the checksums (they prove the file is what its writer
// wrote, not that the writer made sense): names, finite values, and sizes that agree with
// the architecture before anything is indexed with them.
void check_model_file(const ModelFile& m, const std::filesystem::path& path)
{
  if (m.precision != "float32" && m.precision != "float64") {
    throw InputError(fmt::format("{}: precision '{}': expected float32 or float64", path.string(), m.precision));
  }
  const auto check_scaler = [&](const Scaler& scaler, const char* name, int width) {
    if (scaler.mean.size() != scaler.scale.size() || (!scaler.empty() && scaler.mean.size() != std::size_t(width))) {
      throw InputError(fmt::format("{}: {}_mean and {}_scale have {} and {} values; expected none or {}", path.string(),
                                   name, name, scaler.mean.size(), scaler.scale.size(), width));
    }
  };
  const auto check_finite = [&](const std::vector<double>& values, const char* name) {
    for (std::size_t k = 0; k < values.size(); ++k) {
      if (!std::isfinite(values[k])) {
        throw InputError(fmt::format("{}: {}[{}] is not a finite number", path.string(), name, k));
      }
    }
  };
  check_finite(m.parameters, "parameters");
  check_finite(m.first_moment, "optimizer_first_moment");
  check_finite(m.second_moment, "optimizer_second_moment");
  check_finite(m.best_parameters, "best_parameters");
  const std::pair<const std::vector<double>*, const char*> scalers[] = {{&m.input_scaler.mean, "input_mean"},
                                                                        {&m.input_scaler.scale, "input_scale"},
                                                                        {&m.target_scaler.mean, "target_mean"},
                                                                        {&m.target_scaler.scale, "target_scale"}};
  for (const auto& [values, name] : scalers)
    check_finite(*values, name);
  for (const auto* scale : {&m.input_scaler.scale, &m.target_scaler.scale}) {
    for (const double s : *scale) {
      if (s <= 0) throw InputError(fmt::format("{}: a scaler's scale {} is not positive", path.string(), s));
    }
  }
  check_scaler(m.input_scaler, "input", m.architecture.inputs);
  check_scaler(m.target_scaler, "target", m.architecture.outputs());
}

} // namespace

template <class T>
void write_model(CheckpointWriter& writer, const Model<T>& model, const Optimizer<T>& optimizer, Loss loss,
                 const Scaler& input_scaler, const Scaler& target_scaler, const TrainingProgress<T>& progress)
{
  const auto& a = model.architecture();
  const auto& o = optimizer.settings();
  writer.attribute("architecture", a.text());
  writer.attribute("inputs", std::int64_t{a.inputs});
  writer.attribute("leaky_slope", a.leaky_slope);
  writer.attribute("initialiser", std::string(initialiser_name(a.initialiser)));
  writer.attribute("loss", std::string(loss_name(loss)));
  writer.attribute("precision", std::string(precision_name<T>()));
  writer.attribute("optimizer", std::string(optimizer_name(o.kind)));
  const std::pair<const char*, double> optimizer_settings[] = {{"learning_rate", o.learning_rate},
                                                               {"momentum", o.momentum},
                                                               {"beta1", o.beta1},
                                                               {"beta2", o.beta2},
                                                               {"epsilon", o.epsilon},
                                                               {"l1", o.l1},
                                                               {"l2", o.l2}};
  for (const auto& [name, value] : optimizer_settings)
    writer.attribute(name, value);
  writer.attribute("optimizer_steps", optimizer.steps());
  writer.attribute("epochs", progress.epochs);
  writer.attribute("best_epoch", progress.best_epoch);
  writer.attribute("best_loss", progress.best_loss);
  writer.write_shared("parameters", model.parameters());
  writer.write_shared("optimizer_first_moment", optimizer.first_moment());
  writer.write_shared("optimizer_second_moment", optimizer.second_moment());
  writer.write_shared("input_mean", host_view(input_scaler.mean));
  writer.write_shared("input_scale", host_view(input_scaler.scale));
  writer.write_shared("target_mean", host_view(target_scaler.mean));
  writer.write_shared("target_scale", host_view(target_scaler.scale));
  writer.write_shared("best_parameters", progress.best_parameters);
}

// Every rank holds the same model: rank 0 writes it alone (one plain file whatever the HDF5
// library), and every rank learns whether that worked.
template <class T>
void save_model(const Comm& comm, const std::filesystem::path& path, const Model<T>& model,
                const Optimizer<T>& optimizer, Loss loss, const Scaler& input_scaler, const Scaler& target_scaler,
                const TrainingProgress<T>& progress)
{
  std::string failure;
  if (comm.is_root()) {
    try {
      const Comm self(MPI_COMM_SELF);
      CheckpointWriter writer(self, path, Hdf5Layout::single_file);
      write_model(writer, model, optimizer, loss, input_scaler, target_scaler, progress);
      writer.commit();
    } catch (const std::exception& e) {
      failure = e.what();
      if (failure.empty()) failure = path.string() + ": writing the model failed";
    }
  }
  failure = comm.broadcast(failure);
  if (!failure.empty()) throw IoError(failure);
}

ModelFile load_model(const std::filesystem::path& path)
{
  if (!std::filesystem::exists(path)) throw IoError(fmt::format("{}: model file not found", path.string()));
  const Comm self(MPI_COMM_SELF);
  CheckpointReader reader(self, path);
  return read_model(reader);
}

ModelFile read_model(CheckpointReader& reader)
{
  const auto& path = reader.path();
  const auto& file = reader.file();
  if (!file.has_attribute("", "architecture") || !file.has("parameters")) {
    throw InputError(fmt::format("{}: not a Tessera model file (no architecture or parameters)", path.string()));
  }
  ModelFile m;
  const std::int64_t inputs = file.attribute_int("", "inputs");
  if (inputs < 1 || inputs > max_layer_width) {
    throw InputError(fmt::format("{}: inputs = {}: expected 1..{}", path.string(), inputs, max_layer_width));
  }
  m.architecture.inputs = static_cast<int>(inputs);
  m.architecture.layers = parse_layers(file.attribute_string("", "architecture"), path.string() + ": architecture");
  m.architecture.leaky_slope = file.attribute_real("", "leaky_slope");
  m.architecture.initialiser = initialiser_from_name(file.attribute_string("", "initialiser"));
  check_architecture(m.architecture, path.string() + ": architecture");
  m.loss = loss_from_name(file.attribute_string("", "loss"));
  m.precision = file.attribute_string("", "precision");
  m.optimizer.kind = optimizer_from_name(file.attribute_string("", "optimizer"));
  m.optimizer.learning_rate = file.attribute_real("", "learning_rate");
  m.optimizer.momentum = file.attribute_real("", "momentum");
  m.optimizer.beta1 = file.attribute_real("", "beta1");
  m.optimizer.beta2 = file.attribute_real("", "beta2");
  m.optimizer.epsilon = file.attribute_real("", "epsilon");
  m.optimizer.l1 = file.attribute_real("", "l1");
  m.optimizer.l2 = file.attribute_real("", "l2");
  m.optimizer_steps = file.attribute_int("", "optimizer_steps");
  m.epochs = file.attribute_int("", "epochs");
  m.best_epoch = file.attribute_int("", "best_epoch");
  m.best_loss = file.attribute_real("", "best_loss");
  m.parameters = read_values(reader, "parameters", m.precision);
  m.first_moment = read_values(reader, "optimizer_first_moment", m.precision);
  m.second_moment = read_values(reader, "optimizer_second_moment", m.precision);
  m.input_scaler.mean = reader.read_shared<double>("input_mean");
  m.input_scaler.scale = reader.read_shared<double>("input_scale");
  m.target_scaler.mean = reader.read_shared<double>("target_mean");
  m.target_scaler.scale = reader.read_shared<double>("target_scale");
  m.best_parameters = read_values(reader, "best_parameters", m.precision);
  check_model_file(m, path);
  return m;
}

template <class T>
void restore(const ModelFile& file, Model<T>& model, Optimizer<T>* optimizer)
{
  upload(file.parameters, model.parameters(), "parameters");
  if (optimizer == nullptr) return;
  upload(file.first_moment, optimizer->first_moment(), "optimizer_first_moment");
  upload(file.second_moment, optimizer->second_moment(), "optimizer_second_moment");
  optimizer->set_steps(file.optimizer_steps);
}

#define TESSERA_NN_MODEL_FILE(T)                                                                                       \
  template void write_model<T>(CheckpointWriter&, const Model<T>&, const Optimizer<T>&, Loss, const Scaler&,           \
                               const Scaler&, const TrainingProgress<T>&);                                             \
  template void save_model<T>(const Comm&, const std::filesystem::path&, const Model<T>&, const Optimizer<T>&, Loss,   \
                              const Scaler&, const Scaler&, const TrainingProgress<T>&);                               \
  template void restore<T>(const ModelFile&, Model<T>&, Optimizer<T>*);
TESSERA_NN_MODEL_FILE(float)
TESSERA_NN_MODEL_FILE(double)
#undef TESSERA_NN_MODEL_FILE

} // namespace tessera::nn
