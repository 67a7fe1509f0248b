// SPDX-License-Identifier: Apache-2.0
#pragma once
// Damage on purpose, for the tests that a checksum refuses an edited file (checkpoints, model
// files): one bit of one byte of a dataset's data flipped in place, where the dataset's bytes
// are (the file itself, or behind a virtual dataset the first rank's file).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <hdf5.h>

namespace tessera::test {

// The file that holds the bytes of `dataset`: `path` itself, or with per-rank files (serial
// HDF5, several ranks) the first rank's file behind the virtual dataset.
inline std::filesystem::path data_file(const std::filesystem::path& path, const std::string& dataset)
{
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dset = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(dset);
  std::filesystem::path out = path;
  if (H5Pget_layout(dcpl) == H5D_VIRTUAL) {
    char name[4096] = {};
    H5Pget_virtual_filename(dcpl, 0, name, sizeof(name));
    out = path.parent_path() / name;
  }
  H5Pclose(dcpl);
  H5Dclose(dset);
  H5Fclose(file);
  return out;
}

// Flips one bit of byte `byte` of `dataset`'s data (in data_file(path, dataset)); false if the
// data's offset is unknown (not contiguous) or the edit failed.
inline bool flip_a_bit(const std::filesystem::path& path, const std::string& dataset, std::uint64_t byte)
{
  const auto file_path = data_file(path, dataset);
  const hid_t file = H5Fopen(file_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dset = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  const auto offset = H5Dget_offset(dset);
  H5Dclose(dset);
  H5Fclose(file);
  if (offset == HADDR_UNDEF) return false;
  std::fstream f(file_path, std::ios::in | std::ios::out | std::ios::binary);
  const auto at = static_cast<std::streamoff>(offset + byte);
  char value = 0;
  f.seekg(at);
  f.read(&value, 1);
  value = static_cast<char>(value ^ 0x10);
  f.seekp(at);
  f.write(&value, 1);
  return f.good();
}

} // namespace tessera::test
