// SPDX-License-Identifier: Apache-2.0
#pragma once
// Data sets on the host: reading (CSV, HDF5), checks, one-hot class labels, the
// train/validation split and the standard scaler; then the upload to the device as columns.
//
// Samples are stored row-major, one sample after another (x[j * inputs + i]); that is also
// the column-major (inputs x n) matrix the device wants, so the upload is one copy.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/nn/trainer.hpp"

namespace tessera::nn {

struct Samples {
  Index count = 0;
  int inputs = 0, outputs = 0;
  std::vector<double> x, y; // count * inputs, count * outputs
  std::vector<std::string> input_names, target_names;
};

// CSV with an optional header line of column names ('#' comments and blank lines skipped);
// the last `target_columns` columns are targets (0: inputs only, for prediction).
Samples read_csv(const std::filesystem::path& path, int target_columns);
// HDF5 datasets (n x inputs) and (n x outputs), any numeric type ("" targets: none).
Samples read_hdf5(const std::filesystem::path& path, const std::string& inputs_dataset,
                  const std::string& targets_dataset);
// By extension: .csv / .txt as CSV, .h5 / .hdf5 as HDF5 (throws InputError otherwise).
Samples read_samples(const std::filesystem::path& path, int target_columns, const std::string& inputs_dataset,
                     const std::string& targets_dataset);

// Class indices 0..classes-1 in the single target column become one-hot columns.
Samples one_hot(const Samples& samples, int classes, const std::string& where);

struct Split {
  Samples train, validation;
};
// The last round(fraction * n) samples of a (seed)-shuffle form the validation set.
Split split_samples(const Samples& samples, double validation_fraction, std::uint64_t seed);

// x -> (x - mean) / scale per column, fitted on the training set (scale: the standard
// deviation, 1 where a column is constant). Empty: identity.
struct Scaler {
  std::vector<double> mean, scale;
  bool empty() const { return mean.empty(); }
  void fit(const std::vector<double>& data, Index count, int width);
  void apply(std::vector<double>& data) const;
  void invert(std::vector<double>& data) const;
};

// The samples as device columns in precision T.
template <class T>
DeviceSamples<T> to_device(const Samples& samples)
{
  DeviceSamples<T> out{Matrix<T>("tessera::nn::inputs", samples.inputs, samples.count),
                       Matrix<T>("tessera::nn::targets", samples.outputs, samples.count)};
  const auto upload = [](const std::vector<double>& data, const Matrix<T>& m) {
    auto host = Kokkos::create_mirror_view(m);
    for (std::size_t k = 0; k < data.size(); ++k)
      host.data()[k] = static_cast<T>(data[k]);
    Kokkos::deep_copy(m, host);
  };
  upload(samples.x, out.inputs);
  upload(samples.y, out.targets);
  return out;
}

// Writes predictions (n x outputs) as CSV with a header (temporary file, then rename).
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& names,
               const std::vector<double>& rows, int width);

} // namespace tessera::nn
