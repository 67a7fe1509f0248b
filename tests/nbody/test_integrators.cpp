// SPDX-License-Identifier: Apache-2.0
// Hermite and leapfrog against analytic and conserved quantities.
#include <cmath>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "nbody_testing.hpp"
#include "tessera/nbody/diagnostics.hpp"
#include "tessera/nbody/hermite.hpp"
#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/simulation.hpp"

using namespace tessera;
using namespace tessera::nbody;
using namespace tessera::nbody::testing;

namespace {
constexpr double pi = 3.14159265358979323846;

// Two equal masses (M = 1) on a Kepler orbit with semi-major axis 1 and eccentricity e,
// starting at pericentre; the period is 2 pi.
State kepler(const Comm& comm, double e)
{
  State s = allocate(comm, 2);
  auto x = Kokkos::create_mirror_view(s.x);
  auto v = Kokkos::create_mirror_view(s.v);
  auto m = Kokkos::create_mirror_view(s.m);
  const double r = 1.0 - e, speed = std::sqrt((1.0 + e) / (1.0 - e));
  for (int k = 0; k < 2; ++k) {
    const double sign = k == 0 ? -0.5 : 0.5;
    m(k) = 0.5;
    x(k, 0) = sign * r;
    x(k, 1) = x(k, 2) = 0;
    v(k, 0) = v(k, 2) = 0;
    v(k, 1) = sign * speed;
  }
  Kokkos::deep_copy(s.x, x);
  Kokkos::deep_copy(s.v, v);
  Kokkos::deep_copy(s.m, m);
  return s;
}

double kepler_error_after_one_period(double steps_per_orbit)
{
  const Comm comm;
  State s = kepler(comm, 0.5);
  const auto start = host_copy(s.x);
  const auto p = params_for<Simulation>({"integrator.kind=hermite_shared", "gravity.softening=0",
                                         fmt::format("integrator.dt_fixed={:.17g}", 2 * pi / steps_per_orbit),
                                         "integrator.dt_max=1", fmt::format("run.t_end={:.17g}", 2 * pi)});
  Hermite hermite(comm, s, p);
  hermite.start();
  while (s.time < p.t_end * (1 - 1e-14))
    hermite.step(p.t_end);
  const auto end = to_host(s.x);
  double err = 0;
  for (int k = 0; k < 2; ++k)
    for (int d = 0; d < 3; ++d)
      err = std::max(err, std::abs(end(k, d) - start(k, d)));
  EXPECT_NEAR(s.time, 2 * pi, 1e-12);
  return err;
}

} // namespace

TEST(Hermite, KeplerOrbitIsFourthOrder)
{
  const double coarse = kepler_error_after_one_period(400);
  const double fine = kepler_error_after_one_period(800);
  EXPECT_LT(coarse, 1e-4);
  const double ratio = coarse / fine;
  EXPECT_GT(ratio, 12.0) << "coarse " << coarse << " fine " << fine;
  EXPECT_LT(ratio, 20.0) << "coarse " << coarse << " fine " << fine;
}

TEST(Hermite, MomentumAndAngularMomentumConserved)
{
  const Comm comm;
  const Params p = plummer_params(64, 0.001, {"gravity.softening=0", "integrator.kind=hermite_shared"});
  State s = initial_state(comm, p);
  const auto l0 = angular_momentum(comm, s);
  const auto c0 = centre_of_mass(comm, s);
  Hermite hermite(comm, s, p);
  hermite.start();
  while (s.time < 0.125)
    hermite.step(0.125);
  const auto l1 = angular_momentum(comm, s);
  const auto c1 = centre_of_mass(comm, s);
  for (int d = 0; d < 3; ++d) {
    EXPECT_NEAR(c1.velocity[d], c0.velocity[d], 1e-15) << "momentum, axis " << d;
    // Hermite is not symplectic: L is conserved to its truncation error, which with
    // eta = 0.001 (dt^4 ~ 100x smaller than at eta = 0.01, where |dL| was 2e-11) is ~1e-13.
    EXPECT_NEAR(l1[d], l0[d], 1e-12) << "angular momentum, axis " << d;
  }
}

TEST(Hermite, BlockAndSharedStepsAgreeForSmallEta)
{
  const Comm comm;
  const Params p = plummer_params(256, 0.0005);
  const Params q = plummer_params(256, 0.0005, {"integrator.kind=hermite_shared"});
  Simulation block(RunContext{comm}, p), shared(RunContext{comm}, q);
  const double t = 0.0625;
  energy_error(comm, block, p, t);
  energy_error(comm, shared, q, t);
  const auto xb = to_host(block.state().x), xs = to_host(shared.state().x);
  double worst = 0;
  for (Index i = 0; i < block.state().local(); ++i)
    for (int d = 0; d < 3; ++d)
      worst = std::max(worst, std::abs(xb(i, d) - xs(i, d)));
  EXPECT_LT(worst, 1e-9);
  // block steps: more, smaller steps for few particles each
  EXPECT_GT(block.state().steps, shared.state().steps);
}

TEST(Leapfrog, SecondOrderAndFp32CloseToFp64)
{
  const Comm comm;
  double errors[2];
  for (int k = 0; k < 2; ++k) {
    const Params p = plummer_params(
        512, 0.02,
        {"integrator.kind=leapfrog", k == 0 ? "integrator.dt_fixed=0.00390625" : "integrator.dt_fixed=0.001953125"});
    Simulation sim(RunContext{comm}, p);
    errors[k] = energy_error(comm, sim, p, 0.125);
  }
  EXPECT_LT(errors[0], 1e-4);
  EXPECT_GT(errors[0] / errors[1], 2.5); // 4 for a clean second-order error
  const Params p32 = plummer_params(
      512, 0.02, {"integrator.kind=leapfrog", "integrator.precision=fp32", "integrator.dt_fixed=0.001953125"});
  Simulation sim32(RunContext{comm}, p32);
  EXPECT_LT(energy_error(comm, sim32, p32, 0.125), 1e-4);
}

TEST(InitialConditions, PlummerIsInStandardUnits)
{
  const Comm comm;
  const Params p = plummer_params(2048, 0.02);
  const State s = initial_state(comm, p);
  const auto e = energies(comm, s, p.softening);
  EXPECT_NEAR(e.total(), -0.25, 1e-12);
  EXPECT_NEAR(e.kinetic / std::abs(e.potential), 0.5, 2e-3);
  const auto com = centre_of_mass(comm, s);
  for (int d = 0; d < 3; ++d)
    EXPECT_NEAR(com.position[d], 0.0, 1e-14);
  const auto radii = lagrangian_radii(comm, s, com);
  EXPECT_NEAR(radii[2], 0.769, 0.05); // Plummer half-mass radius in Henon units
}
