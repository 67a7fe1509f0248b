// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one run loop: every driver hands its simulation (simulation.hpp) to it.
//
//   int main(int argc, char** argv) { return tessera::simulation_main<tessera::nbody::Simulation>(argc, argv); }
//
// It owns, the same way for every module: the command line and the config (run_driver),
// fresh start or restart (the checkpoint must be this simulation's, and every key flagged
// fixed_on_restart must have the checkpoint's value), the schedules of output, table rows,
// progress lines and checkpoints in the module's unit (plus a wall-clock checkpoint interval),
// agreement of all ranks on stop signals after every unit of work, the final checkpoint and
// the "continue with --restart" line, the throughput line and the results for the summary.
// A checkpoint records where the loop stands (position, units done, output index, the
// table's length), under the checkpoint's checksums; docs/core.md describes all of it.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "tessera/core/driver.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/simulation.hpp"
#include "tessera/core/table_file.hpp"

namespace tessera {

// The checkpoint of a simulation in its output directory: <dir>/<name>.chk.h5.
std::filesystem::path checkpoint_path(const std::filesystem::path& output_dir, const std::string& name);

// What the loop decides after a unit of work (the same on every rank).
struct LoopDecision {
  bool table = false, output = false, log = false, checkpoint = false, stop = false;
};

// The schedule and bookkeeping of one run, whatever the simulation's type (the template
// run_simulation below calls the simulation; everything else happens here).
class RunLoop {
public:
  RunLoop(const DriverContext& driver, const SimulationInfo& info);
  ~RunLoop();
  RunLoop(const RunLoop&) = delete;
  RunLoop& operator=(const RunLoop&) = delete;

  const RunContext& context() const { return context_; }
  // The checkpoint to restart from, checked to be this simulation's with the same fixed
  // keys (InputError naming the key otherwise); null for a fresh start.
  CheckpointReader* restart_checkpoint() { return reader_.get(); }
  // After the simulation is built: reads the loop's state from the checkpoint (then closes
  // it), starts or resumes the table, sets the schedules, prints the start line.
  void begin(double position, double end);
  bool fresh() const { return !restarted_; }

  // After every unit of work (collective).
  LoopDecision after_unit(double position, double end, bool finished);
  bool at_end(double position, double end, bool finished) const;

  void table_row(const DiagnosticsRow& row, double position);
  // The index of an output about to be written at `position` (counted from 0 over the run).
  int take_output_index(double position, bool interrupted);
  bool output_written_at(double position) const { return has_output_ && last_output_position_ == position; }
  bool row_written_at(double position) const { return has_row_ && last_row_position_ == position; }
  void log_progress(double position, double end, const std::string& status);
  void checkpoint(double position, const std::function<void(CheckpointWriter&)>& write);
  // The end of a unit of work (its rows, outputs and checkpoint written): the test hook.
  void unit_done();
  bool checkpoint_written_at(double position) const { return has_checkpoint_ && last_checkpoint_position_ == position; }
  // <output>/stop: a file whose appearance stops the run as a stop signal does (whatever the
  // MPI launcher forwards); rank 0 looks for it at most once a second.
  std::filesystem::path stop_file() const { return context_.output_dir / "stop"; }

  // The end: the stop line, the throughput line, the results with the loop's own fields.
  nlohmann::json finish(double position, bool interrupted, const Results& results);

private:
  void open_restart();
  bool remove_stop_file() const; // on rank 0: whether there was one
  double next_after(double position, double interval) const;

