// SPDX-License-Identifier: Apache-2.0
#pragma once
// The simulation contract: what a physics module supplies so that core's run loop
// (run_loop.hpp) can run it. The loop owns the life cycle (command line, config, rank
// agreement, fresh start or restart, schedules of output, tables, log lines and
// checkpoints, stop signals, the final checkpoint, the summary); a simulation owns its
// physics and nothing else.
//
// A simulation S is a class with
//   using Params = ...;                       its parameters, made only from a Config
//   static SimulationInfo info();             name, description, progress unit, files
//   static ConfigSchema schema();             every key once, with its default; the keys a
//                                             restart must keep flagged fixed_on_restart;
//                                             the loop's keys declared by declare_run_keys()
//   static Params params(const Config&);      reads and cross-checks the keys (InputError)
//   S(const RunContext&, const Params&);                    a fresh start
//   S(const RunContext&, const Params&, CheckpointReader&); a restart from a checkpoint
//   void advance(double target);              one unit of work (a step, a trajectory, a
//                                             batch of events, an epoch), not past target
//   double position() const;                  where it stands, in its progress unit
//   double end() const;                       where the run ends (t_end, trajectories, ...)
//   void write_checkpoint(CheckpointWriter&) const;  everything a restart needs
//   DiagnosticsRow diagnostics() const;       one row of its table (empty: it has none)
//   Results results();                        the summary, once, at the end
// and optionally
//   bool finished() const;                    ends before end() (early stopping, max_steps)
//   void write_output(const OutputRequest&);  snapshots, plots, configurations
//   std::string status() const;               a few words for the progress lines
//   void check() const;                       after each table row is on disk: throws
//                                             Error(ExitCode::failure) when the run has gone
//                                             wrong (an energy error past its limit)
//
// Tests, benchmarks and fuzzers construct the same classes from the same Params, so a test
// runs exactly the physics a driver runs.

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/app_identity.hpp"
#include "tessera/core/checkpoint.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/timers.hpp"

namespace tessera {

// How a simulation counts its progress.
struct ProgressUnit {
  std::string name;   // "time", "trajectory", "event", "epoch", "step"
  std::string plural; // for rates: "trajectories/s"
  // true: a real position (simulated time), intervals are reals; false: a count of units,
  // intervals are whole numbers.
  bool continuous = false;
};

enum class TableStyle {
  columns, // "# name name ..." header, space-separated values (gnuplot, numpy.loadtxt)
  csv,     // a header of names, comma-separated values (csv.DictReader, pandas)
};

struct SimulationInfo {
  std::string name;        // "nbody": the driver is tessera-nbody, the checkpoint nbody.chk.h5
  std::string description; // one line for --help
  ProgressUnit unit;
  // The diagnostics table in the output directory ("" : none), e.g. "hmc.dat"; or a string
  // key that names it (then "" means none).
  std::string table_file;
  std::string table_key;
  TableStyle table_style = TableStyle::columns;
  // Other files the run writes in the output directory (glob patterns such as
  // "snapshot_*.h5"): --summary may not name one of them.
  std::vector<std::string> output_files;
  // A fresh run writes a table row and an output at its starting position (t = 0).
  bool initial_output = false;
  // A run that reaches its end writes a last checkpoint (false: only on a stop signal and
  // at the interval, e.g. a training run whose product is its model file).
  bool final_checkpoint = true;
  // An app outside Tessera names itself here (driver.hpp); empty fields are Tessera's.
  AppIdentity identity = {};
};

// What a simulation gets from the loop (and what a test gives it).
struct RunContext {
  const Comm& comm;
  std::filesystem::path output_dir = ".";
  PhaseTimers* timers = nullptr; // may be null (tests)

