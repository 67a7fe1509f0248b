// SPDX-License-Identifier: Apache-2.0
#include "bench_common.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <thread>

#include <Kokkos_Core.hpp>

#include "tessera/core/runtime.hpp"
#include "tessera/core/spaces.hpp"

#ifndef TESSERA_COMPILER
#define TESSERA_COMPILER "unknown"
#endif

namespace tessera::bench {

Timing time_it(const std::function<void()>& f, int min_repetitions, double target_seconds, int max_repetitions)
{
  f();
  ExecSpace().fence("bench::warm_up");
  std::vector<double> samples;
  double spent = 0;
  while ((static_cast<int>(samples.size()) < min_repetitions || spent < target_seconds) &&
         static_cast<int>(samples.size()) < max_repetitions) {
    Kokkos::Timer timer;
    f();
    ExecSpace().fence("bench::sample");
    samples.push_back(timer.seconds());
    spent += samples.back();
  }
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  const double median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  return {median, samples.front(), samples.back(), static_cast<int>(n)};
}

nlohmann::json machine()
{
  std::string cpu = "unknown";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  return {{"cpu", cpu},
          {"cores", std::thread::hardware_concurrency()},
          {"device", device_name()},
          {"device_memory_free_gib", static_cast<double>(available_memory_bytes()) / 1073741824.0}};
}

nlohmann::json result_file(const std::string& suite)
{
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char date[32];
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {{"suite", suite},
          {"machine", machine()},
          {"backend", backend_name()},
          {"kokkos_version", kokkos_version()},
          {"compiler", TESSERA_COMPILER},
          {"commit", build_commit()},
          {"date", date},
          {"ceilings", nlohmann::json::array()},
          {"results", nlohmann::json::array()}};
}

nlohmann::json entry(const std::string& module, const std::string& benchmark, const nlohmann::json& size,
                     const std::string& unit, double rate_median, double rate_min, double rate_max, int repetitions,
                     const nlohmann::json& extra)
{
  nlohmann::json e = {{"module", module}, {"benchmark", benchmark},    {"size", size},
                      {"unit", unit},     {"median", rate_median},     {"min", rate_min},
                      {"max", rate_max},  {"repetitions", repetitions}};
  if (extra.is_object()) e.update(extra);
  return e;
}

} // namespace tessera::bench
