#include "tessera/core/driver.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <new>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"

namespace tessera {

std::optional<DriverOptions> parse_driver_options(const DriverInfo& info, int argc, char** argv)
{
  DriverOptions options;
  CLI::App app(info.description, "tessera-" + info.name);
  app.allow_extras();
  std::string input, output, restart, summary;
  app.add_option("input", input, "input deck (TOML); without it every key has its default");
  app.add_option("--output,-o", output, "directory for output files (created if missing; default: .)");
  app.add_option("--restart", restart, "checkpoint file to continue from");
  app.add_option("--summary", summary, "write a JSON summary of the run to this file");
  app.add_flag("--help-input", options.help_input, "print every input key with its default and meaning");
  for (const auto& flag : info.flags) {
    app.add_flag_callback("--" + flag.name, [&options, name = flag.name] { options.flags.insert(name); }, flag.help);
  }
  app.footer("Any input key can be overridden as --section.key=value (see --help-input).");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    if (log::context().rank == 0) std::cout << app.help();
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw InputError(fmt::format("command line: {}", e.what()));
  }
  for (const auto& extra : app.remaining()) {
    if (extra.rfind("--", 0) != 0 || extra.find('.') == std::string::npos || extra.find('=') == std::string::npos) {
      throw InputError(
          fmt::format("command line: unexpected argument '{}' (overrides are --section.key=value)", extra));
    }
    options.overrides.push_back(extra.substr(2));
  }
  if (!input.empty()) options.input = input;
  if (!output.empty()) options.output_dir = output;
  if (!restart.empty()) options.restart = restart;
  if (!summary.empty()) options.summary = summary;
  return options;
}

void write_json_atomically(const Comm& comm, const std::filesystem::path& path, const nlohmann::json& json)
{
  int ok = 1;
  if (comm.is_root()) {
    const auto tmp = std::filesystem::path(path.string() + ".tmp");
    {
      std::ofstream out(tmp);
      out << json.dump(2) << "\n";
      out.flush();
      ok = out.good() ? 1 : 0;
    }
    std::error_code ec;
    if (ok) std::filesystem::rename(tmp, path, ec);
    if (ec) ok = 0;
  }
  comm.broadcast(&ok, 1);
  if (!ok) throw IoError(fmt::format("{}: cannot write the file", path.string()));
}

void ensure_output_directory(const Comm& comm, const std::filesystem::path& dir)
{
  int ok = 1;
  std::string message;
  if (comm.is_root()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const auto probe = dir / fmt::format(".tessera-write-test-{}", ::getpid());
    {
      std::ofstream out(probe);
      out << "probe\n";
      out.flush();
      if (!out.good()) {
        ok = 0;
        message = fmt::format("{}: output directory is not writable", dir.string());
      }
    }
    std::filesystem::remove(probe, ec);
    const auto space = std::filesystem::space(dir, ec);
    if (ok && !ec && space.available < (std::uintmax_t{16} << 20)) {
      ok = 0;
      message = fmt::format("{}: less than 16 MiB free on the output file system", dir.string());
    }
  }
  comm.broadcast(&ok, 1);
  if (!ok) throw IoError(comm.broadcast(message));
}

namespace {

// Ends a run that failed with one line on stderr and `code`. With several ranks, the ranks
// that failed wait a few seconds for each other on a communicator of their own: if all
// arrive (bad input is seen by every rank alike), rank 0 alone prints and all exit with the
// code; if not, the others are stuck in some collective, so this rank prints its error and
// aborts the job rather than leave it hanging.
int fail(const Runtime& runtime, ExitCode code, const std::string& message)
{
  const Comm& comm = runtime.world();
  if (comm.size() == 1) {
    log::error("{}", message);
    return static_cast<int>(code);
  }
  MPI_Request request;
  MPI_Ibarrier(runtime.error_agreement(), &request);
  int all_failed = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!all_failed && std::chrono::steady_clock::now() < deadline) {
    MPI_Test(&request, &all_failed, MPI_STATUS_IGNORE);
    if (!all_failed) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (all_failed) {
    if (comm.is_root()) log::error_plain("{}", message);
    return static_cast<int>(code);
  }
  log::error("{}", message);
  MPI_Abort(MPI_COMM_WORLD, static_cast<int>(code));
  return static_cast<int>(code);
}

int run(const DriverInfo& info, int argc, char** argv, const std::function<nlohmann::json(const DriverContext&)>& body)
{
  const auto start = std::chrono::steady_clock::now();
  Runtime runtime(argc, argv);
  const auto& comm = runtime.world();
  try {
    const auto options = parse_driver_options(info, argc, argv);
    if (!options) return 0;
    if (options->help_input) {
      log::info("Input keys of tessera-{} (set them in the input file or as --section.key=value):\n\n{}", info.name,
                info.schema->markdown());
      return 0;
    }
    const auto config = Config::load(*info.schema, options->input, options->overrides);
    ensure_output_directory(comm, options->output_dir);
    install_stop_handlers();
    log::info("{}", runtime.banner());

    PhaseTimers timers;
    DriverContext context{runtime, comm, config, *options, timers};
    nlohmann::json results = body(context);

    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options->summary) {
      nlohmann::json summary = {{"driver", "tessera-" + info.name},
                                {"runtime", runtime.description()},
                                {"input", config.source()},
                                {"config", config.to_json()},
                                {"timers", timers.to_json()},
                                {"wall_seconds", wall},
                                {"results", results},
                                {"status", stop_requested() ? "interrupted" : "ok"}};
      write_json_atomically(comm, *options->summary, summary);
    }
    return stop_requested() ? static_cast<int>(ExitCode::interrupted) : 0;
  } catch (const Error& e) {
    return fail(runtime, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(runtime, ExitCode::failure, "out of memory (reduce the problem size or use more ranks)");
  } catch (const std::exception& e) {
    return fail(runtime, ExitCode::failure, e.what());
  }
}

} // namespace

int run_driver(const DriverInfo& info, int argc, char** argv,
               const std::function<nlohmann::json(const DriverContext&)>& body)
{
  try {
    return run(info, argc, argv, body);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera: error: %s\n", e.what());
    return static_cast<int>(ExitCode::failure);
  }
}

} // namespace tessera
