// SPDX-License-Identifier: Apache-2.0
#pragma once
// Checkpoints that a crash cannot destroy and that are never loaded damaged.
//
// CheckpointWriter writes to "<path>.tmp" and, in commit(), marks the file complete, syncs
// it to disk and renames it over <path>: until that rename the previous checkpoint stays
// untouched. Every dataset carries a checksum (a position-weighted 64-bit hash of its
// elements, the same however the data is split over ranks), the root attributes together
// carry one more (an edited step counter or time is refused like edited data), and
// CheckpointReader refuses a file that is incomplete, truncated or whose data or attributes
// do not match their checksums.
//
// With per-rank files (serial HDF5, several ranks) the rank files get a fresh tag for every
// checkpoint, and older tags are removed only after the rename, so the previous joining file
// always finds its rank files.

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "tessera/core/hdf5.hpp"

namespace tessera {

// The checksum of `count` elements of `element_size` bytes whose first element has global
// index `first_index`. Sums of disjoint parts add up (mod 2^64) to the checksum of the whole.
std::uint64_t checksum(const void* data, std::size_t count, std::size_t element_size, std::uint64_t first_index);

class CheckpointWriter {
public:
  CheckpointWriter(const Comm& comm, const std::filesystem::path& path, Hdf5Layout layout = Hdf5Layout::automatic);

  template <class V>
  void write_distributed(const std::string& name, const V& view)
  {
    write(name, host_row_major(view), true);
  }
  template <class V>
  void write_shared(const std::string& name, const V& view)
  {
    write(name, host_row_major(view), false);
  }
  // A root attribute (double, int64 or string; other integers are stored as int64).
  void attribute(const std::string& name, double value);
  void attribute(const std::string& name, std::int64_t value);
  void attribute(const std::string& name, const std::string& value);
  void attribute(const std::string& name, const char* value) { attribute(name, std::string(value)); }
  template <class T>
    requires std::is_integral_v<T>
  void attribute(const std::string& name, T value)
  {
    attribute(name, static_cast<std::int64_t>(value));
  }

  const Comm& comm() const { return *comm_; }
  const std::filesystem::path& path() const { return path_; }

  // Completes the checkpoint: after this returns on every rank, <path> is the new one.
  void commit();

private:
  template <class H>
  void write(const std::string& name, const H& host, bool distributed)
  {
    using T = typename H::value_type;
    const std::size_t per_row = host.extent(0) > 0 ? host.span() / host.extent(0) : 0;
    const auto first_row = distributed ? comm_->exclusive_sum(static_cast<std::int64_t>(host.extent(0))) : 0;
    std::uint64_t sum = checksum(host.data(), host.span(), sizeof(T), static_cast<std::uint64_t>(first_row) * per_row);
    if (distributed) sum = comm_->sum(sum);
    std::vector<std::uint64_t> shape;
    for (unsigned r = 0; r < H::rank(); ++r)
      shape.push_back(host.extent(r));
    writer_.write_block(name, {host.data(), h5_type<T>(), sizeof(T), shape}, distributed);
    writer_.attribute(name, "tessera_checksum", static_cast<std::int64_t>(sum));
    fault_point();
  }
  void fault_point();

  const Comm* comm_;
  std::filesystem::path path_;
  std::string tag_;
  Hdf5Writer writer_;
  int datasets_written_ = 0;
  std::string attribute_list_; // "<kind>:<name>\n" per root attribute, in writing order
  std::uint64_t attribute_sum_ = 0;
};

class CheckpointReader {
public:
  // Throws IoError if the file is missing, not HDF5, or not a complete checkpoint.
  CheckpointReader(const Comm& comm, const std::filesystem::path& path);

  // This rank's rows (see read_distributed in hdf5.hpp), verified against the checksum.
  template <class V>
  void read_distributed(const std::string& name, const V& view)
  {
    tessera::read_distributed(*comm_, reader_, name, view);
    const auto right = host_row_major(view);
    const std::size_t per_row = right.extent(0) > 0 ? right.span() / right.extent(0) : 0;
    const auto first_row = comm_->exclusive_sum(static_cast<std::int64_t>(right.extent(0)));
    const auto sum = comm_->sum(checksum(right.data(), right.span(), sizeof(typename V::value_type),
                                         static_cast<std::uint64_t>(first_row) * per_row));
    verify(name, sum);
  }
  // A dataset every rank reads whole, verified.
  template <class T>
  std::vector<T> read_shared(const std::string& name, std::vector<std::uint64_t>* shape = nullptr)
  {
    auto data = reader_.read_all<T>(name, shape);
    verify(name, checksum(data.data(), data.size(), sizeof(T), 0));
    return data;
  }

  // Root attributes, verified (with all the others) when the file was opened. Only those the
  // checksum covers exist here: an attribute added to the file is refused when it is opened.
  bool has_attribute(const std::string& name) const { return covered_attributes_.contains(name); }
  double attribute_real(const std::string& name) const { return reader_.attribute_real("", covered(name)); }
  std::int64_t attribute_int(const std::string& name) const { return reader_.attribute_int("", covered(name)); }
  std::string attribute_string(const std::string& name) const { return reader_.attribute_string("", covered(name)); }

  const Hdf5Reader& file() const { return reader_; }
  const Comm& comm() const { return *comm_; }
  const std::filesystem::path& path() const { return reader_.path(); }

private:
  void verify_attributes();
  // `name` if the checksum covers it; IoError naming it otherwise.
  const std::string& covered(const std::string& name) const;

  void verify(const std::string& name, std::uint64_t sum) const;

  const Comm* comm_;
  Hdf5Reader reader_;
  std::set<std::string> covered_attributes_;
};

} // namespace tessera
