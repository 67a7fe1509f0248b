// SPDX-License-Identifier: Apache-2.0
// Every showered event: four-momentum conserved, massless on-shell partons, colour lines
// well formed, overflows flagged. Event k is the same whatever batch, pass length or
// offset it is showered with, and the same on every backend (pinned values).
#include <cmath>
#include <map>

#include <gtest/gtest.h>

#include "shower_testing.hpp"

using namespace tessera;
using namespace tessera::shower;
using namespace tessera::shower::testing;

namespace {
void expect_physical_events(const HostEvents& ev, std::int64_t count, double sqrt_s)
{
  for (std::int64_t i = 0; i < count; ++i) {
    ASSERT_EQ(ev.status(i), finished) << "event " << i;
    Vec4 total;
    std::map<int, int> colours, anticolours;
    for (int k = 0; k < ev.n(i); ++k) {
      const Parton& p = ev.partons(i, k);
      total += p.p;
      ASSERT_LT(std::abs(p.p.m2()), 1e-10 * p.p.e * sqrt_s) << "event " << i << " parton " << k << " off shell";
      ASSERT_GT(p.p.e, 0);
      const bool gluon = p.pid == gluon_pid, quark = p.pid >= 1 && p.pid <= 5, antiquark = p.pid <= -1 && p.pid >= -5;
      ASSERT_TRUE(gluon || quark || antiquark) << "pid " << p.pid;
      ASSERT_EQ(p.colour > 0, gluon || quark) << "event " << i << " parton " << k;
      ASSERT_EQ(p.anticolour > 0, gluon || antiquark) << "event " << i << " parton " << k;
      if (p.colour > 0) ++colours[p.colour];
      if (p.anticolour > 0) ++anticolours[p.anticolour];
    }
    EXPECT_NEAR(total.e, sqrt_s, 1e-10 * sqrt_s) << "event " << i;
    EXPECT_NEAR(total.px, 0, 1e-10 * sqrt_s) << "event " << i;
    EXPECT_NEAR(total.py, 0, 1e-10 * sqrt_s) << "event " << i;
    EXPECT_NEAR(total.pz, 0, 1e-10 * sqrt_s) << "event " << i;
    // Each colour index once as colour and once as anticolour.
    ASSERT_EQ(colours.size(), anticolours.size()) << "event " << i;
    for (const auto& [c, count_c] : colours) {
      ASSERT_EQ(count_c, 1) << "event " << i << " colour " << c;
      ASSERT_EQ(anticolours.count(c), 1u) << "event " << i << " colour " << c << " has no anticolour partner";
      ASSERT_EQ(anticolours.at(c), 1) << "event " << i << " colour " << c;
    }
  }
}

class Events : public ::testing::TestWithParam<const char*> {};
} // namespace

TEST_P(Events, ConserveMomentumAndColour)
{
  const std::int64_t n = 5000;
  const auto ev = shower_events({std::string("shower.competition=") + GetParam()}, 0, n);
  expect_physical_events(ev, n, 91.2);
  // And showers happened: on average several partons.
  double partons = 0;
  for (std::int64_t i = 0; i < n; ++i)
    partons += ev.n(i);
  EXPECT_GT(partons / n, 4.0);
}

INSTANTIATE_TEST_SUITE_P(Competition, Events, ::testing::Values("summed", "per_dipole"));

// Event k does not depend on how it is scheduled: batch size, its row in the batch, or the
// pass length between compactions (the RNG resumes exactly): bit for bit.
TEST(Events, IndependentOfBatchAndPasses)
{
  const auto whole = shower_events({"shower.trials_per_pass=0"}, 100, 512);
  for (const char* per_pass : {"shower.trials_per_pass=1", "shower.trials_per_pass=7"}) {
    const auto offset = shower_events({per_pass}, 300, 100); // events 300..399
    for (std::int64_t i = 0; i < 100; ++i) {
      const std::int64_t w = i + 200;
      ASSERT_EQ(offset.n(i), whole.n(w)) << per_pass << " event " << 300 + i;
      ASSERT_EQ(offset.trials(i), whole.trials(w));
      for (int k = 0; k < whole.n(w); ++k) {
        ASSERT_EQ(offset.partons(i, k).pid, whole.partons(w, k).pid);
        ASSERT_EQ(offset.partons(i, k).colour, whole.partons(w, k).colour);
        ASSERT_EQ(offset.partons(i, k).p.e, whole.partons(w, k).p.e);
        ASSERT_EQ(offset.partons(i, k).p.pz, whole.partons(w, k).p.pz);
      }
    }
  }
}

// Pinned values of a few events at seed 1 (recorded with the OpenMP build; the CUDA build
// must give the same): the branching history is identical (multiplicity, flavours, trial
// count: integers, exact) and the momenta agree to rounding (CUDA's and glibc's log, exp
// and pow may differ in the last bit; a veto decision flipping on such a difference would
// show as a different history, with a probability of order 1e-13 per event).
TEST(Events, PinnedAcrossBackends)
{
  struct Pinned {
    std::int64_t event;
    int n, trials, pid_sum;
    double px0, e_last;
  };
  // clang-format off
  const Pinned pinned[] = {
      {0, 4, 34, 145, -5.0336152459852945, 31.246721021443275},
      {1, 10, 63, 941, -14.255385362526933, 6.5688644199006259},
      {2, 4, 32, 145, 27.179543554851406, 0.66661088905352428},
      {777, 3, 24, 61, -10.319493824961011, 2.8904789828159481},
      {123456789, 6, 31, 376, -12.460426019936458, 10.642513717713555},
  };
  // clang-format on
  for (const auto& pin : pinned) {
    const auto ev = shower_events({}, pin.event, 1);
    int pid_sum = 0;
    for (int k = 0; k < ev.n(0); ++k)
      pid_sum += ev.partons(0, k).pid * (k + 1);
    EXPECT_EQ(ev.n(0), pin.n) << "event " << pin.event;
    EXPECT_EQ(ev.trials(0), pin.trials) << "event " << pin.event;
    EXPECT_EQ(pid_sum, pin.pid_sum) << "event " << pin.event;
    EXPECT_NEAR(ev.partons(0, 0).p.px, pin.px0, 1e-11 * 91.2) << "event " << pin.event;
    EXPECT_NEAR(ev.partons(0, ev.n(0) - 1).p.e, pin.e_last, 1e-11 * 91.2) << "event " << pin.event;
  }
}

// Too few parton slots: the events that need more are flagged, never silently truncated,
// and the others are complete.
TEST(Events, OverflowIsDetected)
{
  const std::int64_t n = 2000;
  const auto ev = shower_events({"shower.max_partons=4"}, 0, n);
  int overflows = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (ev.status(i) == overflow) {
      ++overflows;
      EXPECT_EQ(ev.n(i), 4);
    } else {
      ASSERT_EQ(ev.status(i), finished);
      EXPECT_LE(ev.n(i), 4);
    }
  }
  EXPECT_GT(overflows, n / 10);
  EXPECT_LT(overflows, n);
}