  const DriverContext& driver_;
  SimulationInfo info_;
  RunContext context_;
  std::filesystem::path checkpoint_path_;
  std::unique_ptr<CheckpointReader> reader_;
  std::unique_ptr<TableFile> table_;
  std::unique_ptr<Progress> progress_;
  bool restarted_ = false;
  // The schedule (intervals from the config, in the unit; wall seconds for checkpoints).
  double output_interval_ = 0, table_interval_ = 0, log_interval_ = 0, checkpoint_interval_ = 0,
         checkpoint_wall_seconds_ = 0, progress_seconds_ = 0;
  double next_output_ = 0, next_row_ = 0, next_log_ = 0, next_checkpoint_ = 0;
  double start_position_ = 0, last_wall_checkpoint_ = 0, last_stop_file_check_ = 0;
  double begin_wall_ = 0, last_batch_progress_ = 0; // wall clock: begin(), the last batch progress line
  // What ended the run early: "signal 15", "stop file run/stop"; empty while it runs on.
  std::string stop_reason_;
  std::int64_t units_ = 0, units_at_start_ = 0;
  int output_index_ = 0;
  bool has_output_ = false, has_row_ = false, has_checkpoint_ = false, checkpoint_written_ = false;
  double last_output_position_ = 0, last_row_position_ = 0, last_checkpoint_position_ = 0;
  std::int64_t kill_after_units_ = -1; // TESSERA_FAULT=kill-after-units=N (tests)
};

namespace detail {
template <class S>
bool finished(const S& s)
{
  if constexpr (requires { s.finished(); }) {
    return s.finished();
  } else {
    return false;
  }
}
template <class S>
std::string status(const S& s)
{
  if constexpr (requires { s.status(); }) {
    return s.status();
  } else {
    return {};
  }
}
template <class S>
void check(const S& s)
{
  if constexpr (requires { s.check(); }) s.check();
}
template <class S>
void write_output(S& s, const OutputRequest& request)
{
  if constexpr (requires { s.write_output(request); }) s.write_output(request);
}
template <class S>
constexpr bool has_output()
{
  return requires(S& s, const OutputRequest& request) { s.write_output(request); };
}
} // namespace detail

// Runs simulation S under the loop; returns the results for the summary.
template <SimulationContract S>
nlohmann::json run_simulation(const DriverContext& driver)
{
  const SimulationInfo info = S::info();
  const auto params = S::params(driver.config);
  RunLoop loop(driver, info);
  std::unique_ptr<S> sim;
  {
    auto scope = driver.timers.scope("start");
    if (auto* reader = loop.restart_checkpoint()) {
      sim = std::make_unique<S>(loop.context(), params, *reader);
    } else {
      sim = std::make_unique<S>(loop.context(), params);
    }
  }
  loop.begin(sim->position(), sim->end());
  const auto row = [&] {
    auto scope = driver.timers.scope("diagnostics");
    loop.table_row(sim->diagnostics(), sim->position());
    // After the row is on disk: a run that has gone wrong ends here, its evidence written.
    detail::check(*sim);
  };
  const auto output = [&](bool final, bool interrupted) {
    auto scope = driver.timers.scope("output");
    const int index = loop.take_output_index(sim->position(), interrupted);
    detail::write_output(*sim, OutputRequest{index, final, interrupted});
  };
  const auto checkpoint = [&] {
    auto scope = driver.timers.scope("checkpoint");
    loop.checkpoint(sim->position(), [&](CheckpointWriter& writer) { sim->write_checkpoint(writer); });
  };
  if (loop.fresh() && info.initial_output) {
    row();
    if constexpr (detail::has_output<S>()) output(false, false);
  }
  bool interrupted = false;
  while (!loop.at_end(sim->position(), sim->end(), detail::finished(*sim))) {
    {
      auto scope = driver.timers.scope("advance");
      sim->advance(sim->end());
    }
    const auto due = loop.after_unit(sim->position(), sim->end(), detail::finished(*sim));
    if (due.table) row();
    if (due.output) output(false, false);
    if (due.log) loop.log_progress(sim->position(), sim->end(), detail::status(*sim));
    if (due.stop) {
      interrupted = true;
      break;
    }
    if (due.checkpoint) checkpoint();
    loop.unit_done();
  }
  const double position = sim->position();
  // A last row where the run reached its end (not where max_steps or a signal cut it: the
  // restarted run's table must read as one run's).
  if (!interrupted && loop.at_end(position, sim->end(), false) && !loop.row_written_at(position)) row();
  if (!loop.output_written_at(position)) output(true, interrupted);
  if ((interrupted || info.final_checkpoint) && !loop.checkpoint_written_at(position)) checkpoint();
  Results results;
  {
    auto scope = driver.timers.scope("results");
    results = sim->results();
  }
  return loop.finish(position, interrupted, results);
}

// The whole of a driver: main() returns this.
template <SimulationContract S>
int simulation_main(int argc, char** argv)
{
  static const ConfigSchema schema = S::schema();
  const SimulationInfo info = S::info();
  DriverInfo driver{info.name, info.description, &schema};
  driver.identity = info.identity;
  driver.output_files = info.output_files;
  driver.output_files.push_back(checkpoint_path(".", info.name).filename().string());
  if (!info.table_file.empty()) driver.output_files.push_back(info.table_file);
  driver.check_input = [](const Config& config, const DriverOptions&) { (void)S::params(config); };
  return run_driver(driver, argc, argv, [](const DriverContext& context) { return run_simulation<S>(context); });
}

} // namespace tessera
