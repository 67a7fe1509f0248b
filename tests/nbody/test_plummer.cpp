// SPDX-License-Identifier: Apache-2.0
// The energy error of the default integrator on a Plummer sphere of 4096 stars to t = 1, and
// its fall with eta: the run of tessera-nbody's default deck at a quarter of its size. Many
// seconds on 2 cores: a test of its own (label slow; docs/building.md).
#include <gtest/gtest.h>

#include "nbody_testing.hpp"

using namespace tessera;
using namespace tessera::nbody;
using namespace tessera::nbody::testing;

TEST(Hermite, PlummerEnergyErrorWithBlockStepsAndItsFallWithEta)
{
  const Comm comm;
  const Params p = plummer_params(4096, 0.02);
  Simulation sim(RunContext{comm}, p);
  const double err = energy_error(comm, sim, p, 1.0);
  EXPECT_LT(err, 1e-6);
  const Params tighter = plummer_params(4096, 0.01);
  Simulation sim2(RunContext{comm}, tighter);
  const double err_tight = energy_error(comm, sim2, tighter, 1.0);
  EXPECT_LT(err_tight, err) << "eta 0.02: " << err << ", eta 0.01: " << err_tight;
  RecordProperty("dE_eta_0.02", std::to_string(err));
  RecordProperty("dE_eta_0.01", std::to_string(err_tight));
}
