// SPDX-License-Identifier: Apache-2.0
// The carbon network and its stiff integrator against references stated here:
//  - RODAS3 on a linear stiff system with eigenvalues -1 and -1e4, whose exact solution is
//    written below, to the tolerance asked, in far fewer steps than an explicit method;
//  - a blow-up in finite time and absurd zones end flagged, never hanging;
//  - X12 + X24 = 1 to rounding through thermal runaways;
//  - the analytic Jacobian against central differences of rhs;
//  - the CF88 rate against 40-digit values (Python decimal) and a long double evaluation;
//  - energy: with c_v = 1.5 R (13 + X12) / 24 (X12 + X24 = 1), dT/dX12 = -(N_A Q / 24) / c_v
//    integrates to T - T0 = Q / (1.5 k_B) ln((13 + X12_0) / (13 + X12)), whatever the rate;
//    and eps_avg dt = N_A Q (X12_0 - X12) / 24;
//  - a mild burn against an independent fixed-step RK4 integration in long double.
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tessera/core/loops.hpp"
#include "tessera/core/spaces.hpp"
#include "tessera/nn/burn.hpp"
#include "tessera/nn/carbon_network.hpp"
#include "tessera/nn/reactions_simulation.hpp"
#include "tessera/nn/reactions_zones.hpp"
#include "tessera/nn/stiff_integrator.hpp"

