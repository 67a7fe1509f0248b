// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/samples.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"

namespace tessera::nn {

namespace {

std::vector<std::string> split_fields(const std::string& line)
{
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) {
    const auto first = field.find_first_not_of(" \t\r");
    const auto last = field.find_last_not_of(" \t\r");
    fields.push_back(first == std::string::npos ? "" : field.substr(first, last - first + 1));
  }
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// A number as C++ writes it, or with a leading '+' (std::from_chars takes none; "+1.5" is
// a number to every CSV writer and reader).
bool parse_number(const std::string& text, double& value)
{
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') {
    ++begin;
    if (begin == end || *begin == '+' || *begin == '-') return false;
  }
  const auto [ptr, error] = std::from_chars(begin, end, value);
  return begin != end && error == std::errc() && ptr == end;
}

void assign_columns(Samples& s, const std::vector<std::string>& names, int target_columns)
{
  const int width = static_cast<int>(names.size());
  s.inputs = width - target_columns;
  s.outputs = target_columns;
  s.input_names.assign(names.begin(), names.begin() + s.inputs);
  s.target_names.assign(names.begin() + s.inputs, names.end());
}

} // namespace

Samples read_csv(const std::filesystem::path& path, int target_columns)
{
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: data file not found or not readable", path.string()));
  Samples s;
  std::vector<std::string> names;
  std::string line;
  int width = -1;
  for (int number = 1; std::getline(in, line); ++number) {
    // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first field.
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[line.find_first_not_of(" \t")] == '#') continue;
    const auto fields = split_fields(line);
    if (width < 0) {
      width = static_cast<int>(fields.size());
      if (width <= target_columns) {
        throw InputError(fmt::format("{}:{}: {} columns, but {} of them are targets: no inputs left", path.string(),
                                     number, width, target_columns));
      }
      double probe = 0;
      const bool header = !parse_number(fields[0], probe);
      for (int c = 0; c < width; ++c)
        names.push_back(header ? fields[c] : fmt::format("c{}", c));
      assign_columns(s, names, target_columns);
      if (header) continue;
    }
    if (static_cast<int>(fields.size()) != width) {
      throw InputError(
          fmt::format("{}:{}: expected {} columns, found {}", path.string(), number, width, fields.size()));
    }
    for (int c = 0; c < width; ++c) {
      double value = 0;
      if (!parse_number(fields[c], value)) {
        throw InputError(
            fmt::format("{}:{}: column '{}': '{}' is not a number", path.string(), number, names[c], fields[c]));
      }
      if (!std::isfinite(value)) {
        throw InputError(
            fmt::format("{}:{}: column '{}': non-finite value '{}'", path.string(), number, names[c], fields[c]));
      }
      (c < s.inputs ? s.x : s.y).push_back(value);
    }
    ++s.count;
  }
  if (s.count == 0) throw InputError(fmt::format("{}: no data rows", path.string()));
  return s;
}

Samples read_hdf5(const std::filesystem::path& path, const std::string& inputs_dataset,
                  const std::string& targets_dataset)
{
  if (!std::filesystem::exists(path)) throw InputError(fmt::format("{}: data file not found", path.string()));
  Hdf5Reader reader(path);
  const auto read = [&](const std::string& name, std::vector<double>& out) {
    if (!reader.has(name)) throw InputError(fmt::format("{}: no dataset '{}'", path.string(), name));
    std::vector<std::uint64_t> shape;
    out = reader.read_all<double>(name, &shape);
    if (shape.size() == 1) shape.push_back(1);
    if (shape.size() != 2) {
      throw InputError(fmt::format("{}: dataset '{}' has {} dimensions; expected (samples, columns)", path.string(),
                                   name, shape.size()));
    }
    for (std::size_t k = 0; k < out.size(); ++k) {
      if (!std::isfinite(out[k])) {
        throw InputError(fmt::format("{}: dataset '{}', sample {}, column {}: non-finite value", path.string(), name,
                                     k / shape[1], k % shape[1]));
      }
    }
    return shape;
  };
  Samples s;
  const auto shape = read(inputs_dataset, s.x);
  s.count = static_cast<Index>(shape[0]);
  s.inputs = static_cast<int>(shape[1]);
  for (int c = 0; c < s.inputs; ++c)
    s.input_names.push_back(fmt::format("{}{}", inputs_dataset, c));
  if (!targets_dataset.empty()) {
    const auto target_shape = read(targets_dataset, s.y);
    if (target_shape[0] != shape[0]) {
      throw InputError(fmt::format("{}: '{}' has {} samples but '{}' has {}", path.string(), inputs_dataset, shape[0],
                                   targets_dataset, target_shape[0]));
    }
    s.outputs = static_cast<int>(target_shape[1]);
    for (int c = 0; c < s.outputs; ++c)
      s.target_names.push_back(fmt::format("{}{}", targets_dataset, c));
  }
  if (s.count == 0) throw InputError(fmt::format("{}: no samples", path.string()));
  return s;
}

