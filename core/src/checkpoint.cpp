// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/checkpoint.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera {

namespace {

// splitmix64's finaliser: a strong 64-bit mix.
std::uint64_t mix(std::uint64_t x)
{
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

void sync_path(const std::filesystem::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::filesystem::path temporary_path(const std::filesystem::path& path)
{
  return std::filesystem::path(path.string() + ".tmp");
}

// One attribute's share of the attributes' checksum: its kind, name and value bytes.
std::uint64_t attribute_hash(char kind, const std::string& name, const void* value, std::size_t bytes)
{
  std::string key(1, kind);
  key += ':' + name + '=';
  key.append(static_cast<const char*>(value), bytes);
  return mix(checksum(key.data(), key.size(), 1, 0) ^ 0x9e3779b97f4a7c15ULL);
}

} // namespace

std::uint64_t checksum(const void* data, std::size_t count, std::size_t element_size, std::uint64_t first_index)
{
  const auto* bytes = static_cast<const unsigned char*>(data);
  std::uint64_t sum = 0;
  for (std::size_t e = 0; e < count; ++e) {
    std::uint64_t h = 0xcbf29ce484222325ULL; // FNV-1a over the element's bytes
    for (std::size_t b = 0; b < element_size; ++b) {
      h = (h ^ bytes[e * element_size + b]) * 0x100000001b3ULL;
    }
    sum += mix(h ^ mix(first_index + e + 1));
  }
  return sum;
}

CheckpointWriter::CheckpointWriter(const Comm& comm, const std::filesystem::path& path, Hdf5Layout layout)
    : comm_(&comm), path_(path),
      tag_(comm.broadcast(fmt::format("c{:x}", std::chrono::steady_clock::now().time_since_epoch().count()))),
      writer_(comm, temporary_path(path), layout)
{
  writer_.set_rank_file_tag(tag_);
}

void CheckpointWriter::attribute(const std::string& name, double value)
{
  writer_.attribute("", name, value);
  attribute_list_ += "r:" + name + "\n";
  attribute_sum_ += attribute_hash('r', name, &value, sizeof value);
}

void CheckpointWriter::attribute(const std::string& name, std::int64_t value)
{
  writer_.attribute("", name, value);
  attribute_list_ += "i:" + name + "\n";
  attribute_sum_ += attribute_hash('i', name, &value, sizeof value);
}

void CheckpointWriter::attribute(const std::string& name, const std::string& value)
{
  writer_.attribute("", name, value);
  attribute_list_ += "s:" + name + "\n";
  attribute_sum_ += attribute_hash('s', name, value.data(), value.size());
}

void CheckpointWriter::fault_point()
{
  // Test hook (tests/core/checkpoint_crash.sh): die in the middle of a checkpoint, as a node
  // failure or the scheduler's SIGKILL would.
  ++datasets_written_;
  if (const char* fault = std::getenv("TESSERA_FAULT")) {
    if (std::strcmp(fault, "kill-in-checkpoint") == 0 && datasets_written_ == 1) std::raise(SIGKILL);
  }
}

void CheckpointWriter::commit()
{
  writer_.attribute("", "tessera_attributes", attribute_list_);
  writer_.attribute("", "tessera_attributes_checksum",
                    static_cast<std::int64_t>(attribute_sum_ +
                                              attribute_hash('l', "", attribute_list_.data(), attribute_list_.size())));
  writer_.attribute("", "tessera_complete", std::int64_t{1});
  writer_.attribute("", "tessera_rank_file_tag", tag_);
  writer_.close();
  const auto tmp = temporary_path(path_);
  // Every byte on disk before the rename makes it visible.
  if (writer_.layout() == Hdf5Layout::per_rank) sync_path(Hdf5Writer::rank_file(tmp, comm_->rank(), tag_));
  comm_->barrier();
  int ok = 1;
  std::string message;
  if (comm_->is_root()) {
    sync_path(tmp);
    std::error_code ec;
    std::filesystem::rename(tmp, path_, ec);
    if (ec) {
      ok = 0;
      message = fmt::format("{}: cannot rename the new checkpoint into place: {}", path_.string(), ec.message());
    } else {
      sync_path(path_.has_parent_path() ? path_.parent_path() : ".");
      // Rank files of earlier checkpoints of this path are no longer referenced.
      const auto dir = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
      // Rank files are named <path>.<tag>.r<rank>.h5 (Hdf5Writer::rank_file of <path>.tmp).
      const auto prefix = path_.filename().string() + ".c";
      for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const auto name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && name.find("." + tag_ + ".") == std::string::npos) {
          std::filesystem::remove(entry.path(), ec);
        }
      }
    }
  }
  comm_->broadcast(&ok, 1);
  if (!ok) throw IoError(comm_->broadcast(message));
}

