// SPDX-License-Identifier: Apache-2.0
#pragma once
// Progress of a long loop on the terminal: "  stepping  42% 420/1000  35.1 steps/s  ETA 17 s".
// Printed on rank 0 only, only when stderr is a terminal, at most five times a second. In
// batch logs (stderr not a terminal) the run loop prints instead a plain line at most once per
// output.progress_seconds (batch_progress_line below): no carriage returns in a log file.

#include <chrono>
#include <cstdint>
#include <string>

namespace tessera {

// "ETA 17 s", "ETA 5 min", "ETA 3.2 h" for `remaining` units at `rate` units per second;
// "ETA unknown" when the rate is zero, negative or not finite, or the time left exceeds 1e6
// hours (a run that has blown up, whose rate says nothing about its end).
std::string eta_text(double remaining, double rate);

// One progress line of a run in a batch log, e.g.
//   "progress: nbody 42% time 4.2/10 (1.3 time units/min) ETA 5 min"
//   "progress: lqcd 40% trajectory 40/100 (2.5 trajectories/s) ETA 24 s"
// The rate is per second from 1 a second up, else per minute; no ETA once at the end.
struct BatchProgress {
  std::string name;   // the simulation ("nbody")
  std::string unit;   // its progress unit ("time", "trajectory")
  std::string plural; // for rates ("time", "trajectories")
  bool continuous = false;
  double position = 0, end = 0;
  double done = 0;    // progress made in this run (a restarted run: since its restart)
  double seconds = 0; // the wall-clock time it took
};
std::string batch_progress_line(const BatchProgress& progress);

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
