// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every driver shares: the command line
//   tessera-<domain> [INPUT] [--section.key=value ...] [--output DIR] [--restart FILE]
//                    [--summary FILE] [--help-input] [--version] [--help] [--kokkos-help]
// the input deck (Config), start-up, the mapping of errors to one line and an exit code,
// and the JSON summary. A driver supplies its schema and a body that builds and runs its
// module and returns its results as JSON (simulations: run_loop.hpp's simulation_main).
//
// Before any work: all ranks agree on the command line and the effective configuration
// (a rank started with other settings ends the run with one line naming the first
// difference, exit 2, never a hang); the output directory is created, checked and locked
// for the run (output_lock.hpp); --summary is checked to be writable and not to name a
// file the run reads or writes.

#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/app_identity.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/core/timers.hpp"

namespace tessera {

struct DriverOptions {
  std::optional<std::filesystem::path> input;
  std::set<std::string> flags;        // the driver's own flags given (DriverInfo::flags), without "--"
  std::vector<std::string> overrides; // "section.key=value"
  // --output; without it parse_driver_options sets default_output_dir(info) (never the
  // working directory itself) and output_defaulted.
  std::filesystem::path output_dir = ".";
  bool output_defaulted = false;
  std::optional<std::filesystem::path> restart;
  std::optional<std::filesystem::path> summary;
  bool help_input = false;

  bool has_flag(const std::string& name) const { return flags.count(name) > 0; }
};

// A switch of one driver only, e.g. tessera-mlp's --predict.
struct DriverFlag {
  std::string name; // without "--"
  std::string help;
};

struct DriverInfo {
  std::string name;        // "demo": the executable is tessera-demo; the run log demo.log
  std::string description; // one line
  const ConfigSchema* schema;
  std::vector<DriverFlag> flags = {};
  // Files the run writes in the output directory (glob patterns, e.g. "snapshot_*.h5").
  std::vector<std::string> output_files = {};
  AppIdentity identity = {};
  bool offers_restart = true; // false: no --restart option (an app without checkpoints)
  // The module's own checks of the input (its params(), files it reads against files it
  // writes), run before the output directory is touched: a refused input must not truncate
  // the log of the run already there.
  std::function<void(const Config&, const DriverOptions&)> check_input = {};
};

// The identity with Tessera's defaults filled in.
AppIdentity resolved_identity(const DriverInfo& info);

struct DriverContext {
  const Runtime* runtime; // null where a test runs a body without a driver
  const Comm& comm;
  const Config& config;
  const DriverOptions& options;
  PhaseTimers& timers;
};

// The output directory of a run without --output: runs/<name> under the working directory,
// the same rule for Tessera's drivers and for apps built on it (DriverInfo::name).
std::filesystem::path default_output_dir(const DriverInfo& info);

// The files a run wrote, for its last line: the files under `dir` (subfolders included)
// last modified at or after `since`, without hidden files (the lock), temporary files and
// the stop file, and `elsewhere` (files outside it, written as given). Numbered series are
// grouped: "files written in runs/nbody: diagnostics.dat, nbody.chk.h5, nbody.log,
// snapshot_0000.h5 ... snapshot_0100.h5 (101 files), snapshots.xdmf". Names are in natural
// order (plot_9 before plot_10). "" when there is nothing.
std::vector<std::string> group_numbered_files(std::vector<std::string> names);
std::vector<std::string> files_written(const std::filesystem::path& dir, std::filesystem::file_time_type since,
                                       const std::vector<std::filesystem::path>& exclude = {});

// Parses the command line (throws InputError; returns nullopt after printing --help).
std::optional<DriverOptions> parse_driver_options(const DriverInfo& info, int argc, char** argv);

// Runs a driver: start-up, options, config, body, summary. Returns the process exit code.
int run_driver(const DriverInfo& info, int argc, char** argv,
               const std::function<nlohmann::json(const DriverContext&)>& body);

// Writes JSON to `path` on rank 0 via a temporary file and a rename.
void write_json_atomically(const Comm& comm, const std::filesystem::path& path, const nlohmann::json& json);

// Creates `dir` if needed and checks that files can be written there, so that a run fails
// at its start, not after hours of work (throws IoError).
void ensure_output_directory(const Comm& comm, const std::filesystem::path& dir);

// Refuses (InputError) a --summary that names the input deck, the restart file, a file a
// key flagged reads_file names, or a file the run writes; IoError when it cannot be written.
void check_summary_path(const Comm& comm, const DriverInfo& info, const DriverOptions& options, const Config& config);

// Refuses (InputError) a run whose file key `written_key` (a name in `output_dir`) names the
// file of key `read_key` (a path the run reads): a module calls it for the pairs of its mode
// (tessera-mlp: data.file against output.model when training, predict.model against
// predict.output when predicting). Empty values are not compared.
void refuse_writing_over(const Config& config, const std::filesystem::path& output_dir, const std::string& written_key,
                         const std::string& read_key);

// What the ranks must agree on before any work: each rank's command line and effective
// configuration, or the error it met reading them. Collective; throws the common error, or
// an InputError naming the first difference between ranks.
struct StartUpSettings {
  std::vector<std::pair<std::string, std::string>> settings; // (what, value)
  std::optional<ExitCode> error_code;                        // the rank failed reading its input
  std::string error_message;
};
void agree_on_start_up(const Comm& comm, const StartUpSettings& mine);

} // namespace tessera
