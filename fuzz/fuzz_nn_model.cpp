// SPDX-License-Identifier: Apache-2.0
// Model files of tessera-mlp (nn::load_model, as --predict reads them; a training checkpoint
// holds the same contents, read by the same nn::read_model on --restart). Two kinds
// of input, chosen by the first byte:
//  - even: the bytes are the file (damaged HDF5, flipped bits, truncation);
//  - odd: the bytes describe a model file that this target writes through the real
//    CheckpointWriter, so every checksum (datasets and attributes) is right and the
//    reader's own checks (architecture text, sizes, precision, scalers, optimiser names) are
//    what is fuzzed, as for a file some other program wrote with valid checksums.
// A model that loads is then used as --predict uses it: built, restored (with its optimiser
// state) and run forward on one scaled sample. Only tessera::Error may refuse it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "tessera/core/checkpoint.hpp"
#include "tessera/nn/model_file.hpp"

namespace {

using namespace tessera;

// Keeps the model small enough that a fuzzed architecture cannot exhaust memory: the reader
// accepts any width the architecture syntax allows, which is not what is fuzzed here.
constexpr std::size_t max_fuzzed_weights = 1 << 16;

std::size_t weight_count(const nn::Architecture& a)
{
  std::size_t count = 0, width = static_cast<std::size_t>(a.inputs > 0 ? a.inputs : 0);
  for (const auto& layer : a.layers) {
    const auto w = static_cast<std::size_t>(layer.width > 0 ? layer.width : 0);
    count += (width + 1) * w * (layer.kind == nn::LayerSpec::Kind::residual ? 2 : 1);
    width = w;
  }
  return count;
}

std::string pick(FuzzedDataProvider& in, std::initializer_list<const char*> names)
{
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(24);
  const std::vector<const char*> list(names);
  return list[in.ConsumeIntegralInRange<std::size_t>(0, list.size() - 1)];
}

HostView<double*> values(FuzzedDataProvider& in)
{
  HostView<double*> out("fuzz", in.ConsumeIntegralInRange<std::size_t>(0, 64));
  for (std::size_t k = 0; k < out.extent(0); ++k)
    out(k) = in.ConsumeBool() ? in.ConsumeFloatingPoint<double>() : in.ConsumeFloatingPointInRange(-2.0, 2.0);
  return out;
}

void write_described_model(FuzzedDataProvider& in, const std::filesystem::path& path)
{
  const Comm self(MPI_COMM_SELF);
  CheckpointWriter writer(self, path, Hdf5Layout::single_file);
  writer.attribute("architecture",
                   pick(in, {"dense 4 relu, dense 2 linear", "dense 3 tanh, residual 3 gelu, dense 1 linear",
                             "dense 3 softmax", "residual 2 relu", ""}));
  writer.attribute("inputs", in.ConsumeIntegralInRange<std::int64_t>(-2, 6));
  writer.attribute("leaky_slope", in.ConsumeFloatingPoint<double>());
  writer.attribute("initialiser", pick(in, {"automatic", "he", "glorot"}));
  writer.attribute("loss", pick(in, {"mse", "cce", "mae"}));
  writer.attribute("precision", pick(in, {"float32", "float64"}));
  writer.attribute("optimizer", pick(in, {"adam", "sgd", "momentum"}));
  for (const char* name : {"learning_rate", "momentum", "beta1", "beta2", "epsilon", "l1", "l2", "best_loss"})
    writer.attribute(name, in.ConsumeFloatingPoint<double>());
  for (const char* name : {"optimizer_steps", "epochs", "best_epoch"})
    writer.attribute(name, in.ConsumeIntegral<std::int64_t>());
  const bool single = in.ConsumeBool();
  for (const char* name : {"parameters", "optimizer_first_moment", "optimizer_second_moment", "best_parameters"}) {
    const auto v = values(in);
    if (single) {
      HostView<float*> f("fuzz", v.extent(0));
      for (std::size_t k = 0; k < v.extent(0); ++k)
        f(k) = static_cast<float>(v(k));
      writer.write_shared(name, f);
    } else {
      writer.write_shared(name, v);
    }
  }
  for (const char* name : {"input_mean", "input_scale", "target_mean", "target_scale"})
    writer.write_shared(name, values(in));
  writer.commit();
}

template <class T>
void predict_one(const nn::ModelFile& file)
{
  nn::Model<T> model(file.architecture);
  nn::Optimizer<T> optimizer(file.optimizer, model.parameters().extent(0));
  nn::restore(file, model, &optimizer);
  std::vector<double> sample(static_cast<std::size_t>(file.architecture.inputs), 0.5);
  file.input_scaler.apply(sample);
  Matrix<T> x("fuzz::x", file.architecture.inputs, 1);
  auto host = Kokkos::create_mirror_view(x);
  for (int i = 0; i < file.architecture.inputs; ++i)
    host(i, 0) = static_cast<T>(sample[static_cast<std::size_t>(i)]);
  Kokkos::deep_copy(x, host);
  const auto y = host_copy(model.forward(ExecSpace{}, x));
  std::vector<double> out(y.data(), y.data() + y.span());
  file.target_scaler.invert(out);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)fuzz::world();
  if (size == 0) return 0;
  const auto path = fuzz::write_input(data + 1, size - 1, ".h5");
  if (data[0] % 2 == 1) {
    FuzzedDataProvider in(data + 1, size - 1);
    write_described_model(in, path);
  }
  fuzz::expect_clean_refusal([&] {
    const auto file = nn::load_model(path);
    if (weight_count(file.architecture) > max_fuzzed_weights) return;
    if (file.precision == "float64")
      predict_one<double>(file);
    else
      predict_one<float>(file);
  });
  return 0;
}
