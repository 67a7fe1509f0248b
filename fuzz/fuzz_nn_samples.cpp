// SPDX-License-Identifier: Apache-2.0
// Data sets of tessera-mlp and tessera-reactions (nn::read_csv, nn::read_hdf5). Two kinds of
// input, chosen by the first byte:
//  - even: the rest is a file, read as CSV (with one target column, and with none as
//    --predict reads it) and as HDF5 (datasets "inputs" and "targets");
//  - odd: the rest describes the two HDF5 datasets (rank, extents, element type, values
//    including NaN and infinities), written through core's Hdf5Writer, so the reader's
//    shape and value checks are what is fuzzed rather than the HDF5 library's.
// A set that reads then goes through what training does with it first: one-hot labels, the
// validation split and the standard scaler. Only tessera::Error may refuse it.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "fuzz_common.hpp"
#include "tessera/core/hdf5.hpp"
#include "tessera/nn/samples.hpp"

namespace {

using namespace tessera;

void prepare_for_training(const nn::Samples& samples)
{
  if (samples.count < 1) return;
  if (samples.outputs == 1) fuzz::expect_clean_refusal([&] { (void)nn::one_hot(samples, 3, "fuzz"); });
  const auto split = nn::split_samples(samples, 0.25, 7);
  nn::Scaler scaler;
  scaler.fit(split.train.x, split.train.count, split.train.inputs);
  auto x = split.validation.x;
  scaler.apply(x);
  scaler.invert(x);
}

template <class T>
void write_dataset(FuzzedDataProvider& in, Hdf5Writer& writer, const char* name,
                   const std::vector<std::uint64_t>& shape)
{
  std::size_t count = 1;
  for (const auto extent : shape)
    count *= extent;
  std::vector<T> values(count);
  for (auto& v : values) {
    const int kind = in.ConsumeIntegralInRange(0, 7);
    if (kind < 4)
      v = static_cast<T>(kind - 2);
    else if (kind == 4 && !std::is_integral_v<T>)
      v = static_cast<T>(in.ConsumeBool() ? std::numeric_limits<double>::quiet_NaN()
                                          : -std::numeric_limits<double>::infinity());
    else if constexpr (std::is_integral_v<T>)
      v = in.ConsumeIntegral<T>();
    else
      v = in.ConsumeFloatingPoint<T>(); // any finite value of the type
  }
  writer.write_block(name, {values.data(), h5_type<T>(), sizeof(T), shape}, false);
}

void write_described_data(FuzzedDataProvider& in, const std::filesystem::path& path)
{
  Hdf5Writer writer(fuzz::world(), path, Hdf5Layout::single_file);
  for (const char* name : {"inputs", "targets"}) {
    if (in.ConsumeIntegralInRange(0, 7) == 0) continue;                             // sometimes missing
    std::vector<std::uint64_t> shape(in.ConsumeIntegralInRange<std::size_t>(1, 3)); // scalars are attributes
    for (auto& extent : shape)
      extent = in.ConsumeIntegralInRange<std::uint64_t>(0, 9);
    switch (in.ConsumeIntegralInRange(0, 2)) {
    case 0: write_dataset<double>(in, writer, name, shape); break;
    case 1: write_dataset<float>(in, writer, name, shape); break;
    default: write_dataset<std::int64_t>(in, writer, name, shape); break;
    }
  }
  writer.close();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)fuzz::world();
  if (size == 0) return 0;
  const auto h5 = fuzz::write_input(data + 1, size - 1, ".h5");
  if (data[0] % 2 == 1) {
    FuzzedDataProvider in(data + 1, size - 1);
    write_described_data(in, h5);
  } else {
    const auto csv = fuzz::write_input(data + 1, size - 1, ".csv");
    for (int targets : {1, 0})
      fuzz::expect_clean_refusal([&] { prepare_for_training(nn::read_csv(csv, targets)); });
  }
  fuzz::expect_clean_refusal([&] { prepare_for_training(nn::read_hdf5(h5, "inputs", "targets")); });
  return 0;
}
