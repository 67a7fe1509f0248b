// SPDX-License-Identifier: Apache-2.0
// Progress lines, phase timers and the runtime description.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

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