CheckpointReader::CheckpointReader(const Comm& comm, const std::filesystem::path& path) : comm_(&comm), reader_(path)
{
  if (!reader_.has_attribute("", "tessera_complete") || reader_.attribute_int("", "tessera_complete") != 1) {
    throw IoError(fmt::format("{}: not a complete Tessera checkpoint", path.string()));
  }
  verify_attributes();
}

void CheckpointReader::verify_attributes()
{
  const auto damaged = [&](const std::string& what) {
    return IoError(fmt::format("{}: {} (the file was damaged or edited)", reader_.path().string(), what));
  };
  if (!reader_.has_attribute("", "tessera_attributes") || !reader_.has_attribute("", "tessera_attributes_checksum"))
    throw damaged("the attributes carry no checksum");
  const auto list = reader_.attribute_string("", "tessera_attributes");
  std::uint64_t sum = attribute_hash('l', "", list.data(), list.size());
  std::size_t begin = 0;
  while (begin < list.size()) {
    const auto end = list.find('\n', begin);
    if (end == std::string::npos || end < begin + 2 || list[begin + 1] != ':')
      throw damaged("the attribute list is malformed");
    const char kind = list[begin];
    const auto name = list.substr(begin + 2, end - begin - 2);
    begin = end + 1;
    if (!reader_.has_attribute("", name)) throw damaged(fmt::format("attribute '{}' is missing", name));
    covered_attributes_.insert(name);
    if (kind == 'r') {
      const double value = reader_.attribute_real("", name);
      sum += attribute_hash(kind, name, &value, sizeof value);
    } else if (kind == 'i') {
      const std::int64_t value = reader_.attribute_int("", name);
      sum += attribute_hash(kind, name, &value, sizeof value);
    } else if (kind == 's') {
      const auto value = reader_.attribute_string("", name);
      sum += attribute_hash(kind, name, value.data(), value.size());
    } else {
      throw damaged("the attribute list is malformed");
    }
  }
  if (static_cast<std::uint64_t>(reader_.attribute_int("", "tessera_attributes_checksum")) != sum)
    throw damaged("its attributes fail their checksum");
  // The listed ones and the four of commit(): one more is an edit.
  constexpr std::size_t bookkeeping = 4;
  if (reader_.attribute_count("") != covered_attributes_.size() + bookkeeping)
    throw damaged("it carries attributes its checksum does not cover");
}

const std::string& CheckpointReader::covered(const std::string& name) const
{
  if (!covered_attributes_.contains(name))
    throw IoError(fmt::format("{}: the checkpoint has no attribute '{}' (written by another program or an older "
                              "Tessera?)",
                              reader_.path().string(), name));
  return name;
}

void CheckpointReader::verify(const std::string& name, std::uint64_t sum) const
{
  if (!reader_.has_attribute(name, "tessera_checksum")) {
    throw IoError(fmt::format("{}: dataset '{}' has no checksum", reader_.path().string(), name));
  }
  const auto expected = static_cast<std::uint64_t>(reader_.attribute_int(name, "tessera_checksum"));
  if (expected != sum) {
    throw IoError(
        fmt::format("{}: dataset '{}' fails its checksum (the file is damaged)", reader_.path().string(), name));
  }
}

} // namespace tessera