namespace {

namespace nn = tessera::nn;
using tessera::Index;

tessera::View<double*> device_vector(const std::vector<double>& values)
{
  tessera::View<double*> view("test::vector", values.size());
  auto host = Kokkos::create_mirror_view(view);
  for (std::size_t i = 0; i < values.size(); ++i)
    host(i) = values[i];
  Kokkos::deep_copy(view, host);
  return view;
}

// y' = A y with A = [[-5000.5, 4999.5], [4999.5, -5000.5]]: eigenvalues -1 (eigenvector
// (1, 1)) and -1e4 (eigenvector (1, -1)). From y(0) = (2, 0):
//   y1(t) = exp(-t) + exp(-1e4 t),  y2(t) = exp(-t) - exp(-1e4 t).
struct LinearStiff {
  static constexpr int size = 2;
  KOKKOS_INLINE_FUNCTION void rhs(const double* y, double* dydt) const
  {
    dydt[0] = -5000.5 * y[0] + 4999.5 * y[1];
    dydt[1] = 4999.5 * y[0] - 5000.5 * y[1];
  }
  KOKKOS_INLINE_FUNCTION void jacobian(const double*, double* J) const
  {
    J[0] = -5000.5;
    J[1] = 4999.5;
    J[2] = 4999.5;
    J[3] = -5000.5;
  }
};
struct LinearStiffFactory {
  KOKKOS_INLINE_FUNCTION LinearStiff operator()(Index) const { return {}; }
};

// y' = -1 from y(0) = 1, with f defined only for y >= 0 (NaN below, as a temperature or an
// abundance driven negative would give): the solution reaches the edge at t = 1 and cannot go
// on, so a zone with t_end = 2 must end flagged, not spin. (A blow-up like y' = y^2 is no
// good test: a linearly implicit method may step across the pole onto the continuation.)
struct LeavesDomain {
  static constexpr int size = 1;
  KOKKOS_INLINE_FUNCTION void rhs(const double* y, double* dydt) const { dydt[0] = -1 + 0 * Kokkos::sqrt(y[0]); }
  KOKKOS_INLINE_FUNCTION void jacobian(const double* y, double* J) const { J[0] = 0 * Kokkos::sqrt(y[0]); }
};
struct LeavesDomainFactory {
  KOKKOS_INLINE_FUNCTION LeavesDomain operator()(Index) const { return {}; }
};

// The CF88 rate evaluated in a kernel (the device's maths library, not the host's).
struct RateKernel {
  tessera::View<const double*> t9;
  tessera::View<double*> rate;
  KOKKOS_INLINE_FUNCTION void operator()(Index i) const { rate(i) = nn::carbon::cf88_c12c12(t9(i)); }
};

// The formula once more, in long double, typed from Caughlan & Fowler (1988).
long double cf88_long(long double t9)
{
  const long double t9a = t9 / (1 + 0.0396L * t9);
  return 4.27e26L * std::pow(t9a, 5.0L / 6) / std::pow(t9, 1.5L) *
         std::exp(-84.165L / std::cbrt(t9a) - 2.12e-3L * t9 * t9 * t9);
}

struct Zone {
  double rho, temperature, x12;
};

// The integrator settings tessera-reactions reads from these network.* keys (and the defaults).
nn::BurnSettings burn_settings(const std::vector<std::string>& overrides = {})
{
  return tessera::params_for<nn::ReactionsSimulation>(overrides).burn;
}

nn::BurnResult burn_zones(const std::vector<Zone>& zones, double dt, const nn::BurnSettings& settings = burn_settings())
{
  std::vector<double> rho, temp, x12;
  for (const auto& z : zones) {
    rho.push_back(z.rho);
    temp.push_back(z.temperature);
    x12.push_back(z.x12);
  }
  return nn::burn(device_vector(rho), device_vector(temp), device_vector(x12), dt, settings);
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TEST(StiffIntegrator, LinearStiffSystemMatchesExactSolution)
{
  const std::vector<double> t_end = {1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1.0, 3.0};
  const Index zones = static_cast<Index>(t_end.size());
  const auto t_end_view = device_vector(t_end);
  for (const double rtol : {1e-6, 1e-9}) {
    nn::StiffSettings settings;
    settings.rtol = rtol;
    settings.atol = rtol * 1e-3;
    tessera::View<double**> y("test::y", zones, 2);
    auto y_host = Kokkos::create_mirror_view(y);
    for (Index z = 0; z < zones; ++z) {
      y_host(z, 0) = 2;
      y_host(z, 1) = 0;
    }
    Kokkos::deep_copy(y, y_host);
    nn::StiffCounts counts(zones);
    nn::integrate_stiff("test::linear_stiff", tessera::ExecSpace{}, LinearStiffFactory{}, y, t_end_view, settings,
                        counts);
    Kokkos::deep_copy(y_host, y);
    const auto status = tessera::to_host(counts.status);
    const auto steps = tessera::to_host(counts.steps);
    double worst = 0; // the largest error in units of the local tolerance
    for (Index z = 0; z < zones; ++z) {
      const double t = t_end[z];
      const double exact[2] = {std::exp(-t) + std::exp(-1e4 * t), std::exp(-t) - std::exp(-1e4 * t)};
      EXPECT_EQ(status(z), 0) << "t_end " << t;
      for (int i = 0; i < 2; ++i) {
        // The global error of a tolerance-controlled method is the local tolerance times a
        // modest factor (the errors of successive steps add but are damped).
        const double allowed = 10 * (settings.atol + rtol * std::abs(exact[i]));
        worst = std::max(worst, 10 * std::abs(y_host(z, i) - exact[i]) / allowed);
        EXPECT_NEAR(y_host(z, i), exact[i], allowed) << "rtol " << rtol << ", t_end " << t << ", component " << i;
      }
    }
    std::printf("rtol %.0e: worst error %.2f x tolerance, %d steps to t = 3\n", rtol, worst, steps(zones - 1));
    // An explicit method would need t / (2e-4) steps for stability alone (15000 to t = 3);
    // the L-stable method steps over the fast mode once it has decayed.
    EXPECT_LT(steps(zones - 1), rtol > 1e-7 ? 300 : 3000);
  }
}

TEST(StiffIntegrator, LeavingTheDomainAndBadInputAreFlagged)
{
  // Zone 0 leaves its domain at t = 1 < t_end = 2; zone 1 starts at NaN; zone 2 is fine
  // (t_end = 0.5, y = 0.5).
  tessera::View<double**> y("test::y", 3, 1);
  auto y_host = Kokkos::create_mirror_view(y);
  y_host(0, 0) = 1;
  y_host(1, 0) = std::numeric_limits<double>::quiet_NaN();
  y_host(2, 0) = 1;
  Kokkos::deep_copy(y, y_host);
  const auto t_end = device_vector({2.0, 2.0, 0.5});
  nn::StiffCounts counts(3);
  const auto start = std::chrono::steady_clock::now();
  nn::integrate_stiff("test::leaves_domain", tessera::ExecSpace{}, LeavesDomainFactory{}, y, t_end, nn::StiffSettings{},
                      counts);
  Kokkos::fence();
  EXPECT_LT(seconds_since(start), 2.0);
  const auto status = tessera::to_host(counts.status);
  const auto steps = tessera::to_host(counts.steps);
  Kokkos::deep_copy(y_host, y);
  EXPECT_NE(status(0), static_cast<int>(nn::StiffStatus::success));
  EXPECT_LE(steps(0), nn::StiffSettings{}.max_steps);
  EXPECT_GE(y_host(0, 0), 0.0); // the last accepted state, still in the domain
  EXPECT_LT(y_host(0, 0), 1e-3);
  std::printf("zone leaving its domain: status %s after %d steps at y = %.6f\n",
              nn::to_string(static_cast<nn::StiffStatus>(status(0))), steps(0), y_host(0, 0));
  EXPECT_EQ(status(1), static_cast<int>(nn::StiffStatus::invalid_input));
  EXPECT_EQ(steps(1), 0);
  EXPECT_EQ(status(2), static_cast<int>(nn::StiffStatus::success));
  EXPECT_NEAR(y_host(2, 0), 0.5, 1e-12);

  const auto summary = nn::summarize(counts);
  EXPECT_EQ(summary.zones, 3);
  EXPECT_EQ(summary.failed, 2);
  EXPECT_GT(summary.steps, 0);
}

TEST(CarbonNetwork, Cf88RateMatchesIndependentValues)
{
  // N_A<sigma v> in cm^3/(mol s), the formula evaluated with Python's decimal module at 40
  // digits (pinned here):
  const std::array<std::array<double, 2>, 5> pinned = {{{0.5, 2.943101654035672e-20},
                                                        {1.0, 3.861869813652784e-11},
                                                        {2.0, 4.331142067895641e-4},
                                                        {3.0, 8.640409414613224e-1},
                                                        {8.0, 2.662561055033654e5}}};
  std::vector<double> t9;
  for (const auto& p : pinned) {
    t9.push_back(p[0]);
    EXPECT_NEAR(nn::carbon::cf88_c12c12(p[0]), p[1], 1e-13 * p[1]) << "T9 = " << p[0];
    EXPECT_NEAR(static_cast<double>(cf88_long(p[0])), p[1], 1e-13 * p[1]) << "T9 = " << p[0];
  }
  // The rate at T9 = 1 by name, and computed on the device.
  EXPECT_NEAR(nn::carbon::cf88_c12c12(1.0), 3.861869813652784e-11, 1e-24);
  const auto t9_view = device_vector(t9);
  tessera::View<double*> rate("test::rate", t9.size());
  tessera::par_for("test::cf88", static_cast<Index>(t9.size()), RateKernel{t9_view, rate});
  const auto rate_host = tessera::to_host(rate);
  for (std::size_t i = 0; i < pinned.size(); ++i)
    EXPECT_NEAR(rate_host(i), pinned[i][1], 1e-13 * pinned[i][1]) << "T9 = " << pinned[i][0];

  // Constants: N_A Q / 24 = 6.02214076e23 x 13.933567 MeV x 1.602176634e-6 erg/MeV / 24, and
  // c_v of pure 12C = 1.5 N_A k_B x 7/12 (decimal, 40 digits).
  EXPECT_NEAR(nn::carbon::energy_per_unit_x12, 5.601603498572468e17, 1e3);
  EXPECT_NEAR(nn::carbon::heat_capacity(1.0, 0.0), 7.275154790884085e7, 1e-6);
}

TEST(CarbonNetwork, JacobianMatchesFiniteDifferences)
{
  const std::vector<std::array<double, 4>> states = {// rho, X12, X24, T
                                                     {1e8, 1.0, 0.0, 1.0e9},
                                                     {1e9, 0.7, 0.3, 2.5e9},
                                                     {1e6, 0.2, 0.8, 5.0e9},
                                                     {3e7, 0.95, 0.05, 8.0e8}};
  for (const auto& s : states) {
    const nn::CarbonNetwork net(s[0]);
    const double y[3] = {s[1], s[2], s[3]};
    double J[9];
    net.jacobian(y, J);
    for (int j = 0; j < 3; ++j) {
      // Central differences, error O(h^2): relative steps of 1e-5 (mass fractions are O(1)).
      const double h = 1e-5 * (j == 2 ? y[2] : 1.0);
      double yp[3] = {y[0], y[1], y[2]}, ym[3] = {y[0], y[1], y[2]};
      yp[j] += h;
      ym[j] -= h;
      double fp[3], fm[3];
      net.rhs(yp, fp);
      net.rhs(ym, fm);
      for (int i = 0; i < 3; ++i) {
        const double fd = (fp[i] - fm[i]) / (2 * h);
        EXPECT_NEAR(J[i * 3 + j], fd, 1e-6 * std::abs(fd) + 1e-300)
            << "rho " << s[0] << ", T " << s[3] << ", J[" << i << "][" << j << "]";
      }
    }
    // The first two rows are opposite: the linear invariant X12 + X24.
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(J[j], -J[3 + j]);
  }
}

TEST(CarbonNetwork, ConservesMassThroughRunaway)
{
  // Each zone ignites and burns out within dt (initial runaway times about 1e-3 s, 2e-2 s and
  // 3e-5 s); X12 + X24 must stay 1 to rounding.
  const std::vector<Zone> zones = {{1e8, 1.5e9, 1.0}, {1e9, 1.2e9, 1.0}, {1e7, 2.0e9, 0.6}, {1e9, 3.0e9, 0.3}};
  const auto start = std::chrono::steady_clock::now();
  const auto result = burn_zones(zones, 1.0);
  const auto x12 = tessera::to_host(result.x12);
  const auto x24 = tessera::to_host(result.x24);
  const auto temp = tessera::to_host(result.temperature);
  const auto status = tessera::to_host(result.counts.status);
  const auto steps = tessera::to_host(result.counts.steps);
  for (std::size_t z = 0; z < zones.size(); ++z) {
    EXPECT_EQ(status(z), 0) << "zone " << z;
    EXPECT_NEAR(x12(z) + x24(z), 1.0, 1e-12) << "zone " << z;
    EXPECT_LT(x12(z), 1e-3 * zones[z].x12) << "zone " << z << " did not burn out";
    EXPECT_GT(temp(z) - zones[z].temperature, 1e9) << "zone " << z << " did not heat up";
    EXPECT_GT(x12(z), -1e-12);
    std::printf("zone %zu: X12 %.3e, X24 %.15f, T %.6e K, %d steps\n", z, x12(z), x24(z), temp(z), steps(z));
  }
  EXPECT_EQ(result.summary.failed, 0);
  std::printf("%lld steps, %lld rejections, %.3f s\n", result.summary.steps, result.summary.rejections,
              seconds_since(start));
}

TEST(CarbonNetwork, TemperatureFollowsEnergyConservation)
{
  // Full and partial burns. The relation between T and X12 holds along any exact trajectory,
  // so its error measures the integration error (rtol 1e-8 here).
  const std::vector<Zone> zones = {
      {1e8, 1.5e9, 1.0}, {1e9, 1.2e9, 0.5}, {1e8, 1.5e9, 0.05}, {1e9, 2.5e9, 0.01}, {5e7, 1.6e9, 0.2}};
  const double dt = 0.5;
  const auto result = burn_zones(zones, dt);
  const auto x12 = tessera::to_host(result.x12);
  const auto temp = tessera::to_host(result.temperature);
  const auto eps = tessera::to_host(result.eps_avg);
  const double q_over_cv = nn::carbon::q_value / (1.5 * nn::carbon::boltzmann); // K
  double worst = 0;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const double x0 = zones[z].x12, t0 = zones[z].temperature;
    const double delta_t = temp(z) - t0;
    const double expected = q_over_cv * std::log((13 + x0) / (13 + x12(z)));
    EXPECT_GT(delta_t, 1e7) << "zone " << z;
    EXPECT_NEAR(delta_t, expected, 1e-7 * expected) << "zone " << z;
    worst = std::max(worst, std::abs(delta_t - expected) / expected);
    // eps_avg dt = N_A Q (X12_0 - X12) / 24 = int c_v dT, to the rounding of mass fractions.
    const double released = nn::carbon::energy_per_unit_x12 * (x0 - x12(z));
    EXPECT_NEAR(eps(z) * dt, released, 1e-10 * released + 1e-15 * nn::carbon::energy_per_unit_x12) << "zone " << z;
  }
  std::printf("T - T0 against Q / (1.5 k_B) ln((13 + X0) / (13 + X)): worst relative deviation %.2e\n", worst);
}

TEST(CarbonNetwork, MildBurnMatchesIndependentRk4)
{
  // A zone with a little fuel (X12 = 0.05) heats by about 4e8 K over 2 s; the reference is
  // classical RK4 with 5e4 fixed steps in long double, the right-hand side typed again from
  // the formulas (not CarbonNetwork's code).
  const double rho = 1e8, t_start = 1.5e9, x_start = 0.05, dt = 2.0;
  const long double na = 6.02214076e23L, kb = 1.380649e-16L, q = 13.933567L * 1.602176634e-6L;
  const auto f = [&](const std::array<long double, 2>& s) {
    const long double x = s[0] > 0 ? s[0] : 0;
    const long double r = rho * cf88_long(s[1] * 1e-9L) * (x / 12) * (x / 12) / 2; // mol/(g s)
    const long double cv = 1.5L * na * kb * (7 * s[0] / 12 + 13 * (1 - s[0]) / 24);
    return std::array<long double, 2>{-24 * r, na * q * r / cv};
  };
  std::array<long double, 2> s = {x_start, t_start};
  const int n = 50000;
  const long double h = dt / n;
  for (int i = 0; i < n; ++i) {
    const auto k1 = f(s);
    const auto k2 = f({s[0] + h / 2 * k1[0], s[1] + h / 2 * k1[1]});
    const auto k3 = f({s[0] + h / 2 * k2[0], s[1] + h / 2 * k2[1]});
    const auto k4 = f({s[0] + h * k3[0], s[1] + h * k3[1]});
    for (int c = 0; c < 2; ++c)
      s[c] += h / 6 * (k1[c] + 2 * k2[c] + 2 * k3[c] + k4[c]);
  }
  const auto result = burn_zones({{rho, t_start, x_start}}, dt);
  const auto x12 = tessera::to_host(result.x12);
  const auto temp = tessera::to_host(result.temperature);
  std::printf("RK4: X12 %.12Le T %.12Le; RODAS3: X12 %.12e T %.12e\n", s[0], s[1], x12(0), temp(0));
  EXPECT_GT(static_cast<double>(s[1]) - t_start, 1e8);
  EXPECT_NEAR(x12(0), static_cast<double>(s[0]), 1e-6 * static_cast<double>(s[0]));
  EXPECT_NEAR(temp(0), static_cast<double>(s[1]), 1e-7 * static_cast<double>(s[1]));
}

TEST(Burn, AbsurdZonesAreFlagged)
{
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Zone> zones = {{1e8, 1.5e9, 1.0}, {1e8, nan, 1.0},   {-1e8, 1.5e9, 1.0}, {0.0, 1.5e9, 1.0},
                                   {1e8, -1e9, 1.0},  {1e8, 1.5e9, 1.5}, {nan, 1.5e9, 1.0},  {1e8, 1.5e9, nan}};
  const auto start = std::chrono::steady_clock::now();
  const auto result = burn_zones(zones, 1.0);
  EXPECT_LT(seconds_since(start), 2.0);
  const auto status = tessera::to_host(result.counts.status);
  const auto eps = tessera::to_host(result.eps_avg);
  const auto temp = tessera::to_host(result.temperature);
  EXPECT_EQ(status(0), static_cast<int>(nn::StiffStatus::success));
  EXPECT_TRUE(std::isfinite(eps(0)) && eps(0) > 0);
  for (std::size_t z = 1; z < zones.size(); ++z) {
    EXPECT_EQ(status(z), static_cast<int>(nn::StiffStatus::invalid_input)) << "zone " << z;
    EXPECT_TRUE(std::isnan(eps(z)) && std::isnan(temp(z))) << "zone " << z;
  }
  EXPECT_EQ(result.summary.failed, static_cast<Index>(zones.size()) - 1);

  // Too few steps allowed: flagged as max_steps, outputs NaN.
  const auto limited = burn_zones({{1e8, 1.5e9, 1.0}}, 1.0, burn_settings({"network.max_steps=10"}));
  EXPECT_EQ(tessera::to_host(limited.counts.status)(0), static_cast<int>(nn::StiffStatus::max_steps));
  EXPECT_TRUE(std::isnan(tessera::to_host(limited.x12)(0)));

  // Arguments that are not zone data are errors.
  EXPECT_THROW(burn_zones({{1e8, 1.5e9, 1.0}}, 0.0), std::invalid_argument);
  EXPECT_THROW(burn_zones({{1e8, 1.5e9, 1.0}}, nan), std::invalid_argument);
  EXPECT_THROW(nn::burn(device_vector({1e8}), device_vector({1e9, 1e9}), device_vector({1.0}), 1.0, burn_settings()),
               std::invalid_argument);
}

// The speed line says which is faster: a surrogate 10 times slower is "10.0x slower", never
// "0.1x faster" (issue 24).
TEST(Reactions, SpeedComparisonWording)
{
  EXPECT_EQ(nn::speed_comparison(12.34), "12.3x faster");
  EXPECT_EQ(nn::speed_comparison(0.1), "10.0x slower");
  EXPECT_EQ(nn::speed_comparison(0.5), "2.0x slower");
  EXPECT_EQ(nn::speed_comparison(2.0), "2.0x faster");
  EXPECT_EQ(nn::speed_comparison(1.0), "as fast");
  EXPECT_EQ(nn::speed_comparison(1.02), "as fast");
  EXPECT_EQ(nn::speed_comparison(0.0), "no comparison (a time was zero)");
}
