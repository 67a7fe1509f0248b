// SPDX-License-Identifier: Apache-2.0
#pragma once
// The output directory belongs to one run at a time. Rank 0 holds an exclusive flock(2) on
// <dir>/.tessera.lock for the run's lifetime; a second run started in the same directory is
// refused at once with a line naming the first (driver, process, host, start time). The
// kernel drops the lock when the process ends however it ends (SIGKILL included), so a
// killed run never leaves a stale lock behind; the file itself stays, harmlessly.

#include <filesystem>
#include <string>

#include "tessera/core/comm.hpp"

namespace tessera {

class OutputLock {
public:
  // Collective. Throws InputError (on every rank) when another run holds the directory.
  OutputLock(const Comm& comm, const std::filesystem::path& dir, const std::string& driver);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  static std::filesystem::path lock_file(const std::filesystem::path& dir) { return dir / ".tessera.lock"; }

private:
  int fd_ = -1; // rank 0 only
};

} // namespace tessera
