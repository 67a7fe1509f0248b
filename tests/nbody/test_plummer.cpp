// SPDX-License-Identifier: Apache-2.0
// The energy error of the default integrator on a Plummer sphere of 4096 stars to t = 1, and
// its fall with eta: the run of tessera-nbody's default deck at a quarter of its size. Many
// seconds on 2 cores each: tests of their own (label slow; docs/building.md), one ctest entry
// per eta (the finer one as test_nbody_plummer.split) so that neither nears a minute.
#include <cstdio>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "nbody_testing.hpp"

using namespace tessera;
using namespace tessera::nbody;
using namespace tessera::nbody::testing;

namespace {

double plummer_energy_error(double eta)
{
  const Comm comm;
  const Params p = plummer_params(4096, eta);
  Simulation sim(RunContext{comm}, p);
  const double err = energy_error(comm, sim, p, 1.0);
  std::printf("eta %g: |dE/E0| = %.3e\n", eta, err);
  ::testing::Test::RecordProperty(fmt::format("dE_eta_{}", eta), fmt::format("{:.3e}", err));
  return err;
}

} // namespace

// Measured (openmp, 2 threads): 2.76e-8 at eta 0.02, 1.42e-8 at eta 0.01. The error falls by
// about 2, not the 4 of dt ~ sqrt(eta) and a fourth-order error, because the block steps are
// powers of two and dt_max caps the slowest stars. The bounds leave room for the rounding of
// other backends, and the finer one is below the coarser run's error.
TEST(Hermite, PlummerEnergyErrorAtTheDefaultEta)
{
  EXPECT_LT(plummer_energy_error(0.02), 4e-8);
}

TEST(HermiteFinerEta, PlummerEnergyErrorFallsBelowTheDefaultEtas)
{
  EXPECT_LT(plummer_energy_error(0.01), 2e-8);
}
