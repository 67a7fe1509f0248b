// SPDX-License-Identifier: Apache-2.0
#pragma once
// A table that grows during a run (diagnostics per step, trajectory or epoch), written by
// rank 0 one flushed row at a time, so a crash loses at most the row being written.
//
// A checkpoint records how long the table was (bytes and a checksum of them). A restart in
// the same directory cuts the table back to that length before it appends, so a run that was
// killed and restarted leaves the same table as one that never stopped (no duplicated rows).
// A restart in a directory without the table starts a new one there (with a warning); a
// table that does not begin with the recorded bytes (edited, or another run's) is refused.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tessera/core/comm.hpp"
#include "tessera/core/simulation.hpp"

namespace tessera {

class TableFile {
public:
  TableFile(const Comm& comm, std::filesystem::path path, TableStyle style);
  ~TableFile();
  TableFile(const TableFile&) = delete;
  TableFile& operator=(const TableFile&) = delete;

  // Collective. A fresh run: an empty table (an older one is replaced).
  void start();
  // Collective. A restart: the table cut back to `bytes` whose checksum is `sum` (see above).
  void resume(std::int64_t bytes, std::uint64_t sum);

  // Rank 0 writes; the header comes with the first row. A failed write is kept (error()) for
  // the run loop to end every rank with, rather than thrown on rank 0 alone.
  void append(const DiagnosticsRow& row);
  const std::string& error() const { return error_; }

  // Where the table stands, the same on every rank (collective: rank 0's figures).
  std::int64_t bytes() const;
  std::uint64_t checksum() const;
  const std::filesystem::path& path() const { return path_; }

private:
  void write(const std::string& text);
  std::string format(const DiagnosticsRow& row, bool header) const;

  const Comm* comm_;
  std::filesystem::path path_;
  TableStyle style_;
  std::FILE* file_ = nullptr; // rank 0
  std::int64_t bytes_ = 0;    // rank 0
  std::uint64_t sum_ = 0;     // rank 0: checksum of the bytes written so far
  std::string error_;         // rank 0: the first failed write
};

} // namespace tessera
