// SPDX-License-Identifier: Apache-2.0
#include "runner.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ceilings.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::bench {
namespace {

std::string lower(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A short machine label for file names and plots: the GPU's model number ("H100"), or
// "host-16threads" on a host backend.
std::string default_label()
{
  if (device_is_host) return fmt::format("host-{}threads", ExecSpace().concurrency());
  std::smatch model;
  const std::string name = device_name();
  if (std::regex_search(name, model, std::regex("[A-Z]+[0-9]{2,4}[A-Za-z]*"))) return model.str();
  return "gpu";
}

void log_ceilings(const nlohmann::json& ceilings)
{
  for (const auto& c : ceilings) {
    log::info("ceiling {:<16} {:.4g} {} (spread {:.1f}%){}", c["name"].get<std::string>(), c["value"].get<double>(),
              c["unit"].get<std::string>(),
              100.0 * (c["max"].get<double>() - c["min"].get<double>()) / c["value"].get<double>(),
              c.contains("method") ? fmt::format(", by {}", c["method"].get<std::string>()) : "");
    if (c.contains("methods"))
      for (const auto& [name, m] : c["methods"].items())
        log::info("        {:<16} {:.4g} {}", name, m["value"].get<double>(), m["unit"].get<std::string>());
  }
}

// Written to a temporary name and renamed: an interrupted run never leaves half a file.
void write_atomically(const std::string& path, const nlohmann::json& file)
{
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary);
    out << file.dump(2) << "\n";
    out.close();
    if (!out) throw std::runtime_error(fmt::format("{}: could not be written", temporary));
  }
  std::filesystem::rename(temporary, target);
}

} // namespace

int run_benchmarks(int argc, char** argv, const std::string& program, const std::string& description,
                   const std::vector<Module>& modules, const std::function<void(CLI::App&)>& add_options)
{
  Runtime runtime(argc, argv);
  CLI::App app(description, program);
  bool quick = false;
  std::string label = default_label(), output;
  std::vector<std::string> only;
  app.add_flag("--quick", quick, "seconds-long smoke sizes instead of the full sweep");
  bool ceilings_only = false;
  app.add_flag("--ceilings-only", ceilings_only, "measure the machine's ceilings and no module");
  app.add_option("--label", label,
                 "machine label for the file name and the report (default: GPU model or host-Nthreads)");
  app.add_option("--output", output,
                 "JSON result file (default: perf/results/<suite>-<backend>-<label>-<commit>.json)");
  if (modules.size() > 1) {
    std::vector<std::string> names;
    for (const auto& m : modules)
      names.push_back(m.name);
    app.add_option("--only", only, fmt::format("modules to run (default: all of {})", fmt::join(names, ", ")))
        ->delimiter(',')
        ->check(CLI::IsMember(names));
  }
  if (add_options) add_options(app);
  CLI11_PARSE(app, argc, argv);

  const std::string suite_name = modules.size() > 1 ? "bench" : modules.front().name;
  auto file = result_file(modules.size() > 1 ? "tessera-bench" : suite_name);
  file["mode"] = quick ? "quick" : "full";
  file["label"] = label;
  log::info("{}", runtime.banner());
  file["ceilings"] = measure_ceilings(quick);
  log_ceilings(file["ceilings"]);

  Suite suite(runtime.world(), quick, file["ceilings"]);
  std::vector<std::string> ran;
  for (const auto& m : modules) {
    if (ceilings_only || (!only.empty() && std::find(only.begin(), only.end(), m.name) == only.end())) continue;
    log::info("--- {} ---", m.name);
    Kokkos::Timer timer;
    m.run(suite);
    log::info("--- {}: {:.1f} s ---", m.name, timer.seconds());
    ran.push_back(m.name);
  }
  file["modules"] = ran;
  file["results"] = suite.results();

  if (!runtime.world().is_root()) return 0;
  if (output.empty())
    output = fmt::format("perf/results/{}-{}-{}-{}.json", suite_name, lower(backend_name()), label, build_commit());
  try {
    write_atomically(output, file);
  } catch (const std::exception& e) {
    log::error("{}: {}", output, e.what());
    return 2;
  }
  log::info("results: {}", output);
  return 0;
}

} // namespace tessera::bench
