// SPDX-License-Identifier: Apache-2.0
#pragma once
// A fresh scratch folder shared by all ranks of a test, removed at the end.
#include <filesystem>
#include <string>

#include <unistd.h>

#include "tessera/core/comm.hpp"

namespace tessera::test {

class ScratchDir {
public:
  explicit ScratchDir(const Comm& comm, const std::string& name) : comm_(comm)
  {
    const std::string path = comm.broadcast(
        (std::filesystem::temp_directory_path() / ("tessera-" + name + "-" + std::to_string(::getpid()))).string());
    path_ = path;
    if (comm.is_root()) {
      std::filesystem::remove_all(path_);
      std::filesystem::create_directories(path_);
    }
    comm.barrier();
  }
  ~ScratchDir()
  {
    comm_.barrier();
    if (comm_.is_root()) std::filesystem::remove_all(path_);
  }
  std::filesystem::path operator/(const std::string& file) const { return path_ / file; }
  const std::filesystem::path& path() const { return path_; }

private:
  const Comm& comm_;
  std::filesystem::path path_;
};

} // namespace tessera::test
