// SPDX-License-Identifier: Apache-2.0
#pragma once
// HDF5 files of Views and attributes.
//
// Distributed datasets are split along their first dimension: each rank passes its own rows
// and the file holds the global array in rank order. How that happens depends on the HDF5
// library (Hdf5Layout::automatic):
//   parallel HDF5: every rank writes its slab of one file, collectively (MPI-IO);
//   serial HDF5, several ranks: each rank writes its own file <stem>.r<rank>.h5 and rank 0
//     writes <path>, whose datasets are virtual datasets joining the rank files, so readers
//     see one file either way.
// All ranks must call every method with the same names, in the same order (collective).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <hdf5.h>

#include "tessera/core/comm.hpp"
#include "tessera/core/spaces.hpp"

namespace tessera {

enum class Hdf5Layout { automatic, single_file, per_rank };

// The HDF5 library's lifetime, tied to Runtime's: started without HDF5's own atexit handler
// and closed when the Runtime ends, unless a file could not be closed (a full disk). HDF5
// 1.10 then keeps the half-closed file and crashes closing it again at exit (seen on the GPU
// host's Ubuntu 1.10.10), which would turn a clean one-line I/O error into a segfault.
void hdf5_library_start();
void hdf5_library_end();

template <class T>
hid_t h5_type()
{
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, double>)
    return H5T_NATIVE_DOUBLE;
  else if constexpr (std::is_same_v<U, float>)
    return H5T_NATIVE_FLOAT;
  else if constexpr (std::is_same_v<U, std::int32_t>)
    return H5T_NATIVE_INT32;
  else if constexpr (std::is_same_v<U, std::int64_t>)
    return H5T_NATIVE_INT64;
  else if constexpr (std::is_same_v<U, std::uint32_t>)
    return H5T_NATIVE_UINT32;
  else if constexpr (std::is_same_v<U, std::uint64_t>)
    return H5T_NATIVE_UINT64;
  else if constexpr (std::is_same_v<U, std::uint8_t>)
    return H5T_NATIVE_UINT8;
  else
    static_assert(sizeof(U) == 0, "h5_type: no HDF5 type for this type");
}

bool hdf5_is_parallel();

// A row-major host copy of any View (the layout of files and checksums), whatever its
// layout and memory space.
template <class V>
auto host_row_major(const V& view)
{
  using Data = typename V::non_const_data_type;
  Kokkos::View<Data, Kokkos::LayoutRight, HostSpace> host("tessera::hdf5::host", layout_right_of(view));
  if constexpr (std::is_same_v<typename V::array_layout, Kokkos::LayoutRight>) {
    Kokkos::deep_copy(host, view);
  } else {
    // Layout change: copy to a LayoutRight View in the View's own space first (deep_copy
    // cannot change both layout and space).
    Kokkos::View<Data, Kokkos::LayoutRight, typename V::memory_space> right("tessera::hdf5::right",
                                                                            layout_right_of(view));
    Kokkos::deep_copy(right, view);
    Kokkos::deep_copy(host, right);
  }
  return host;
}

// A raw block of host data to write: pointer, element type, local shape (row-major).
struct Hdf5Block {
  const void* data;
  hid_t type;
  std::size_t element_size;
  std::vector<std::uint64_t> shape;
};

class Hdf5Writer {
public:
  Hdf5Writer(const Comm& comm, const std::filesystem::path& path, Hdf5Layout layout = Hdf5Layout::automatic);
  ~Hdf5Writer();
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  // Rows of a global array: this rank's part of a View split along its first dimension.
  template <class V>
  void write_distributed(const std::string& name, const V& view)
  {
    auto host = host_row_major(view);
    write_block(name, block_of(host), true);
  }
  // Data that is the same on every rank: written once.
  template <class V>
  void write_shared(const std::string& name, const V& view)
  {
    auto host = host_row_major(view);
    write_block(name, block_of(host), false);
  }

  void write_block(const std::string& name, const Hdf5Block& block, bool distributed);

  // Attributes of the file's root ("") or of a dataset/group already written.
  void attribute(const std::string& object, const std::string& name, double value);
  void attribute(const std::string& object, const std::string& name, std::int64_t value);
  void attribute(const std::string& object, const std::string& name, const std::string& value);

  // Flushes and closes; for per-rank files, rank 0 writes the joining file here. Called by
  // the destructor if not called before (errors are then only logged).
  void close();

