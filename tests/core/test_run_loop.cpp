// SPDX-License-Identifier: Apache-2.0
// The run loop (core/run_loop.hpp) around a toy simulation: the schedules of rows, outputs
// and checkpoints; a restart that continues exactly and cuts the table back to its
// checkpoint (what a killed run leaves behind); refusals of a changed fixed key and of
// another simulation's checkpoint; a stop signal ending the run after its unit of work.
#include <csignal>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/run_loop.hpp"
#include "test_paths.hpp"

using namespace tessera;

namespace {

// value <- value * growth + step, one step per unit of work: any change of growth, a lost
// or repeated step or a wrong restart shows in the value.
class Toy {
public:
  struct Params {
    std::int64_t end;
    double growth;
  };
  static ProgressUnit unit() { return {"step", "steps", false}; }
  static SimulationInfo info()
  {
    SimulationInfo i;
    i.name = "toy";
    i.description = "a toy";
    i.unit = unit();
    i.table_file = "toy.dat";
    i.output_files = {"toy_*.txt"};
    i.initial_output = true;
    return i;
  }
  static ConfigSchema schema()
  {
    ConfigSchema s;
    s.add_int("toy.end", 10, "steps", 0, 1000).add_real("toy.growth", 1.5, "growth per step", 0.0, 10.0);
    declare_run_keys(
        s, unit(),
        {.checkpoint_interval = 4, .output_interval = 5, .table_interval = 2, .has_output = true, .has_table = true});
    s.fixed_on_restart({"toy.growth"});
    s.renamed("toy.steps", "toy.end");
    return s;
  }
  static Params params(const Config& c) { return {c.get_int("toy.end"), c.get_real("toy.growth")}; }

  Toy(const RunContext& context, const Params& p) : context_(context), p_(p) {}
  Toy(const RunContext& context, const Params& p, CheckpointReader& reader) : context_(context), p_(p)
  {
    step_ = reader.attribute_int("step");
    value_ = reader.read_shared<double>("value").at(0);
  }
  void advance(double)
  {
    ++step_;
    value_ = value_ * p_.growth + static_cast<double>(step_);
    if (step_ == stop_at) request_stop(SIGTERM);
  }
  double position() const { return static_cast<double>(step_); }
  double end() const { return static_cast<double>(p_.end); }
  void write_checkpoint(CheckpointWriter& writer) const
  {
    HostView<double*> v("value", 1);
    v(0) = value_;
    writer.write_shared("value", v);
    writer.attribute("step", step_);
  }
  DiagnosticsRow diagnostics() const { return DiagnosticsRow().add("step", step_).add("value", value_); }
  void write_output(const OutputRequest& r)
  {
    if (!context_.comm.is_root()) return;
    std::ofstream(context_.output_dir / ("toy_" + std::to_string(r.index) + ".txt"))
        << step_ << (r.final ? " final" : "") << (r.interrupted ? " interrupted" : "") << "\n";
  }
  Results results() { return {{{"value", value_}, {"step", step_}}, {}, 0, ""}; }

  static inline std::int64_t stop_at = -1;

private:
  RunContext context_;
  Params p_;
  std::int64_t step_ = 0;
  double value_ = 0;
};

static_assert(SimulationContract<Toy>);

nlohmann::json run(const Comm& comm, const std::filesystem::path& dir, std::vector<std::string> overrides,
                   std::optional<std::filesystem::path> restart = {})
{
  const auto config = Config::parse(Toy::schema(), "", "(test)", overrides);
  DriverOptions options;
  options.output_dir = dir;
  options.restart = restart;
  if (comm.is_root()) std::filesystem::create_directories(dir);
  comm.barrier();
  PhaseTimers timers;
  const DriverContext context{nullptr, comm, config, options, timers};
  return run_simulation<Toy>(context);
}

std::string read(const std::filesystem::path& path)
{
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string input_error(const std::function<void()>& f)
{
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

double uninterrupted_value(int end)
{
  double v = 0;
  for (int s = 1; s <= end; ++s)
    v = v * 1.5 + s;
  return v;
}

TEST(RunLoop, SchedulesRowsOutputsAndCheckpoints)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "run-loop-schedule");
  const auto r = run(comm, dir.path(), {});
  EXPECT_EQ(r["value"].get<double>(), uninterrupted_value(10));
  EXPECT_FALSE(r["interrupted"].get<bool>());
  EXPECT_EQ(r["run"]["units_of_work"].get<std::int64_t>(), 10);
  if (comm.is_root()) {
    // Rows at 0 (the initial output) and every 2 steps; outputs at 0, 5, 10.
    const auto table = read(dir / "toy.dat");
    EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 7) << table;
    EXPECT_EQ(table.substr(0, 13), "# step value\n");
    EXPECT_EQ(read(dir / "toy_0.txt"), "0\n");
    EXPECT_EQ(read(dir / "toy_1.txt"), "5\n");
    EXPECT_EQ(read(dir / "toy_2.txt"), "10\n");
    EXPECT_FALSE(std::filesystem::exists(dir / "toy_3.txt")); // the final one was already written at 10
  }
  CheckpointReader final_checkpoint(comm, dir / "toy.chk.h5");
  EXPECT_EQ(final_checkpoint.attribute_int("step"), 10);
  EXPECT_EQ(final_checkpoint.attribute_string("tessera_simulation"), "toy");
}

