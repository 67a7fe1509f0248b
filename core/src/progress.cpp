// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/progress.hpp"
#include <cmath>

#include <cstdio>
#include <unistd.h>

#include <fmt/format.h>

#include "tessera/core/log.hpp"

namespace tessera {

namespace {
std::string format_duration(double seconds)
{
  if (seconds < 60) return fmt::format("{:.0f} s", seconds);
  if (seconds < 3600) return fmt::format("{:.0f} min {:02.0f} s", std::floor(seconds / 60), std::fmod(seconds, 60));
  return fmt::format("{:.0f} h {:02.0f} min", std::floor(seconds / 3600), std::fmod(seconds / 60, 60));
}
} // namespace

Progress::Progress(std::string what, std::int64_t total, std::string unit)
    : Progress(std::move(what), total, std::move(unit), log::context().rank == 0 && ::isatty(STDERR_FILENO) != 0)
{
}

Progress::Progress(std::string what, std::int64_t total, std::string unit, bool enabled)
    : what_(std::move(what)), unit_(std::move(unit)), total_(total), enabled_(enabled), start_(Clock::now()),
      last_print_(start_)
{
}

Progress::~Progress()
{
  finish();
}

std::string Progress::line(std::int64_t done, double elapsed) const
{
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double percent = total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0;
  std::string eta = "";
  if (rate > 0 && done < total_) eta = "  ETA " + format_duration(static_cast<double>(total_ - done) / rate);
  return fmt::format("  {} {:3.0f}% {}/{}  {:.3g} {}/s{}", what_, percent, done, total_, rate, unit_, eta);
}

void Progress::update(std::int64_t done)
{
  if (!enabled_ || finished_) return;
  const auto now = Clock::now();
  if (now - last_print_ < std::chrono::milliseconds(200) && done < total_) return;
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  fmt::print(stderr, "\r{}\033[K", line(done, elapsed));
  std::fflush(stderr);
}

void Progress::erase()
{
  if (!enabled_ || finished_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  last_print_ = Clock::time_point{}; // redraw at the next update
}

void Progress::finish()
{
  if (!enabled_ || finished_) return;
  finished_ = true;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
}

} // namespace tessera