  Hdf5Layout layout() const { return layout_; }
  const std::filesystem::path& path() const { return path_; }
  // Name of rank r's file in the per-rank layout; `tag` makes names unique per write.
  static std::filesystem::path rank_file(const std::filesystem::path& path, int rank, const std::string& tag = "");
  void set_rank_file_tag(const std::string& tag) { rank_file_tag_ = tag; }

private:
  template <class H>
  static Hdf5Block block_of(const H& host)
  {
    using T = typename H::value_type;
    std::vector<std::uint64_t> shape;
    for (unsigned r = 0; r < H::rank(); ++r)
      shape.push_back(host.extent(r));
    return {host.data(), h5_type<T>(), sizeof(T), shape};
  }

  struct VirtualDataset {
    std::string name;
    hid_t type;
    std::vector<std::uint64_t> row_shape; // shape without the first dimension
    std::vector<std::uint64_t> rows;      // rows per rank
  };
  void write_joining_file();
  hid_t open_object(const std::string& object) const;

  const Comm* comm_;
  std::filesystem::path path_;
  Hdf5Layout layout_;
  hid_t file_ = -1;
  bool closed_ = false;
  int exceptions_at_start_ = 0; // std::uncaught_exceptions() when constructed
  std::string rank_file_tag_;
  std::vector<VirtualDataset> virtual_datasets_;
  struct PendingAttribute {
    std::string object, name;
    enum class Kind { real, integer, text } kind;
    double real;
    std::int64_t integer;
    std::string text;
  };
  std::vector<PendingAttribute> root_attributes_;         // per-rank layout: rank 0 puts them in the joining file
  std::vector<std::pair<std::string, Hdf5Block>> shared_; // per-rank layout: copied into the joining file
  std::vector<std::vector<unsigned char>> shared_storage_;
};

// Reads any file Hdf5Writer wrote (virtual datasets are followed, relative to the file).
class Hdf5Reader {
public:
  explicit Hdf5Reader(const std::filesystem::path& path);
  ~Hdf5Reader();
  Hdf5Reader(const Hdf5Reader&) = delete;
  Hdf5Reader& operator=(const Hdf5Reader&) = delete;

  bool has(const std::string& name) const;
  std::vector<std::uint64_t> shape(const std::string& name) const;
  // Reads rows [first, first + count) of a dataset (count = -1: to the end) into `out`,
  // converting to T. The shape of what was read is returned through `shape_out`.
  template <class T>
  std::vector<T> read_rows(const std::string& name, std::uint64_t first, std::int64_t count,
                           std::vector<std::uint64_t>* shape_out = nullptr) const
  {
    std::vector<std::uint64_t> shape;
    const auto n = selection(name, first, count, shape);
    std::vector<T> out(n);
    read_selection(name, first, shape, h5_type<T>(), out.data());
    if (shape_out) *shape_out = shape;
    return out;
  }
  template <class T>
  std::vector<T> read_all(const std::string& name, std::vector<std::uint64_t>* shape_out = nullptr) const
  {
    return read_rows<T>(name, 0, -1, shape_out);
  }

  bool has_attribute(const std::string& object, const std::string& name) const;
  double attribute_real(const std::string& object, const std::string& name) const;
  std::int64_t attribute_int(const std::string& object, const std::string& name) const;
  std::string attribute_string(const std::string& object, const std::string& name) const;
  // The number of attributes `object` ("" : the root group) carries.
  std::size_t attribute_count(const std::string& object) const;
  const std::filesystem::path& path() const { return path_; }

private:
  std::size_t selection(const std::string& name, std::uint64_t first, std::int64_t count,
                        std::vector<std::uint64_t>& shape) const;
  void read_selection(const std::string& name, std::uint64_t first, const std::vector<std::uint64_t>& shape, hid_t type,
                      void* out) const;
  hid_t open_dataset(const std::string& name) const;
  // Bytes on disk that can hold the dataset's data: the file's size, or for a virtual dataset
  // the sizes of the files it joins.
  std::uint64_t stored_bytes(const std::string& name) const;
  hid_t open_object(const std::string& object) const;

  std::filesystem::path path_;
  hid_t file_ = -1;
};

// Reads this rank's rows of a distributed dataset into a View of the same shape (the View's
// first extent is the number of rows, its offset the sum of the lower ranks' rows).
template <class V>
void read_distributed(const Comm& comm, const Hdf5Reader& reader, const std::string& name, const V& view);

} // namespace tessera

#include "tessera/core/detail/hdf5_impl.hpp"
