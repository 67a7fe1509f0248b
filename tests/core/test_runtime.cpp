// SPDX-License-Identifier: Apache-2.0
// Progress lines, phase timers and the runtime description.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "tessera/core/driver.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/core/timers.hpp"

using namespace tessera;

TEST(Progress, LineShowsPercentRateAndEta)
{
  const Progress p("stepping", 1000, "steps", false);
  EXPECT_EQ(p.line(250, 10.0), "  stepping  25% 250/1000  25 steps/s  ETA 30 s");
  EXPECT_EQ(p.line(1000, 10.0), "  stepping 100% 1000/1000  100 steps/s");
  EXPECT_EQ(p.line(10, 1.0), "  stepping   1% 10/1000  10 steps/s  ETA 1 min 39 s");
}

TEST(Progress, SilentWhenNotATerminal)
{
  // ctest's output is not a terminal: a Progress made with the default rule is disabled.
  const Progress p("stepping", 10);
  EXPECT_FALSE(p.enabled());
}

TEST(Progress, BatchLineFormat)
{
  // A batch log gets plain lines (no carriage return): percent, position, rate, ETA.
  BatchProgress p{.name = "nbody", .unit = "time", .plural = "time units", .continuous = true};
  p.position = 4.2, p.end = 10, p.done = 4.2, p.seconds = 60 * 4.2 / 1.3; // 1.3 time units/min
  EXPECT_EQ(batch_progress_line(p), "progress: nbody 42% time 4.2/10 (1.3 time units/min) ETA 4 min");
  BatchProgress q{.name = "lqcd", .unit = "trajectory", .plural = "trajectories", .continuous = false};
  q.position = 40, q.end = 100, q.done = 30, q.seconds = 12; // restarted at 10: 2.5 trajectories/s
  EXPECT_EQ(batch_progress_line(q), "progress: lqcd 40% trajectory 40/100 (2.5 trajectories/s) ETA 24 s");
  q.position = 100, q.done = 90; // at the end: no ETA
  EXPECT_EQ(batch_progress_line(q), "progress: lqcd 100% trajectory 100/100 (7.5 trajectories/s)");
  q.position = 3, q.done = 3, q.seconds = 3 * 3600;
  EXPECT_EQ(batch_progress_line(q), "progress: lqcd 3% trajectory 3/100 (0.0167 trajectories/min) ETA 97.0 h");
  EXPECT_EQ(batch_progress_line(q).find('\r'), std::string::npos);
}

TEST(Progress, EtaGuardAgainstAbsurdRates)
{
  EXPECT_EQ(eta_text(50, 2), "ETA 25 s");
  EXPECT_EQ(eta_text(600, 1), "ETA 10 min");
  EXPECT_EQ(eta_text(3.6e6, 100), "ETA 10.0 h");
  // A blown-up run (the rate of a time step that collapsed to 1e-140): unknown, not 1e140 h.
  EXPECT_EQ(eta_text(10, 1e-140), "ETA unknown");
  EXPECT_EQ(eta_text(10, 0), "ETA unknown");
  EXPECT_EQ(eta_text(10, -1), "ETA unknown");
  EXPECT_EQ(eta_text(10, std::numeric_limits<double>::quiet_NaN()), "ETA unknown");
  EXPECT_EQ(eta_text(10, std::numeric_limits<double>::infinity()), "ETA unknown");
  EXPECT_EQ(eta_text(std::numeric_limits<double>::infinity(), 1), "ETA unknown");
  EXPECT_EQ(eta_text(3.6e9, 1), "ETA 1000000.0 h"); // 1e6 h: the last one shown
  EXPECT_EQ(eta_text(3.7e9, 1), "ETA unknown");
  BatchProgress p{.name = "amr", .unit = "time", .plural = "time", .continuous = true};
  p.position = 1e-140, p.end = 1, p.done = 1e-140, p.seconds = 10;
  EXPECT_EQ(batch_progress_line(p), "progress: amr 0% time 1e-140/1 (6e-140 time/min) ETA unknown");
  // The live line on a terminal has the same guard.
  const Progress live("stepping", 1000, "steps", false);
  EXPECT_EQ(live.line(0, 10.0), "  stepping   0% 0/1000  0 steps/s  ETA unknown");
}

