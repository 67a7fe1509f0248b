// SPDX-License-Identifier: Apache-2.0
// Forces against the numerical derivative of the action along a random direction, and the
// HMC: reversibility, dH ~ dt^2 for leapfrog, <exp(-dH)> = 1, thermalisation from cold; a
// non-finite H ends the run (exit code 1) naming the trajectory.
#include <cmath>
#include <string>

#include <gtest/gtest.h>

#include "lqcd_test_fields.hpp"
#include "tessera/lqcd/hmc.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace lq = tessera::lqcd;
namespace lt = tessera::lqcd::testing;
using tessera::Comm;

namespace {

const std::array<int, 4> small{4, 4, 4, 4};

// S(exp(eps w) U) by central differences, against 2 sum tr(w F) from the force F = dP/dt
// (dS/dt = 2 sum tr(P dP/dt) along U' = P U).
template <class Action, class Force>
void expect_force_is_derivative(const lq::Decomposition& d, const lq::Links& u, const Action& action,
                                const Force& add_force)
{
  auto w = lq::allocate_links<double>(d.geometry(), "w");
  lq::draw_momenta(d, w, 77, 3);
  auto f = lq::allocate_links<double>(d.geometry(), "f");
  lq::set_zero(f);
  add_force(u, f);
  const double analytic = 2 * lq::trace_product(d, w, f);
  auto shifted = lq::allocate_links<double>(d.geometry(), "shifted");
  const double eps = 1e-4;
  double s[2];
  for (int k = 0; k < 2; ++k) {
    Kokkos::deep_copy(shifted, u);
    lq::update_links(d, shifted, w, k == 0 ? eps : -eps);
    s[k] = action(shifted);
  }
  const double numeric = (s[0] - s[1]) / (2 * eps);
  EXPECT_NEAR(numeric, analytic, 1e-6 * std::abs(analytic)) << "numeric " << numeric << " analytic " << analytic;
}

// The HMC of the integrator tests: beta 5.6, kappa 0.14, solves to 1e-14, and `more` keys.
lq::HmcParams test_params(int flavours, std::vector<std::string> more)
{
  more.insert(more.begin(), {"action.beta=5.6", "action.flavours=" + std::to_string(flavours), "action.kappa=0.14",
                             "solver.tolerance=1e-14", "solver.force_tolerance=1e-14", "solver.max_iterations=5000"});
  return lt::params(more).hmc;
}

} // namespace

TEST(Forces, GaugeForceIsTheDerivativeOfTheWilsonAction)
{
  const lq::Decomposition d(Comm(), small, {});
  const auto u = lq::hot_start(d, 21);
  const double beta = 5.5;
  expect_force_is_derivative(
      d, u, [&](const lq::Links& v) { return lq::wilson_action(d, v, beta); },
      [&](const lq::Links& v, const lq::Links& f) { lq::add_gauge_force(d, v, beta, 1.0, f); });
}

TEST(Forces, FermionForceIsTheDerivativeOfThePseudofermionAction)
{
  const lq::Decomposition d(Comm(), small, {});
  // a mildly rough field: a few pure-gauge trajectories from a hot start would do; a hot start
  // with a small kappa keeps the solves short
  const auto u = lq::hot_start(d, 22);
  const auto wilson = lt::wilson(0.14);
  const auto tight = lt::solver(1e-13, 5000);
  // the pseudofermion belongs to the unshifted links; the action is then evaluated with the
  // same phi on shifted links
  lq::TwoFlavourWilson fermions(d, u, wilson, lq::SolverKind::cg_even_odd, tight, tight);
  fermions.refresh(5, 0);
  const auto phi = fermions.pseudofermion();
  const auto action = [&](const lq::Links& v) {
    lq::TwoFlavourWilson other(d, v, wilson, lq::SolverKind::cg_even_odd, tight, tight);
    Kokkos::deep_copy(other.pseudofermion(), phi);
    return other.action();
  };
  expect_force_is_derivative(d, u, action, [&](const lq::Links&, const lq::Links& f) { fermions.add_force(1.0, f); });
}

TEST(Hmc, ReversibleInDoublePrecision)
{
  for (int flavours : {0, 2}) {
    const lq::Decomposition d(Comm(), small, {});
    auto u = lq::hot_start(d, 4);
    const auto params = test_params(flavours, {"hmc.steps=8", "hmc.gauge_substeps=2", "hmc.length=0.5"});
    lq::Hmc hmc(d, u, params);
    const auto r = hmc.reversibility(1);
    EXPECT_LT(r.max_link_change, 1e-10) << flavours << " flavours";
    EXPECT_LT(r.max_momentum_change, 1e-9) << flavours << " flavours";
    EXPECT_LT(std::abs(r.delta_h_total), 1e-8) << flavours << " flavours";
    EXPECT_GT(std::abs(r.delta_h_forward), 1e-6) << "the forward trajectory moves";
  }
}