  // A timed scope when there are timers ("" : none).
  [[nodiscard]] std::optional<PhaseTimers::Scope> scope(const std::string& phase) const
  {
    if (timers == nullptr) return std::nullopt;
    return std::optional<PhaseTimers::Scope>(std::in_place, *timers, phase);
  }
};

// One row of a simulation's table: named values in a fixed order. Reals are written with 17
// significant digits (a restarted run's table equals the uninterrupted one's to the bit).
using TableCell = std::variant<std::int64_t, double, std::string>;
struct DiagnosticsRow {
  std::vector<std::pair<std::string, TableCell>> cells;

  bool empty() const { return cells.empty(); }
  DiagnosticsRow& add(std::string name, double value)
  {
    cells.emplace_back(std::move(name), value);
    return *this;
  }
  template <class T>
    requires std::is_integral_v<T>
  DiagnosticsRow& add(std::string name, T value)
  {
    cells.emplace_back(std::move(name), static_cast<std::int64_t>(value));
    return *this;
  }
  DiagnosticsRow& add(std::string name, std::string value)
  {
    cells.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

// The end of a run: JSON for the summary, the lines a user reads, and the physical
// throughput (interactions/s, zone-cycles/s, ...) for the loop's throughput line.
struct Results {
  nlohmann::json json = nlohmann::json::object();
  std::vector<std::string> lines;
  double rate = 0;       // physical throughput, 0: none
  std::string rate_unit; // "interactions/s"
};

// An output the loop asks for: scheduled ones at output.interval (final = false), and the
// last one when the run ends (final = true; interrupted when a stop signal ended it).
struct OutputRequest {
  int index = 0; // 0, 1, 2, ... over the whole run, restarts included
  bool final = false;
  bool interrupted = false;
};

// The defaults a module gives the loop's own keys (declared by declare_run_keys, so each
// default is written once, in the module's schema function). Intervals are in the module's
// progress unit; 0 means never (checkpoints: only at the end and on a stop signal; table and
// log lines: after every unit of work).
struct RunKeyDefaults {
  double checkpoint_interval = 0;
  double checkpoint_wall_seconds = 0;
  double output_interval = 0;
  double table_interval = 0;
  double log_interval = 0;
  double progress_seconds = 60; // wall-clock s between progress lines in batch logs (0: none)
  bool has_output = false;      // declare output.interval (the module writes outputs)
  bool has_table = false;       // declare output.table_interval (the module has a table)
  // The module's SimulationInfo::final_checkpoint: what output.checkpoint_interval's help says
  // 0 means.
  bool final_checkpoint = true;
};

// Adds output.checkpoint_interval, output.checkpoint_wall_seconds, output.log_interval,
// output.progress_seconds and, where the module has them, output.interval and
// output.table_interval (docs/core.md).
void declare_run_keys(ConfigSchema& schema, const ProgressUnit& unit, const RunKeyDefaults& defaults);

template <class S>
concept SimulationContract =
    requires(S& s, const S& cs, const Config& config, const RunContext& context, const typename S::Params& params,
             CheckpointReader& reader, CheckpointWriter& writer, double target) {
      typename S::Params;
      { S::info() } -> std::convertible_to<SimulationInfo>;
      { S::schema() } -> std::convertible_to<ConfigSchema>;
      { S::params(config) } -> std::same_as<typename S::Params>;
      requires std::constructible_from<S, const RunContext&, const typename S::Params&>;
      requires std::constructible_from<S, const RunContext&, const typename S::Params&, CheckpointReader&>;
      s.advance(target);
      { cs.position() } -> std::convertible_to<double>;
      { cs.end() } -> std::convertible_to<double>;
      cs.write_checkpoint(writer);
      { cs.diagnostics() } -> std::convertible_to<DiagnosticsRow>;
      { s.results() } -> std::convertible_to<Results>;
    };

// The Params of S from its schema's defaults and `overrides` ("section.key=value", as on a
// command line): how tests, benchmarks and fuzzers build a simulation, so that they run the
// physics a driver given the same keys runs.
template <class S>
typename S::Params params_for(const std::vector<std::string>& overrides = {})
{
  return S::params(Config::parse(S::schema(), "", "(params_for)", overrides));
}

} // namespace tessera