TEST(DriverFiles, NumberedSeriesAreOneEntryInNaturalOrder)
{
  EXPECT_EQ(group_numbered_files({"plot_10.h5", "nbody.log", "plot_9.h5", "plot_0.h5", "diagnostics.dat"}),
            (std::vector<std::string>{"diagnostics.dat", "nbody.log", "plot_0.h5 ... plot_10.h5 (3 files)"}));
  // One numbered file is not a series; a series of checkpoints of another name is another.
  EXPECT_EQ(
      group_numbered_files({"snapshot_0000.h5", "summary.json", "conf_0001.lime", "conf_0002.lime"}),
      (std::vector<std::string>{"conf_0001.lime ... conf_0002.lime (2 files)", "snapshot_0000.h5", "summary.json"}));
  std::vector<std::string> many;
  for (int i = 0; i <= 1000; ++i)
    many.push_back(fmt::format("snapshot_{:04d}.h5", i));
  many.push_back("snapshots.xdmf");
  EXPECT_EQ(group_numbered_files(many),
            (std::vector<std::string>{"snapshot_0000.h5 ... snapshot_1000.h5 (1001 files)", "snapshots.xdmf"}));
}

TEST(DriverFiles, ListsTheFilesModifiedSinceTheStartWithoutHiddenOnesAndTheStopFile)
{
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("tessera-files-{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "plots");
  const auto touch = [&](const std::string& name) { std::ofstream(dir / name) << "x\n"; };
  touch("old.dat");
  std::filesystem::last_write_time(dir / "old.dat",
                                   std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  touch(".tessera.lock");
  const auto since = std::filesystem::last_write_time(dir / ".tessera.lock");
  for (const auto* name :
       {"demo.log", "stop", "demo.chk.h5.tmp", "plots/plot_0001.h5", "plots/plot_0002.h5", "summary.json"})
    touch(name);
  EXPECT_EQ(files_written(dir, since, {dir / "summary.json"}),
            (std::vector<std::string>{"demo.log", "plots/plot_0001.h5 ... plots/plot_0002.h5 (2 files)"}));
  EXPECT_EQ(default_output_dir(DriverInfo{"nbody", "", nullptr}), std::filesystem::path("runs/nbody"));
  std::filesystem::remove_all(dir);
}

TEST(Timers, AccumulatePerPhase)
{
  PhaseTimers timers;
  timers.add("force", 1.5);
  timers.add("force", 0.5);
  timers.add("io", 1.0);
  {
    auto t = timers.scope("scoped");
  }
  EXPECT_DOUBLE_EQ(timers.seconds("force"), 2.0);
  EXPECT_EQ(timers.to_json()["force"]["calls"], 2);
  EXPECT_EQ(timers.to_json()["scoped"]["calls"], 1);
  EXPECT_GE(timers.total(), 3.0);
  EXPECT_NE(timers.table().find("force"), std::string::npos);
}

TEST(Runtime, DescriptionNamesBackendAndVersion)
{
  const auto version = kokkos_version();
  EXPECT_EQ(std::count(version.begin(), version.end(), '.'), 2);
  EXPECT_FALSE(device_name().empty());
  EXPECT_STREQ(backend_name(), ExecSpace::name());
}

// Issue 24: the one refusal every driver gives a problem too large for the memory.
TEST(Runtime, CheckMemoryRefusesWhatDoesNotFit)
{
  const Comm comm;
  EXPECT_NO_THROW(check_memory(comm, 1024.0, "a tiny problem", "never"));
  try {
    check_memory(comm, 1e6 * 1073741824.0, "ic.n = 7", "use fewer");
    ADD_FAILURE() << "10^6 GiB fits";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    const std::string text = e.what();
    EXPECT_EQ(text.rfind("ic.n = 7 needs about 1000000.0 GiB per rank, more than the ", 0), 0u) << text;
    EXPECT_EQ(text.substr(text.size() - 20), " GiB free; use fewer") << text;
  }
}

TEST(Runtime, StopFlag)
{
  EXPECT_FALSE(stop_requested());
  request_stop(15);
  EXPECT_TRUE(stop_requested());
  EXPECT_EQ(stop_signal(), 15);
  request_stop(0);
  EXPECT_FALSE(stop_requested());
}
