// SPDX-License-Identifier: Apache-2.0
#include "kernel_times.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <Kokkos_Core.hpp>

#include "tessera/core/log.hpp"

namespace tessera::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Record {
  std::int64_t calls = 0;
  double seconds = 0;
};

std::map<std::string, Record>& records()
{
  static std::map<std::string, Record> all;
  return all;
}
std::map<std::uint64_t, std::pair<std::string, Clock::time_point>>& running()
{
  static std::map<std::uint64_t, std::pair<std::string, Clock::time_point>> open;
  return open;
}
std::uint64_t next_id = 0;

void begin(const char* name, std::uint32_t, std::uint64_t* id)
{
  Kokkos::fence("tessera::kernel_times");
  *id = next_id++;
  running()[*id] = {name, Clock::now()};
}

void end(std::uint64_t id)
{
  Kokkos::fence("tessera::kernel_times");
  auto& [name, start] = running()[id];
  auto& r = records()[name];
  ++r.calls;
  r.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  running().erase(id);
}

Clock::time_point copy_start;
void begin_copy(Kokkos::Tools::SpaceHandle, const char*, const void*, Kokkos::Tools::SpaceHandle, const char*,
                const void*, std::uint64_t)
{
  Kokkos::fence("tessera::kernel_times");
  copy_start = Clock::now();
}
void end_copy()
{
  Kokkos::fence("tessera::kernel_times");
  auto& r = records()["deep_copy"];
  ++r.calls;
  r.seconds += std::chrono::duration<double>(Clock::now() - copy_start).count();
}

void set_callbacks(bool on)
{
  namespace tools = Kokkos::Tools::Experimental;
  tools::set_begin_parallel_for_callback(on ? begin : nullptr);
  tools::set_end_parallel_for_callback(on ? end : nullptr);
  tools::set_begin_parallel_reduce_callback(on ? begin : nullptr);
  tools::set_end_parallel_reduce_callback(on ? end : nullptr);
  tools::set_begin_parallel_scan_callback(on ? begin : nullptr);
  tools::set_end_parallel_scan_callback(on ? end : nullptr);
  tools::set_begin_deep_copy_callback(on ? begin_copy : nullptr);
  tools::set_end_deep_copy_callback(on ? end_copy : nullptr);
}

} // namespace

void start_kernel_times()
{
  records().clear();
  set_callbacks(true);
}

nlohmann::json stop_kernel_times()
{
  set_callbacks(false);
  std::vector<std::pair<std::string, Record>> sorted(records().begin(), records().end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.seconds > b.second.seconds; });
  double total = 0;
  for (const auto& [name, r] : sorted)
    total += r.seconds;
  nlohmann::json out = nlohmann::json::array();
  log::info("{:>40} {:>7} {:>10} {:>6}", "kernel", "calls", "seconds", "share");
  for (const auto& [name, r] : sorted) {
    log::info("{:>40} {:>7} {:>10.4f} {:>5.1f}%", name, r.calls, r.seconds, total > 0 ? 100 * r.seconds / total : 0.0);
    out.push_back({{"kernel", name}, {"calls", r.calls}, {"seconds", r.seconds}});
  }
  return out;
}

} // namespace tessera::bench
