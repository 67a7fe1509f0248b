#pragma once
// The history file <output>/amr.hst: one row of conserved totals per n steps, written by
// rank 0 and flushed at once, so a crash loses no row. A restarted run appends to it after
// dropping the rows past the checkpoint's time, so the file reads as one run.

#include <cstdint>
#include <cstdio>
#include <filesystem>

#include "tessera/amr/hydro.hpp"
#include "tessera/core/comm.hpp"

namespace tessera::amr {

class History {
public:
  // A new file with its header, or (restart_time >= 0) the old one cut after restart_time.
  History(const Comm& comm, std::filesystem::path path, int scalars, double restart_time = -1);
  ~History();
  History(const History&) = delete;
  History& operator=(const History&) = delete;

  void row(double time, std::int64_t step, double dt, const Totals& totals, int blocks, std::int64_t floors);
  const std::filesystem::path& path() const { return path_; }

private:
  void check(bool ok) const;

  std::filesystem::path path_;
  int scalars_;
  std::FILE* file_ = nullptr; // rank 0 only
};

} // namespace tessera::amr