Samples read_samples(const std::filesystem::path& path, int target_columns, const std::string& inputs_dataset,
                     const std::string& targets_dataset)
{
  const auto extension = path.extension().string();
  if (extension == ".csv" || extension == ".txt") return read_csv(path, target_columns);
  if (extension == ".h5" || extension == ".hdf5") {
    return read_hdf5(path, inputs_dataset, target_columns > 0 ? targets_dataset : "");
  }
  throw InputError(
      fmt::format("{}: unknown data format '{}': expected .csv, .txt, .h5 or .hdf5", path.string(), extension));
}

Samples one_hot(const Samples& samples, int classes, const std::string& where)
{
  Samples out = samples;
  out.outputs = classes;
  out.y.assign(static_cast<std::size_t>(samples.count) * classes, 0.0);
  out.target_names.clear();
  for (int c = 0; c < classes; ++c)
    out.target_names.push_back(fmt::format("p{}", c));
  for (Index j = 0; j < samples.count; ++j) {
    const double label = samples.y[j];
    if (label != std::floor(label) || label < 0 || label >= classes) {
      throw InputError(
          fmt::format("{}: sample {}: class label {} is not an integer in 0..{}", where, j, label, classes - 1));
    }
    out.y[j * classes + static_cast<Index>(label)] = 1.0;
  }
  return out;
}

Split split_samples(const Samples& samples, double validation_fraction, std::uint64_t seed)
{
  const auto order = epoch_order(samples.count, seed, -1, true);
  const auto validation = static_cast<Index>(std::llround(validation_fraction * static_cast<double>(samples.count)));
  Split out;
  for (Samples* part : {&out.train, &out.validation}) { // the columns, not the data
    part->inputs = samples.inputs;
    part->outputs = samples.outputs;
    part->input_names = samples.input_names;
    part->target_names = samples.target_names;
  }
  for (Index k = 0; k < samples.count; ++k) {
    Samples& part = k < samples.count - validation ? out.train : out.validation;
    const Index j = order[k];
    part.x.insert(part.x.end(), samples.x.begin() + j * samples.inputs, samples.x.begin() + (j + 1) * samples.inputs);
    part.y.insert(part.y.end(), samples.y.begin() + j * samples.outputs, samples.y.begin() + (j + 1) * samples.outputs);
    ++part.count;
  }
  return out;
}

void Scaler::fit(const std::vector<double>& data, Index count, int width)
{
  mean.assign(width, 0.0);
  scale.assign(width, 1.0);
  for (int c = 0; c < width; ++c) {
    long double sum = 0, square = 0;
    for (Index j = 0; j < count; ++j)
      sum += data[j * width + c];
    const long double m = count > 0 ? sum / count : 0;
    for (Index j = 0; j < count; ++j)
      square += (data[j * width + c] - m) * (data[j * width + c] - m);
    mean[c] = static_cast<double>(m);
    const double sd = count > 0 ? std::sqrt(static_cast<double>(square / count)) : 0.0;
    scale[c] = sd > 0 ? sd : 1.0;
  }
}

void Scaler::apply(std::vector<double>& data) const
{
  const std::size_t width = mean.size();
  for (std::size_t k = 0; k < data.size() && width > 0; ++k)
    data[k] = (data[k] - mean[k % width]) / scale[k % width];
}

void Scaler::invert(std::vector<double>& data) const
{
  const std::size_t width = mean.size();
  for (std::size_t k = 0; k < data.size() && width > 0; ++k)
    data[k] = data[k] * scale[k % width] + mean[k % width];
}

void write_csv(const std::filesystem::path& path, const std::vector<std::string>& names,
               const std::vector<double>& rows, int width)
{
  const auto temporary = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(temporary);
    if (!out) throw IoError(fmt::format("{}: cannot write", temporary.string()));
    for (int c = 0; c < width; ++c)
      out << (c ? "," : "") << names[c];
    out << '\n';
    for (std::size_t k = 0; k < rows.size(); ++k)
      out << fmt::format("{:.17g}", rows[k]) << ((k + 1) % width == 0 ? '\n' : ',');
    if (!out.flush()) throw IoError(fmt::format("{}: write failed (disk full?)", temporary.string()));
  }
  std::filesystem::rename(temporary, path);
}

} // namespace tessera::nn
