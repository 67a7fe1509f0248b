// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/timers.hpp"

#include <chrono>

#include <fmt/format.h>

#include "tessera/core/spaces.hpp"

namespace tessera {

namespace {
double now_seconds()
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
} // namespace

PhaseTimers::Scope::Scope(PhaseTimers& timers, std::string name) : timers_(timers), name_(std::move(name))
{
  ExecSpace().fence("tessera::PhaseTimers::start");
  Kokkos::Profiling::pushRegion(name_);
  start_ = now_seconds();
}

PhaseTimers::Scope::~Scope()
{
  ExecSpace().fence("tessera::PhaseTimers::stop");
  timers_.add(name_, now_seconds() - start_);
  Kokkos::Profiling::popRegion();
}

void PhaseTimers::add(const std::string& name, double seconds)
{
  auto& e = entries_[name];
  e.seconds += seconds;
  ++e.calls;
}

double PhaseTimers::seconds(const std::string& name) const
{
  const auto it = entries_.find(name);
  return it == entries_.end() ? 0.0 : it->second.seconds;
}

double PhaseTimers::total() const
{
  double t = 0;
  for (const auto& [name, e] : entries_)
    t += e.seconds;
  return t;
}

std::string PhaseTimers::table() const
{
  std::string out = fmt::format("  {:<24} {:>10} {:>8} {:>7}\n", "phase", "seconds", "calls", "share");
  const double all = total();
  for (const auto& [name, e] : entries_) {
    out += fmt::format("  {:<24} {:>10.4f} {:>8} {:>6.1f}%\n", name, e.seconds, e.calls,
                       all > 0 ? 100 * e.seconds / all : 0.0);
  }
  return out;
}

nlohmann::json PhaseTimers::to_json() const
{
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, e] : entries_)
    out[name] = {{"seconds", e.seconds}, {"calls", e.calls}};
  return out;
}

} // namespace tessera
