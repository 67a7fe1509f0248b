// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/hdf5.hpp"

#include <atomic>
#include <cstring>
#include <exception>
#include <numeric>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"

namespace tessera {

namespace {

// Owns one HDF5 identifier.
class Handle {
public:
  using Closer = herr_t (*)(hid_t);
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~Handle()
  {
    if (id_ >= 0) closer_(id_);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle& operator=(Handle&&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

private:
  hid_t id_;
  Closer closer_;
};

// Set when H5Fclose failed: the library is then left open at exit (hdf5_library_end).
std::atomic<bool> file_abandoned{false};

// HDF5 prints its error stack by default; Tessera reports errors itself, in one line.
void silence_hdf5()
{
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

void check(herr_t status, const std::filesystem::path& path, const std::string& what)
{
  if (status < 0) throw IoError(fmt::format("{}: {} failed", path.string(), what));
}

std::vector<hsize_t> to_hsize(const std::vector<std::uint64_t>& v)
{
  return {v.begin(), v.end()};
}

Handle link_create_plist()
{
  Handle plist(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(plist.get(), 1);
  return plist;
}

void write_attribute(hid_t object, const std::string& name, hid_t type, const void* value,
                     const std::filesystem::path& path)
{
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) throw IoError(fmt::format("{}: cannot create attribute '{}'", path.string(), name));
  check(H5Awrite(attr.get(), type, value), path, fmt::format("writing attribute '{}'", name));
}

void write_string_attribute(hid_t object, const std::string& name, const std::string& value,
                            const std::filesystem::path& path)
{
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), std::max<std::size_t>(1, value.size()));
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  write_attribute(object, name, type.get(), value.c_str(), path);
}

void ensure_writable_directory(const std::filesystem::path& path)
{
  const auto dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw IoError(fmt::format("{}: directory '{}' does not exist", path.string(), dir.string()));
  }
}

// The source file names of a virtual dataset's mappings, as stored (relative to the joining
// file; "." for the joining file itself), from its creation property list.
std::vector<std::string> virtual_sources(hid_t dcpl)
{
  size_t n = 0;
  H5Pget_virtual_count(dcpl, &n);
  std::vector<std::string> sources;
  for (size_t i = 0; i < n; ++i) {
    const auto length = H5Pget_virtual_filename(dcpl, i, nullptr, 0);
    std::string source(static_cast<std::size_t>(std::max<ssize_t>(length, 0)), '\0');
    H5Pget_virtual_filename(dcpl, i, source.data(), source.size() + 1);
    sources.push_back(std::move(source));
  }
  return sources;
}

} // namespace

bool hdf5_is_parallel()
{
#ifdef H5_HAVE_PARALLEL
  return true;
#else
  return false;
#endif
}

std::filesystem::path Hdf5Writer::rank_file(const std::filesystem::path& path, int rank, const std::string& tag)
{
  auto stem = path.filename().replace_extension("").string();
  if (!tag.empty()) stem += "." + tag;
  return path.parent_path() / fmt::format("{}.r{:05d}.h5", stem, rank);
}

Hdf5Writer::Hdf5Writer(const Comm& comm, const std::filesystem::path& path, Hdf5Layout layout)
    : comm_(&comm), path_(path), layout_(layout), exceptions_at_start_(std::uncaught_exceptions())
{
  silence_hdf5();
  if (layout_ == Hdf5Layout::automatic) {
    layout_ = (comm.size() == 1 || hdf5_is_parallel()) ? Hdf5Layout::single_file : Hdf5Layout::per_rank;
  }
  if (layout_ == Hdf5Layout::single_file && comm.size() > 1 && !hdf5_is_parallel()) {
    throw Error(ExitCode::failure, "Hdf5Writer: one file from several ranks needs parallel HDF5");
  }
  ensure_writable_directory(path_);
  if (layout_ == Hdf5Layout::single_file) {
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
#ifdef H5_HAVE_PARALLEL
    if (comm.size() > 1) H5Pset_fapl_mpio(fapl.get(), comm.native(), MPI_INFO_NULL);
#endif
    file_ = H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  }
  const bool ok = comm.min(layout_ == Hdf5Layout::single_file ? (file_ >= 0 ? 1 : 0) : 1) == 1;
  if (!ok) throw IoError(fmt::format("{}: cannot create the file (permissions? disk full?)", path_.string()));
}

Hdf5Writer::~Hdf5Writer()
{
  if (!closed_) {
    try {
      close();
    } catch (const std::exception& e) {
      // Destroyed by an error on its way out (a failed write): that error is the one line
      // the user sees; a failed close of the same file would only repeat it.
      if (std::uncaught_exceptions() == exceptions_at_start_) log::error("{}", e.what());
    }
  }
}

void Hdf5Writer::write_block(const std::string& name, const Hdf5Block& block, bool distributed)
{
  if (block.shape.empty()) throw Error(ExitCode::failure, "Hdf5Writer: scalars are attributes, not datasets");
  if (layout_ == Hdf5Layout::per_rank && file_ < 0) {
    // The rank files are created on first use, so that a writer with a tag set after
    // construction (checkpoints) names them right.
    file_ = H5Fcreate(rank_file(path_, comm_->rank(), rank_file_tag_).c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (comm_->min(file_ >= 0 ? 1 : 0) == 0) {
      throw IoError(fmt::format("{}: cannot create the per-rank files", path_.string()));
    }
  }
  const auto local_rows = static_cast<std::int64_t>(block.shape[0]);
  if (layout_ == Hdf5Layout::per_rank) {
    if (distributed) {
      const auto rows = comm_->all_gather(local_rows);
      VirtualDataset vds{name, block.type, {block.shape.begin() + 1, block.shape.end()}, {}};
      for (auto r : rows)
        vds.rows.push_back(static_cast<std::uint64_t>(r));
      virtual_datasets_.push_back(vds);
    } else if (comm_->is_root()) {
      const std::size_t bytes =
          std::accumulate(block.shape.begin(), block.shape.end(), block.element_size, std::multiplies<>());
      shared_storage_.emplace_back(static_cast<const unsigned char*>(block.data),
                                   static_cast<const unsigned char*>(block.data) + bytes);
      Hdf5Block copy = block;
      copy.data = shared_storage_.back().data();
      shared_.emplace_back(name, copy);
      return;
    } else {
      return;
    }
  }

  auto global = to_hsize(block.shape);
  hsize_t offset = 0;
  if (distributed && layout_ == Hdf5Layout::single_file) {
    global[0] = static_cast<hsize_t>(comm_->sum(local_rows));
    offset = static_cast<hsize_t>(comm_->exclusive_sum(local_rows));
  }
  const bool write_here = distributed || comm_->is_root() || layout_ == Hdf5Layout::per_rank;
  Handle file_space(H5Screate_simple(static_cast<int>(global.size()), global.data(), nullptr), H5Sclose);
  auto lcpl = link_create_plist();
  Handle dset(H5Dcreate2(file_, name.c_str(), block.type, file_space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose);
  if (!dset.valid()) throw IoError(fmt::format("{}: cannot create dataset '{}'", path_.string(), name));

  auto count = to_hsize(block.shape);
  std::vector<hsize_t> start(global.size(), 0);
  start[0] = offset;
  Handle mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
  if (write_here && count[0] > 0) {
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  } else {
    H5Sselect_none(file_space.get());
    H5Sselect_none(mem_space.get());
  }
  Handle dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
#ifdef H5_HAVE_PARALLEL
  if (layout_ == Hdf5Layout::single_file && comm_->size() > 1) H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
#endif
  const herr_t status = H5Dwrite(dset.get(), block.type, mem_space.get(), file_space.get(), dxpl.get(), block.data);
  if (comm_->min(status >= 0 ? 1 : 0) == 0) {
    throw IoError(fmt::format("{}: writing dataset '{}' failed (disk full?)", path_.string(), name));
  }
}

hid_t Hdf5Writer::open_object(const std::string& object) const
{
  const hid_t id = H5Oopen(file_, object.empty() ? "/" : object.c_str(), H5P_DEFAULT);
  if (id < 0) throw IoError(fmt::format("{}: no object '{}' for an attribute", path_.string(), object));
  return id;
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, double value)
{
  if (layout_ == Hdf5Layout::per_rank) {
    root_attributes_.push_back({object, name, PendingAttribute::Kind::real, value, 0, {}});
    return;
  }
  Handle obj(open_object(object), H5Oclose);
  write_attribute(obj.get(), name, H5T_NATIVE_DOUBLE, &value, path_);
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, std::int64_t value)
{
  if (layout_ == Hdf5Layout::per_rank) {
    root_attributes_.push_back({object, name, PendingAttribute::Kind::integer, 0.0, value, {}});
    return;
  }
  Handle obj(open_object(object), H5Oclose);
  write_attribute(obj.get(), name, H5T_NATIVE_INT64, &value, path_);
}

void Hdf5Writer::attribute(const std::string& object, const std::string& name, const std::string& value)
{
  if (layout_ == Hdf5Layout::per_rank) {
    root_attributes_.push_back({object, name, PendingAttribute::Kind::text, 0.0, 0, value});
    return;
  }
  Handle obj(open_object(object), H5Oclose);
  write_string_attribute(obj.get(), name, value, path_);
}

void Hdf5Writer::write_joining_file()
{
  Handle main(H5Fcreate(path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!main.valid()) throw IoError(fmt::format("{}: cannot create the file", path_.string()));
  auto lcpl = link_create_plist();
  for (const auto& vds : virtual_datasets_) {
    std::vector<hsize_t> global{std::accumulate(vds.rows.begin(), vds.rows.end(), hsize_t{0})};
    global.insert(global.end(), vds.row_shape.begin(), vds.row_shape.end());
    Handle vspace(H5Screate_simple(static_cast<int>(global.size()), global.data(), nullptr), H5Sclose);
    Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    hsize_t offset = 0;
    for (int r = 0; r < static_cast<int>(vds.rows.size()); ++r) {
      if (vds.rows[r] == 0) continue;
      std::vector<hsize_t> count = global, start(global.size(), 0);
      count[0] = vds.rows[r];
      start[0] = offset;
      Handle source_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
      H5Sselect_hyperslab(vspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
      // Relative to the joining file's own folder (readers set the virtual prefix ${ORIGIN}).
      const auto source = rank_file(path_, r, rank_file_tag_).filename().string();
      check(H5Pset_virtual(dcpl.get(), vspace.get(), source.c_str(), vds.name.c_str(), source_space.get()), path_,
            "H5Pset_virtual");
      offset += vds.rows[r];
    }
    H5Sselect_all(vspace.get());
    Handle dset(H5Dcreate2(main.get(), vds.name.c_str(), vds.type, vspace.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
                H5Dclose);
    if (!dset.valid()) throw IoError(fmt::format("{}: cannot create virtual dataset '{}'", path_.string(), vds.name));
  }
  for (const auto& [name, block] : shared_) {
    auto dims = to_hsize(block.shape);
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
    Handle dset(H5Dcreate2(main.get(), name.c_str(), block.type, space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                H5Dclose);
    if (!dset.valid()) throw IoError(fmt::format("{}: cannot create dataset '{}'", path_.string(), name));
    check(H5Dwrite(dset.get(), block.type, H5S_ALL, H5S_ALL, H5P_DEFAULT, block.data), path_,
          fmt::format("writing dataset '{}'", name));
  }
  for (const auto& a : root_attributes_) {
    Handle obj(H5Oopen(main.get(), a.object.empty() ? "/" : a.object.c_str(), H5P_DEFAULT), H5Oclose);
    if (!obj.valid()) throw IoError(fmt::format("{}: no object '{}' for an attribute", path_.string(), a.object));
    switch (a.kind) {
    case PendingAttribute::Kind::real: write_attribute(obj.get(), a.name, H5T_NATIVE_DOUBLE, &a.real, path_); break;
    case PendingAttribute::Kind::integer:
      write_attribute(obj.get(), a.name, H5T_NATIVE_INT64, &a.integer, path_);
      break;
    case PendingAttribute::Kind::text: write_string_attribute(obj.get(), a.name, a.text, path_); break;
    }
  }
  check(H5Fflush(main.get(), H5F_SCOPE_GLOBAL), path_, "flush");
}

void Hdf5Writer::close()
{
  if (closed_) return;
  closed_ = true;
  const herr_t status = file_ >= 0 ? H5Fclose(file_) : 0;
  if (status < 0) file_abandoned = true;
  file_ = -1;
  if (comm_->min(status >= 0 ? 1 : 0) == 0) {
    throw IoError(fmt::format("{}: closing the file failed (disk full?)", path_.string()));
  }
  if (layout_ == Hdf5Layout::per_rank) {
    int ok = 1;
    std::string message;
    if (comm_->is_root()) {
      try {
        write_joining_file();
      } catch (const IoError& e) {
        ok = 0;
        message = e.what();
      }
    }
    comm_->broadcast(&ok, 1);
    if (!ok) throw IoError(comm_->broadcast(message));
  }
}

// ---------------------------------------------------------------------------------------

Hdf5Reader::Hdf5Reader(const std::filesystem::path& path) : path_(path)
{
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(fmt::format("{}: file not found", path.string()));
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) {
    throw IoError(fmt::format("{}: not a readable HDF5 file (truncated or damaged?)", path.string()));
  }
}

Hdf5Reader::~Hdf5Reader()
{
  if (file_ >= 0) H5Fclose(file_);
}

bool Hdf5Reader::has(const std::string& name) const
{
  return H5Lexists(file_, name.c_str(), H5P_DEFAULT) > 0;
}

hid_t Hdf5Reader::open_dataset(const std::string& name) const
{
  if (!has(name)) throw IoError(fmt::format("{}: no dataset '{}'", path_.string(), name));
  Handle dapl(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
  H5Pset_virtual_prefix(dapl.get(), "${ORIGIN}");
  const hid_t id = H5Dopen2(file_, name.c_str(), dapl.get());
  if (id < 0) throw IoError(fmt::format("{}: cannot open dataset '{}'", path_.string(), name));
  // A virtual dataset whose source file is missing reads as fill values without an error:
  // refuse it instead.
  Handle dcpl(H5Dget_create_plist(id), H5Pclose);
  if (H5Pget_layout(dcpl.get()) == H5D_VIRTUAL) {
    for (const auto& source : virtual_sources(dcpl.get())) {
      const auto full = path_.parent_path() / source;
      std::error_code ec;
      if (!std::filesystem::exists(full, ec)) {
        H5Dclose(id);
        throw IoError(fmt::format("{}: dataset '{}' needs the missing file '{}'", path_.string(), name, full.string()));
      }
    }
  }
  return id;
}

hid_t Hdf5Reader::open_object(const std::string& object) const
{
  const hid_t id = H5Oopen(file_, object.empty() ? "/" : object.c_str(), H5P_DEFAULT);
  if (id < 0) throw IoError(fmt::format("{}: no object '{}'", path_.string(), object));
  return id;
}

std::vector<std::uint64_t> Hdf5Reader::shape(const std::string& name) const
{
  Handle dset(open_dataset(name), H5Dclose);
  Handle space(H5Dget_space(dset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

std::size_t Hdf5Reader::selection(const std::string& name, std::uint64_t first, std::int64_t count,
                                  std::vector<std::uint64_t>& shape_out) const
{
  shape_out = shape(name);
  if (shape_out.empty()) throw IoError(fmt::format("{}: dataset '{}' is a scalar", path_.string(), name));
  const std::uint64_t rows = shape_out[0];
  const std::uint64_t n = count < 0 ? (first <= rows ? rows - first : 0) : static_cast<std::uint64_t>(count);
  if (first + n > rows) {
    throw IoError(fmt::format("{}: dataset '{}' has {} rows, cannot read rows {} to {}", path_.string(), name, rows,
                              first, first + n));
  }
  shape_out[0] = n;
  const auto elements = std::accumulate(shape_out.begin(), shape_out.end(), std::size_t{1}, std::multiplies<>());
  // A damaged file may claim any extent: refuse a selection larger than the bytes the file
  // (or, for a virtual dataset, the files it joins) holds, before allocating for it. Datasets
  // are written uncompressed, so their data cannot take fewer bytes than that (at least one
  // byte per element, whatever the type).
  if (elements > stored_bytes(name)) {
    throw IoError(fmt::format("{}: dataset '{}' claims {} elements, more than the file holds (file damaged?)",
                              path_.string(), name, elements));
  }
  return elements;
}

std::uint64_t Hdf5Reader::stored_bytes(const std::string& name) const
{
  Handle dset(open_dataset(name), H5Dclose);
  Handle dcpl(H5Dget_create_plist(dset.get()), H5Pclose);
  std::error_code ec;
  if (H5Pget_layout(dcpl.get()) != H5D_VIRTUAL) {
    const auto file_bytes = std::filesystem::file_size(path_, ec);
    return ec ? 0 : static_cast<std::uint64_t>(file_bytes);
  }
  std::uint64_t total = 0;
  for (const auto& source : virtual_sources(dcpl.get())) {
    const auto bytes = std::filesystem::file_size(source == "." ? path_ : path_.parent_path() / source, ec);
    total += ec ? 0 : static_cast<std::uint64_t>(bytes);
  }
  return total;
}

void Hdf5Reader::read_selection(const std::string& name, std::uint64_t first, const std::vector<std::uint64_t>& shape,
                                hid_t type, void* out) const
{
  Handle dset(open_dataset(name), H5Dclose);
  Handle file_space(H5Dget_space(dset.get()), H5Sclose);
  auto count = to_hsize(shape);
  std::vector<hsize_t> start(count.size(), 0);
  start[0] = first;
  Handle mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose);
  if (count[0] == 0) {
    H5Sselect_none(file_space.get());
    H5Sselect_none(mem_space.get());
  } else {
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
  }
  if (H5Dread(dset.get(), type, mem_space.get(), file_space.get(), H5P_DEFAULT, out) < 0) {
    throw IoError(fmt::format("{}: reading dataset '{}' failed (file damaged?)", path_.string(), name));
  }
}

bool Hdf5Reader::has_attribute(const std::string& object, const std::string& name) const
{
  if (!object.empty() && !has(object)) return false;
  Handle obj(open_object(object), H5Oclose);
  return H5Aexists(obj.get(), name.c_str()) > 0;
}

std::size_t Hdf5Reader::attribute_count(const std::string& object) const
{
  Handle obj(open_object(object), H5Oclose);
  std::size_t count = 0;
  // H5Aiterate2 rather than H5Oget_info: the same call in HDF5 1.10 and 1.14.
  const auto counter = [](hid_t, const char*, const H5A_info_t*, void* n) -> herr_t {
    ++*static_cast<std::size_t*>(n);
    return 0;
  };
  if (H5Aiterate2(obj.get(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, counter, &count) < 0)
    throw IoError(fmt::format("{}: cannot list the attributes of '{}' (file damaged?)", path_.string(), object));
  return count;
}

namespace {
template <class T>
T read_scalar_attribute(hid_t file, const std::string& object, const std::string& name, hid_t type,
                        const std::filesystem::path& path)
{
  Handle obj(H5Oopen(file, object.empty() ? "/" : object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!obj.valid()) throw IoError(fmt::format("{}: no object '{}'", path.string(), object));
  Handle attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) throw IoError(fmt::format("{}: no attribute '{}' on '{}'", path.string(), name, object));
  T value{};
  if (H5Aread(attr.get(), type, &value) < 0) {
    throw IoError(fmt::format("{}: attribute '{}' is not of the expected type", path.string(), name));
  }
  return value;
}
} // namespace

double Hdf5Reader::attribute_real(const std::string& object, const std::string& name) const
{
  return read_scalar_attribute<double>(file_, object, name, H5T_NATIVE_DOUBLE, path_);
}

std::int64_t Hdf5Reader::attribute_int(const std::string& object, const std::string& name) const
{
  return read_scalar_attribute<std::int64_t>(file_, object, name, H5T_NATIVE_INT64, path_);
}

std::string Hdf5Reader::attribute_string(const std::string& object, const std::string& name) const
{
  Handle obj(open_object(object), H5Oclose);
  Handle attr(H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  if (!attr.valid()) throw IoError(fmt::format("{}: no attribute '{}' on '{}'", path_.string(), name, object));
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0) {
    throw IoError(fmt::format("{}: attribute '{}' is not a fixed-length string", path_.string(), name));
  }
  std::string value(H5Tget_size(type.get()), '\0');
  if (H5Aread(attr.get(), type.get(), value.data()) < 0) {
    throw IoError(fmt::format("{}: cannot read attribute '{}'", path_.string(), name));
  }
  value.resize(std::strlen(value.c_str()));
  return value;
}

void hdf5_library_start()
{
  H5dont_atexit(); // refused (harmlessly) if the library is already in use
}

void hdf5_library_end()
{
  if (!file_abandoned) H5close();
}

} // namespace tessera
