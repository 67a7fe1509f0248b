// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/progress.hpp"

#include <algorithm>
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
std::string short_duration(double seconds)
{
  if (seconds < 100) return fmt::format("{:.3g} s", seconds);
  if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// Beyond this an ETA is noise (a blown-up run once printed ~1e140 hours).
constexpr double longest_eta_seconds = 1e6 * 3600;

bool eta_known(double remaining, double rate)
{
  if (!std::isfinite(rate) || rate <= 0 || !std::isfinite(remaining)) return false;
  const double seconds = remaining / rate;
  return std::isfinite(seconds) && seconds <= longest_eta_seconds;
}
} // namespace

std::string eta_text(double remaining, double rate)
{
  if (!eta_known(remaining, rate)) return "ETA unknown";
  return "ETA " + short_duration(std::max(0.0, remaining / rate));
}

std::string batch_progress_line(const BatchProgress& p)
{
  const auto number = [&](double x) {
    return p.continuous ? fmt::format("{:.4g}", x) : fmt::format("{}", std::llround(x));
  };
  const double percent = p.end > 0 ? 100.0 * p.position / p.end : 100.0;
  const double rate = p.seconds > 0 ? p.done / p.seconds : 0.0;
  const std::string rate_text = !std::isfinite(rate) ? "rate unknown"
                                : rate >= 1          ? fmt::format("{:.3g} {}/s", rate, p.plural)
                                                     : fmt::format("{:.3g} {}/min", rate * 60, p.plural);
  std::string line = fmt::format("progress: {} {:.0f}% {} {}/{} ({})", p.name, percent, p.unit, number(p.position),
                                 number(p.end), rate_text);
  if (p.position < p.end) line += " " + eta_text(p.end - p.position, rate);
  return line;
}

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
  if (done < total_) {
    const double remaining = static_cast<double>(total_ - done);
    eta = eta_known(remaining, rate) ? "  ETA " + format_duration(remaining / rate) : "  ETA unknown";
  }
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
