// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/run_loop.hpp"

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera {

namespace {

constexpr double never = std::numeric_limits<double>::infinity();
// Positions within this relative distance of a scheduled one count as reaching it (times
// summed from many steps carry rounding).
constexpr double reach = 1e-12;

// The bits of the once-per-unit agreement of all ranks (one bitwise-or over the ranks).
constexpr std::uint32_t stop_by_signal = 1u, checkpoint_by_wall = 2u, table_failed = 4u, stop_by_file = 8u;

bool reached(double position, double target)
{
  return position >= target - reach * std::max(1.0, std::abs(target));
}

double wall_now()
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Reads an interval key of either kind (0 when the module did not declare it).
double interval(const Config& config, const std::string& key)
{
  const auto* k = config.schema().find(key);
  if (k == nullptr) return 0;
  return k->kind == ConfigKey::Kind::integer ? static_cast<double>(config.get_int(key)) : config.get_real(key);
}

std::string format_position(double x, const ProgressUnit& unit)
{
  return unit.continuous ? fmt::format("{:.6g}", x) : fmt::format("{}", std::llround(x));
}

std::string format_duration(double seconds)
{
  if (seconds < 100) return fmt::format("{:.3g} s", seconds);
  if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// The loop's own checkpoint attributes.
constexpr const char* attr_simulation = "tessera_simulation";
constexpr const char* attr_fixed_keys = "tessera_fixed_keys";
constexpr const char* attr_position = "tessera_position";
constexpr const char* attr_units = "tessera_units";
constexpr const char* attr_output_index = "tessera_output_index";
constexpr const char* attr_last_output = "tessera_last_output_position";
constexpr const char* attr_last_row = "tessera_last_row_position";
constexpr const char* attr_table_bytes = "tessera_table_bytes";
constexpr const char* attr_table_checksum = "tessera_table_checksum";

} // namespace

std::filesystem::path checkpoint_path(const std::filesystem::path& output_dir, const std::string& name)
{
  return output_dir / (name + ".chk.h5");
}

void declare_run_keys(ConfigSchema& schema, const ProgressUnit& unit, const RunKeyDefaults& d)
{
  const auto add_interval = [&](const std::string& key, double value, const std::string& doc) {
    if (unit.continuous) {
      schema.add_real(key, value, doc, 0.0, 1e30, unit.name);
    } else {
      schema.add_int(key, std::llround(value), doc, 0, 1LL << 62, unit.plural);
    }
  };
  add_interval("output.checkpoint_interval", d.checkpoint_interval,
               d.final_checkpoint ? "between checkpoints (0: none but the last, at the end or on a stop signal)"
                                  : "between checkpoints (0: none but on a stop signal; a run that reaches its "
                                    "end writes its product instead)");
  schema.add_real("output.checkpoint_wall_seconds", d.checkpoint_wall_seconds,
                  "wall-clock time between checkpoints, whatever the progress (0: none)", 0.0, 1e30, "s");
  if (d.has_output) add_interval("output.interval", d.output_interval, "between outputs (0: none in between)");
  if (d.has_table)
    add_interval("output.table_interval", d.table_interval, "between rows of the table (0: after every unit of work)");
  add_interval("output.log_interval", d.log_interval, "between progress lines (0: after every unit of work)");
  schema.add_real("output.progress_seconds", d.progress_seconds,
                  "when the output is not a terminal (a batch log): wall-clock time between plain progress lines "
                  "(percent, rate, ETA; 0: none); on a terminal a live progress line is shown instead",
                  0.0, 1e30, "s");
}

RunLoop::RunLoop(const DriverContext& driver, const SimulationInfo& info)
    : driver_(driver), info_(info), context_{driver.comm, driver.options.output_dir, &driver.timers},
      checkpoint_path_(checkpoint_path(driver.options.output_dir, info.name))
{
  const auto& config = driver.config;
  output_interval_ = interval(config, "output.interval");
  table_interval_ = interval(config, "output.table_interval");
  log_interval_ = interval(config, "output.log_interval");
  checkpoint_interval_ = interval(config, "output.checkpoint_interval");
  checkpoint_wall_seconds_ = interval(config, "output.checkpoint_wall_seconds");
  progress_seconds_ = interval(config, "output.progress_seconds");
  if (const char* fault = std::getenv("TESSERA_FAULT")) {
    const std::string text = fault;
    const std::string prefix = "kill-after-units=";
    if (text.rfind(prefix, 0) == 0) kill_after_units_ = std::atoll(text.c_str() + prefix.size());
  }
  // A stop file left from an earlier run (the run it stopped removes it; one that finished as
  // the file appeared does not) must not stop this one. Removed here, before the simulation is
  // set up, so that a stop file made while it sets up (which may take long) is obeyed.
  if (driver_.comm.is_root() && remove_stop_file())
    log::warn("removed {}: a stop file that was there before the run began", stop_file().string());
  if (driver.options.restart) open_restart();
}

RunLoop::~RunLoop() = default;

void RunLoop::open_restart()
{
  const auto& path = *driver_.options.restart;
  reader_ = std::make_unique<CheckpointReader>(driver_.comm, path);
  restarted_ = true;
  const auto name = fmt::format("tessera-{}", info_.name);
  if (!reader_->has_attribute(attr_simulation) || !reader_->has_attribute(attr_fixed_keys))
    throw InputError(fmt::format("{}: not a checkpoint of {} (written by another program or an older Tessera)",
                                 path.string(), name));
  const auto owner = reader_->attribute_string(attr_simulation);
  if (owner != info_.name)
    throw InputError(
        fmt::format("{}: a checkpoint of tessera-{}, not of {}", path.string(), shorten_for_message(owner), name));
  nlohmann::json recorded;
  try {
    recorded = nlohmann::json::parse(reader_->attribute_string(attr_fixed_keys));
  } catch (const nlohmann::json::exception&) {
    throw IoError(fmt::format("{}: its record of the fixed keys is not readable", path.string()));
  }
  const auto fingerprint = driver_.config.restart_fingerprint();
  // A key whose value differs first: a changed key (mesh.dims) can make the schema ask for keys
  // the checkpoint's run never had, and the change is what the message must name.
  for (const auto& [key, now] : fingerprint) {
    if (!recorded.contains(key)) continue;
    const auto then = recorded[key].get<std::string>();
    if (then != now)
      throw InputError(fmt::format("{}: the checkpoint was written by another run (written with other settings): key "
                                   "'{}' = {} there, {} now; a restart must keep it",
                                   path.string(), key, then, now));
  }
  for (const auto& [key, now] : fingerprint) {
    if (!recorded.contains(key))
      throw InputError(fmt::format("{}: the checkpoint does not record key '{}', which a restart must keep (written "
                                   "by an older Tessera?)",
                                   path.string(), key));
  }
}

void RunLoop::begin(double position, double end)
{
  std::int64_t table_bytes = 0;
  std::uint64_t table_sum = 0;
  if (reader_) {
    const double recorded = reader_->attribute_real(attr_position);
    if (recorded != position)
      throw Error(ExitCode::failure, fmt::format("{}: the simulation restarted at {} {}, the checkpoint says {}",
                                                 reader_->path().string(), info_.unit.name, position, recorded));
    // Nothing left to run would end "successfully" with results of no work (an energy error
    // of 0 after 0 steps): refused, so that a mistyped end is seen.
    if (reached(position, end))
      throw InputError(fmt::format("{}: nothing left to run: the checkpoint is at {} {} and the run ends at {}; "
                                   "raise the end to continue",
                                   reader_->path().string(), info_.unit.name, format_position(position, info_.unit),
                                   format_position(end, info_.unit)));
    units_ = reader_->attribute_int(attr_units);
    output_index_ = static_cast<int>(reader_->attribute_int(attr_output_index));
    has_output_ = reader_->has_attribute(attr_last_output);
    if (has_output_) last_output_position_ = reader_->attribute_real(attr_last_output);
    has_row_ = reader_->has_attribute(attr_last_row);
    if (has_row_) last_row_position_ = reader_->attribute_real(attr_last_row);
    table_bytes = reader_->attribute_int(attr_table_bytes);
    table_sum = static_cast<std::uint64_t>(reader_->attribute_int(attr_table_checksum));
    has_checkpoint_ = true;
    last_checkpoint_position_ = position;
    log::info("restarted from {} at {} {} ({} units of work done)", reader_->path().string(), info_.unit.name,
              format_position(position, info_.unit), units_);
    reader_.reset();
  }
  const auto table_file = info_.table_key.empty() ? info_.table_file : driver_.config.get_string(info_.table_key);
  if (!table_file.empty()) {
    table_ = std::make_unique<TableFile>(driver_.comm, context_.output_dir / table_file, info_.table_style);
    if (restarted_) {
      table_->resume(table_bytes, table_sum);
    } else {
      table_->start();
    }
  }
  start_position_ = position;
  units_at_start_ = units_;
  next_output_ = output_interval_ > 0 ? next_after(position, output_interval_) : never;
  next_row_ = table_interval_ > 0 ? next_after(position, table_interval_) : position;
  next_log_ = log_interval_ > 0 ? next_after(position, log_interval_) : position;
  next_checkpoint_ = checkpoint_interval_ > 0 ? next_after(position, checkpoint_interval_) : never;
  last_wall_checkpoint_ = wall_now();
  last_stop_file_check_ = last_wall_checkpoint_;
  begin_wall_ = last_wall_checkpoint_;
  last_batch_progress_ = begin_wall_;
  const double scale = info_.unit.continuous ? 1e6 : 1.0;
  progress_ = std::make_unique<Progress>(info_.unit.name, std::llround(end * scale),
                                         info_.unit.continuous ? info_.unit.name + " x 1e-6" : info_.unit.plural);
}

double RunLoop::next_after(double position, double step) const
{
  // The next multiple of `step` past `position`: the same schedule after a restart.
  return (std::floor(position / step * (1 + reach) + reach) + 1) * step;
}

bool RunLoop::remove_stop_file() const
{
  std::error_code ignored;
  return std::filesystem::remove(stop_file(), ignored);
}

bool RunLoop::at_end(double position, double end, bool finished) const
{
  return finished || reached(position, end);
}

LoopDecision RunLoop::after_unit(double position, double end, bool finished)
{
  ++units_;
  progress_->update(std::llround(position * (info_.unit.continuous ? 1e6 : 1.0)));
  const Comm& comm = driver_.comm;
  std::uint32_t flags = stop_requested() ? stop_by_signal : 0u;
  if (comm.is_root()) {
    const double now = wall_now();
    // A batch log (no live progress line on a terminal): a plain line now and then.
    if (!progress_->enabled() && progress_seconds_ > 0 && now - last_batch_progress_ >= progress_seconds_) {
      last_batch_progress_ = now;
      log::info("{}", batch_progress_line({.name = info_.name,
                                           .unit = info_.unit.name,
                                           .plural = info_.unit.plural,
                                           .continuous = info_.unit.continuous,
                                           .position = position,
                                           .end = end,
                                           .done = position - start_position_,
                                           .seconds = now - begin_wall_}));
    }
    if (checkpoint_wall_seconds_ > 0 && now - last_wall_checkpoint_ >= checkpoint_wall_seconds_)
      flags |= checkpoint_by_wall;
    if (table_ && !table_->error().empty()) flags |= table_failed;
    if (now - last_stop_file_check_ >= 1.0) {
      last_stop_file_check_ = now;
      std::error_code ignored;
      if (std::filesystem::exists(stop_file(), ignored)) flags |= stop_by_file;
    }
  }
  flags = comm.bitwise_or(flags);
  if (flags & table_failed) throw IoError(comm.broadcast(table_ ? table_->error() : std::string()));

  LoopDecision due;
  // A stop after the last unit of work comes too late to stop anything: the run is done.
  due.stop = (flags & (stop_by_signal | stop_by_file)) != 0 && !at_end(position, end, finished);
  if (due.stop && stop_reason_.empty())
    stop_reason_ = (flags & stop_by_signal) != 0 ? fmt::format("signal {}", stop_signal())
                                                 : fmt::format("stop file {}", stop_file().string());
  if (table_ && reached(position, next_row_)) {
    due.table = true;
    next_row_ = table_interval_ > 0 ? next_after(position, table_interval_) : position;
  }
  if (reached(position, next_output_)) {
    due.output = true;
    next_output_ = next_after(position, output_interval_);
  }
  if (reached(position, next_log_)) {
    due.log = true;
    next_log_ = log_interval_ > 0 ? next_after(position, log_interval_) : position;
  }
  const bool scheduled = reached(position, next_checkpoint_);
  if (scheduled) next_checkpoint_ = next_after(position, checkpoint_interval_);
  due.checkpoint = (scheduled || (flags & 2u)) && !at_end(position, end, finished);
  return due;
}

void RunLoop::table_row(const DiagnosticsRow& row, double position)
{
  if (table_) table_->append(row);
  has_row_ = true;
  last_row_position_ = position;
}

int RunLoop::take_output_index(double position, bool interrupted)
{
  // An output cut short by a stop signal (the histograms of the events done, or nothing)
  // neither counts as the output of this position nor uses up an index: the run continues.
  if (interrupted) return output_index_;
  has_output_ = true;
  last_output_position_ = position;
  return output_index_++;
}

void RunLoop::log_progress(double position, double end, const std::string& status)
{
  const double seconds = driver_.timers.seconds("advance");
  const double done = position - start_position_;
  const double rate = seconds > 0 ? done / seconds : 0;
  const std::string eta = position < end ? "  " + eta_text(end - position, rate) : "";
  progress_->erase();
  log::info("{} {} of {} ({:.0f}%)  {:.4g} {}/s{}{}", info_.unit.name, format_position(position, info_.unit),
            format_position(end, info_.unit), end > 0 ? 100.0 * position / end : 100.0, rate, info_.unit.plural, eta,
            status.empty() ? "" : "  | " + status);
}

void RunLoop::checkpoint(double position, const std::function<void(CheckpointWriter&)>& write)
{
  CheckpointWriter writer(driver_.comm, checkpoint_path_);
  write(writer);
  nlohmann::json fixed = nlohmann::json::object();
  for (const auto& [key, value] : driver_.config.restart_fingerprint())
    fixed[key] = value;
  writer.attribute(attr_simulation, info_.name);
  writer.attribute(attr_fixed_keys, fixed.dump());
  writer.attribute(attr_position, position);
  writer.attribute(attr_units, units_);
  writer.attribute(attr_output_index, static_cast<std::int64_t>(output_index_));
  if (has_output_) writer.attribute(attr_last_output, last_output_position_);
  if (has_row_) writer.attribute(attr_last_row, last_row_position_);
  writer.attribute(attr_table_bytes, table_ ? table_->bytes() : std::int64_t{0});
  writer.attribute(attr_table_checksum, static_cast<std::int64_t>(table_ ? table_->checksum() : 0));
  writer.attribute("tessera_commit", build_commit());
  writer.commit();
  has_checkpoint_ = true;
  checkpoint_written_ = true;
  last_checkpoint_position_ = position;
  last_wall_checkpoint_ = wall_now();
}

void RunLoop::unit_done()
{
  // Test hook (tests/drivers/contract.sh): a node failure after this many units of work,
  // after their rows and outputs and before any later checkpoint.
  if (kill_after_units_ >= 0 && units_ == kill_after_units_) std::raise(SIGKILL);
}

nlohmann::json RunLoop::finish(double position, bool interrupted, const Results& results)
{
  progress_->finish();
  if (table_ && !table_->error().empty()) throw IoError(table_->error());
  for (const auto& line : results.lines)
    log::info("{}", line);
  const double seconds = driver_.timers.seconds("advance");
  const auto units = units_ - units_at_start_;
  const double advanced = position - start_position_;
  const auto done = info_.unit.continuous
                        ? fmt::format("{} {}", format_position(advanced, info_.unit), info_.unit.plural)
                        : fmt::format("{} {}", std::llround(advanced),
                                      std::llround(advanced) == 1 ? info_.unit.name : info_.unit.plural);
  log::info("{} in {} ({:.4g} {}/s){}", done, format_duration(seconds), seconds > 0 ? advanced / seconds : 0.0,
            info_.unit.plural, results.rate > 0 ? fmt::format(" | {:.4g} {}", results.rate, results.rate_unit) : "");
  if (interrupted) {
    // The stop file has done its work: left there, it would stop the continued run at once.
    if (driver_.comm.is_root()) remove_stop_file();
    log::info("stop requested ({}): checkpoint at {} {}; continue with --restart {}",
              stop_reason_.empty() ? fmt::format("signal {}", stop_signal()) : stop_reason_, info_.unit.name,
              format_position(position, info_.unit), checkpoint_path_.string());
  }
  nlohmann::json out = results.json;
  out["interrupted"] = interrupted;
  // The checkpoint this run wrote (not the one it restarted from): what --restart continues.
  out["checkpoint"] = checkpoint_written_ ? checkpoint_path_.string() : "";
  out["run"] = {{"unit", info_.unit.name}, {"position", position},          {"start_position", start_position_},
                {"units_of_work", units},  {"units_of_work_total", units_}, {"advance_seconds", seconds},
                {"restarted", restarted_}, {"rate", results.rate},          {"rate_unit", results.rate_unit}};
  return out;
}

} // namespace tessera