TEST(RunLoop, RestartFromAnEarlierCheckpointCutsTheTableAndContinuesExactly)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "run-loop-restart");
  // A run to 6 (checkpoint at 4, final at 6), then on to 10 in the same folder; and a run
  // "killed" after step 10 whose last good checkpoint is the one of step 4: restarted from
  // it, the table is cut back to step 4 and ends as the uninterrupted one.
  run(comm, dir / "ref", {});
  run(comm, dir / "split", {"toy.end=6"});
  const auto r = run(comm, dir / "split", {"output.checkpoint_interval=3"}, dir / "split" / "toy.chk.h5");
  EXPECT_EQ(r["value"].get<double>(), uninterrupted_value(10));
  run(comm, dir / "killed", {"toy.end=4"});
  if (comm.is_root()) std::filesystem::copy_file(dir / "killed" / "toy.chk.h5", dir / "step4.chk.h5");
  comm.barrier();
  run(comm, dir / "killed", {});
  const auto k = run(comm, dir / "killed", {}, dir / "step4.chk.h5");
  EXPECT_EQ(k["value"].get<double>(), uninterrupted_value(10));
  if (comm.is_root()) {
    EXPECT_EQ(read(dir / "split" / "toy.dat"), read(dir / "ref" / "toy.dat"));
    EXPECT_EQ(read(dir / "killed" / "toy.dat"), read(dir / "ref" / "toy.dat"));
    // The first part ended with its final output; the index continues after it.
    EXPECT_EQ(read(dir / "split" / "toy_2.txt"), "6 final\n");
    EXPECT_EQ(read(dir / "split" / "toy_3.txt"), "10\n");
  }
}

TEST(RunLoop, RestartIntoAnotherFolderStartsTheTableThere)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "run-loop-elsewhere");
  run(comm, dir / "a", {"toy.end=6"});
  run(comm, dir / "b", {}, dir / "a" / "toy.chk.h5");
  if (comm.is_root()) {
    const auto table = read(dir / "b" / "toy.dat");
    EXPECT_EQ(table.substr(0, 15), "# step value\n8 ") << table;
  }
}

TEST(RunLoop, RestartRefusesAChangedFixedKeyAndAnotherSimulationsCheckpoint)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "run-loop-refusals");
  run(comm, dir.path(), {"toy.end=4"});
  const auto checkpoint = dir / "toy.chk.h5";
  EXPECT_NE(input_error([&] { run(comm, dir.path(), {"toy.growth=2"}, checkpoint); })
                .find("the checkpoint was written by another run (written with other settings): key 'toy.growth' = "
                      "1.5 there, 2 now"),
            std::string::npos);
  if (comm.is_root()) {
    const Comm self(MPI_COMM_SELF);
    CheckpointWriter other(self, dir / "other.chk.h5");
    other.attribute("tessera_simulation", "nbody");
    other.attribute("tessera_fixed_keys", "{}");
    other.commit();
  }
  comm.barrier();
  EXPECT_NE(input_error([&] {
              run(comm, dir.path(), {}, dir / "other.chk.h5");
            }).find("other.chk.h5: a checkpoint of tessera-nbody, not of tessera-toy"),
            std::string::npos);
}