// The message of the Error (exit code 1) that hmc.trajectory(number) ends with.
std::string trajectory_failure(lq::Hmc& hmc, std::uint64_t number)
{
  try {
    (void)hmc.trajectory(number);
  } catch (const tessera::Error& e) {
    EXPECT_EQ(e.code(), tessera::ExitCode::failure) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "trajectory " << number << " ended normally";
  return "";
}

TEST(Hmc, NonFiniteHamiltonianEndsTheRun)
{
  // Issue 24: all-zero links (a field that is not SU(3)) ran on with dH = nan, rejected every
  // time, and the driver exited 0. Zero links have a finite action (beta per plaquette) but
  // reunitarising them divides by zero, so H at the end is nan.
  const lq::Decomposition d(Comm(), small, {});
  using C = lq::Links::value_type;
  auto u = lq::cold_start(d);
  Kokkos::deep_copy(u, C(0, 0));
  lq::Hmc zero(d, u, test_params(0, {"hmc.steps=2"}));
  const std::string message = trajectory_failure(zero, 7);
  EXPECT_EQ(message.rfind("trajectory 7: dH = nan is not finite (H = ", 0), 0u) << message;
  EXPECT_NE(message.find(", nan at the end): the molecular dynamics blew up (links not SU(3), or too few "
                         "hmc.steps for hmc.length)"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);

  // One link element nan: H is nan before the trajectory starts.
  u = lq::hot_start(d, 5);
  auto host = Kokkos::create_mirror_view(u);
  Kokkos::deep_copy(host, u);
  host.data()[0] = C(std::nan(""), 0);
  Kokkos::deep_copy(u, host);
  lq::Hmc broken(d, u, test_params(0, {"hmc.steps=2"}));
  EXPECT_EQ(trajectory_failure(broken, 3), "trajectory 3: H = nan at its start is not finite (the links are not a "
                                           "gauge field)");
}

TEST(Hmc, LeapfrogEnergyViolationScalesAsStepSquared)
{
  for (int flavours : {0, 2}) {
    const lq::Decomposition d(Comm(), small, {});
    const auto u0 = lq::hot_start(d, 6);
    double dh[2];
    for (int k = 0; k < 2; ++k) {
      auto u = lq::allocate_links<double>(d.geometry(), "u");
      Kokkos::deep_copy(u, u0);
      const auto params =
          test_params(flavours, {"hmc.integrator=leapfrog", "hmc.length=0.25", "hmc.steps=" + std::to_string(10 << k)});
      lq::Hmc hmc(d, u, params);
      dh[k] = hmc.energy_violation(2);
    }
    const double ratio = dh[0] / dh[1];
    EXPECT_GT(ratio, 3.5) << flavours << " flavours: dH " << dh[0] << " -> " << dh[1];
    EXPECT_LT(ratio, 4.5) << flavours << " flavours: dH " << dh[0] << " -> " << dh[1];
  }
}

TEST(Hmc, ThermalisesFromColdWithExpMinusDeltaHNearOne)
{
  // The driver's chain: 4^4 from cold at beta = 5.7, 8 Omelyan steps, every trajectory with
  // the Metropolis test, averages after 10
  const int n = 40;
  const auto params =
      lt::params({"lattice.size=4x4x4x4", "gauge.start=cold", "action.beta=5.7", "hmc.steps=8",
                  "hmc.no_metropolis_until=0", "hmc.thermalisation=10", "hmc.trajectories=" + std::to_string(n)});
  const Comm comm;
  lq::Simulation sim(tessera::RunContext{comm}, params);
  double sum = 0, sum2 = 0, last_plaquette = 1;
  int accepted = 0;
  for (int t = 0; t < n; ++t) {
    sim.advance(sim.end());
    const auto& r = sim.last()->result;
    const double e = std::exp(-r.delta_h);
    if (t >= 10) {
      sum += e;
      sum2 += e * e;
    }
    if (t >= 15) accepted += r.accepted; // from cold the first trajectories have dH ~ 1.4
    last_plaquette = r.plaquette.average();
  }
  EXPECT_EQ(sim.position(), sim.end());
  const int m = n - 10;
  const double mean = sum / m, error = std::sqrt((sum2 / m - mean * mean) / (m - 1));
  EXPECT_NEAR(mean, 1.0, std::max(4 * error, 0.02)) << "<exp(-dH)> = " << mean << " +- " << error;
  EXPECT_GT(accepted, (n - 15) * 8 / 10);
  // beta = 5.7: the equilibrium plaquette is about 0.55 on large lattices (0.549), a little
  // higher on 4^4
  EXPECT_GT(last_plaquette, 0.5);
  EXPECT_LT(last_plaquette, 0.65);
  // the summary's average is the same over the production trajectories
  EXPECT_EQ(sim.chain().exp_minus_dh.n(), m);
  EXPECT_NEAR(sim.chain().exp_minus_dh.mean(), mean, 1e-15);
}
