// SPDX-License-Identifier: Apache-2.0
#pragma once
// Progress of a long loop on the terminal: "  stepping  42% 420/1000  35.1 steps/s  ETA 17 s".
// Printed on rank 0 only, only when stderr is a terminal (batch logs stay clean), at most
// five times a second.

#include <chrono>
#include <cstdint>
#include <string>

namespace tessera {

class Progress {
public:
  Progress(std::string what, std::int64_t total, std::string unit = "steps");
  Progress(std::string what, std::int64_t total, std::string unit, bool enabled);
  ~Progress();

  void update(std::int64_t done);
  // Clears the line (before a log line is printed under it); the next update redraws it.
  void erase();
  void finish();
  bool enabled() const { return enabled_; }
  // The line update() would print (for tests and logs).
  std::string line(std::int64_t done, double elapsed_seconds) const;

private:
  using Clock = std::chrono::steady_clock;
  std::string what_, unit_;
  std::int64_t total_;
  bool enabled_;
  bool finished_ = false;
  Clock::time_point start_, last_print_;
};

} // namespace tessera