// A restart whose end the checkpoint has reached would do no work and report results of none
// (nbody printed an energy error of 0 after 0 steps): refused, naming both positions.
TEST(RunLoop, ARestartWithNothingLeftToRunIsRefused)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "run-loop-nothing-left");
  run(comm, dir.path(), {"toy.end=4"});
  const auto checkpoint = dir / "toy.chk.h5";
  for (const auto* end : {"toy.end=4", "toy.end=3"}) {
    EXPECT_NE(input_error([&] {
                run(comm, dir.path(), {end}, checkpoint);
              }).find("toy.chk.h5: nothing left to run: the checkpoint is at step 4 and the run ends at "),
              std::string::npos)
        << end;
  }
  const auto table = read(dir / "toy.dat");
  const auto continued = run(comm, dir.path(), {"toy.end=6"}, checkpoint);
  EXPECT_EQ(continued["value"].get<double>(), uninterrupted_value(6));
  if (comm.is_root()) {
    EXPECT_EQ(read(dir / "toy.dat").substr(0, table.size()), table);
  }
}

TEST(RunLoop, AStopSignalEndsTheRunAfterItsUnitOfWorkWithACheckpoint)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "run-loop-stop");
  Toy::stop_at = 3;
  const auto r = run(comm, dir.path(), {});
  Toy::stop_at = -1;
  request_stop(0);
  EXPECT_TRUE(r["interrupted"].get<bool>());
  EXPECT_EQ(r["step"].get<std::int64_t>(), 3);
  {
    CheckpointReader checkpoint(comm, dir / "toy.chk.h5");
    EXPECT_EQ(checkpoint.attribute_int("step"), 3);
  }
  if (comm.is_root()) {
    EXPECT_EQ(read(dir / "toy_1.txt"), "3 final interrupted\n");
  }
  const auto rest = run(comm, dir.path(), {}, dir / "toy.chk.h5");
  EXPECT_EQ(rest["value"].get<double>(), uninterrupted_value(10));
}

TEST(RunLoop, TableThatIsNotTheCheckpointsIsRefused)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "run-loop-edited-table");
  run(comm, dir.path(), {"toy.end=4"});
  if (comm.is_root()) std::ofstream(dir / "toy.dat") << "# step value\n0 0\n2 7\n4 99\n";
  comm.barrier();
  try {
    run(comm, dir.path(), {}, dir / "toy.chk.h5");
    ADD_FAILURE() << "an edited table was accepted";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("toy.dat: does not begin with the rows of the run"), std::string::npos)
        << e.what();
  }
}

TEST(RunLoop, RenamedKeyNamesTheNewOne)
{
  EXPECT_EQ(input_error([] { Config::parse(Toy::schema(), "[toy]\nsteps = 3\n", "in.toml"); }),
            "in.toml:2: key 'toy.steps' was renamed 'toy.end' (see --help-input)");
  const auto c = Config::parse(Toy::schema(), "", "in.toml");
  EXPECT_EQ(c.restart_fingerprint(), (std::map<std::string, std::string>{{"toy.growth", "1.5"}}));
}

TEST(RunLoop, RanksThatReadDifferentSettingsAreRefusedWithTheFirstDifference)
{
  const Comm comm;
  StartUpSettings mine;
  mine.settings = {{"key 'toy.end'", "10"}, {"key 'toy.growth'", comm.rank() == 1 ? "2" : "1.5"}};
  if (comm.size() == 1) {
    EXPECT_NO_THROW(agree_on_start_up(comm, mine));
    return;
  }
  EXPECT_EQ(input_error([&] { agree_on_start_up(comm, mine); }),
            "the ranks were started with different settings: key 'toy.growth' = 1.5 on rank 0, 2 on rank 1");
  StartUpSettings failing = mine;
  failing.settings[1].second = "1.5";
  if (comm.rank() == 1) {
    failing.error_code = ExitCode::bad_input;
    failing.error_message = "in.toml: input file not found";
  }
  EXPECT_EQ(input_error([&] { agree_on_start_up(comm, failing); }),
            "the ranks were started with different settings: rank 1 could not read its input (in.toml: input "
            "file not found), rank 0 could");
}

} // namespace
