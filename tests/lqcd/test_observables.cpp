// SPDX-License-Identifier: Apache-2.0
// Observables: the Polyakov loop, the Wilson flow and its energy densities, the clover
// topological charge, the pion correlator. References: the cold field; gauge invariance;
// the Z3 centre phase of the Polyakov loop; abelian fluxes embedded in SU(3), whose clover
// charge, energies and Polyakov loop are known in closed form (Q -> 1 for one flux quantum
// in xy along diag(1,-1,0) and one in zt along diag(1,0,-1)); the flow's monotonic action
// and third-order convergence; the free pion correlator from the exact momentum-space
// propagator; time reflection of the correlator on a hot start; a decomposition with ghost
// layers everywhere against one without (any rank grid against one rank: test_ranks.cpp);
// the cosh effective mass of a synthetic A cosh(m (T/2 - t)).
// (Kernels live in free functions: CUDA does not allow
// device lambdas inside a TEST body.)
#include <cmath>
#include <complex>
#include <numbers>
#include <utility>

#include <gtest/gtest.h>

#include "lqcd_test_fields.hpp"
#include "tessera/lqcd/observables.hpp"

namespace lq = tessera::lqcd;
namespace lt = tessera::lqcd::testing;
using lt::expect_near;
using lt::GaugeObservables;
using lt::measure;
using tessera::Comm;
using tessera::Index;

namespace {

const std::array<int, 4> hypercube{4, 4, 4, 4};
const std::array<int, 4> long_time{4, 4, 4, 8};
constexpr double pi = std::numbers::pi;

// U_t(x, t0) <- exp(2 pi i / 3) U_t(x, t0) on every spatial x.
void multiply_time_slice_by_centre(const lq::Decomposition& d, const lq::Links& u, int t0)
{
  const lq::Geometry g = d.geometry();
  const lq::Complex<double> z(std::cos(2 * pi / 3), std::sin(2 * pi / 3));
  const int time = lq::time_direction; // captured by value (no host constant in device code)
  tessera::par_for(
      "test::centre", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        if (g.global_coord(site.x, time) != t0) return;
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b)
            u(site.index, site.parity, time, a, b) *= z;
      });
  lq::exchange_links(d, u);
}

// Constant abelian fields on the torus: n01 flux quanta through every xy plane along
// T01 = diag(1, -1, 0), n23 through every zt plane along T23 = diag(1, 0, -1). With
// phi = 2 pi n / (L_mu L_nu): U_nu(x) = exp(i phi x_mu T), U_mu(x) = 1 except
// exp(-i phi L_mu x_nu T) at x_mu = L_mu - 1, so that every mu-nu plaquette is exp(i phi T).
lq::Links abelian_fluxes(const lq::Decomposition& d, int n01, int n23)
{
  const lq::Geometry g = d.geometry();
  auto u = lq::allocate_links<double>(g, "test::abelian");
  const double phi01 = 2 * pi * n01 / (g.global[0] * g.global[1]);
  const double phi23 = 2 * pi * n23 / (g.global[2] * g.global[3]);
  tessera::par_for(
      "test::abelian", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        int c[4];
        for (int mu = 0; mu < 4; ++mu)
          c[mu] = g.global_coord(site.x, mu);
        const double theta[4] = {c[0] == g.global[0] - 1 ? -phi01 * g.global[0] * c[1] : 0.0, phi01 * c[0],
                                 c[2] == g.global[2] - 1 ? -phi23 * g.global[2] * c[3] : 0.0, phi23 * c[2]};
        for (int mu = 0; mu < 4; ++mu) {
          const double t = theta[mu];
          const double diag[3] = {t, mu < 2 ? -t : 0.0, mu < 2 ? 0.0 : -t};
          lq::Su3<double> m = lq::Su3<double>::zero();
          for (int a = 0; a < 3; ++a)
            m.m[a][a] = lq::Complex<double>(Kokkos::cos(diag[a]), Kokkos::sin(diag[a]));
          lq::store_link(u, site.index, site.parity, mu, m);
        }
      });
  lq::exchange_links(d, u);
  return u;
}

// The time-reflected field, t -> L_t - 1 - t (one rank, whole lattice): U'_i(x, t) =
// U_i(x, L_t - 1 - t), U'_t(x, t) = U_t(x, L_t - 2 - t)^dag. The Wilson operator obeys
// D[U'] R Gamma = R Gamma D[U] with Gamma = gamma_t gamma_5 (antiperiodic phases map onto
// themselves), so C'(t) from the source (y, L_t - 1 - y_t) equals C(L_t - t) from (y, y_t).
lq::Links time_reflected(const lq::Decomposition& d, const lq::Links& u)
{
  const lq::Geometry g = d.geometry();
  const auto in = tessera::host_copy(u);
  auto out = tessera::host_copy(u);
  const int lt = g.global[lq::time_direction];
  for (Index n = 0; n < 2 * g.half_volume; ++n) {
    const auto site = g.site(n);
    const int t = g.global_coord(site.x, lq::time_direction);
    for (int mu = 0; mu < 4; ++mu) {
      lq::Coords from = site.x;
      const bool time_link = mu == lq::time_direction;
      from.c[lq::time_direction] = ((time_link ? lt - 2 - t : lt - 1 - t) + lt) % lt + g.pad[lq::time_direction];
      auto m = lq::load_link<double>(in, g.storage_index(from), g.parity(from), mu);
      if (time_link) m = lq::adjoint(m);
      lq::store_link(out, site.index, site.parity, mu, m);
    }
  }
  auto v = lq::allocate_links<double>(g, "test::reflected");
  Kokkos::deep_copy(v, out);
  lq::exchange_links(d, v);
  return v;
}

// The free pion correlator on the whole lattice from the source at the origin:
// S(x) = (1/V) sum_p exp(i p.x) D(p)^-1, D(p) = 1 - 2 kappa sum cos p + 2 i kappa sum gamma sin p,
// p_mu = 2 pi (n + 1/2) / L_mu along antiperiodic directions; C(t) = 3 sum_{x, s, s0} |S|^2.
std::vector<double> free_pion_correlator(const std::array<int, 4>& extent, double kappa,
                                         const std::array<double, 4>& boundary_phase)
{
  using C = std::complex<double>;
  using Spin = std::array<std::array<C, 4>, 4>;
  Spin gamma[4] = {};
  const C i_power[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  for (int mu = 0; mu < 4; ++mu)
    for (int row = 0; row < 4; ++row)
      gamma[mu][row][lq::gamma_row(mu, row).col] = i_power[lq::gamma_row(mu, row).phase];
  const auto invert = [](Spin a) { // Gauss-Jordan with partial pivoting
    Spin inv{};
    for (int r = 0; r < 4; ++r)
      inv[r][r] = 1;
    for (int col = 0; col < 4; ++col) {
      int pivot = col;
      for (int r = col + 1; r < 4; ++r)
        if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
      std::swap(a[col], a[pivot]);
      std::swap(inv[col], inv[pivot]);
      const C scale = 1.0 / a[col][col];
      for (int k = 0; k < 4; ++k) {
        a[col][k] *= scale;
        inv[col][k] *= scale;
      }
      for (int r = 0; r < 4; ++r) {
        if (r == col) continue;
        const C f = a[r][col];
        for (int k = 0; k < 4; ++k) {
          a[r][k] -= f * a[col][k];
          inv[r][k] -= f * inv[col][k];
        }
      }
    }
    return inv;
  };
  const int volume = extent[0] * extent[1] * extent[2] * extent[3];
  const auto coords = [&](int index) {
    std::array<int, 4> x{};
    for (int mu = 0; mu < 4; ++mu) {
      x[mu] = index % extent[mu];
      index /= extent[mu];
    }
    return x;
  };
  std::vector<std::array<double, 4>> momenta(volume);
  std::vector<Spin> propagator(volume);
  for (int k = 0; k < volume; ++k) {
    const auto n = coords(k);
    Spin dp{};
    double cos_sum = 0;
    for (int mu = 0; mu < 4; ++mu) {
      const double p = 2 * pi * (n[mu] + (boundary_phase[mu] < 0 ? 0.5 : 0.0)) / extent[mu];
      momenta[k][mu] = p;
      cos_sum += std::cos(p);
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
          dp[r][c] += C(0, 2 * kappa * std::sin(p)) * gamma[mu][r][c];
    }
    for (int r = 0; r < 4; ++r)
      dp[r][r] += 1 - 2 * kappa * cos_sum;
    propagator[k] = invert(dp);
  }
  std::vector<double> correlator(extent[3], 0.0);
  for (int j = 0; j < volume; ++j) {
    const auto x = coords(j);
    Spin s{};
    for (int k = 0; k < volume; ++k) {
      double phase = 0;
      for (int mu = 0; mu < 4; ++mu)
        phase += momenta[k][mu] * x[mu];
      const C e(std::cos(phase), std::sin(phase));
      for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 4; ++c)
          s[r][c] += e * propagator[k][r][c];
    }
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c)
        correlator[x[3]] += 3 * std::norm(s[r][c] / static_cast<double>(volume));
  }
  return correlator;
}

} // namespace

TEST(Observables, ColdField)
{
  const lq::Decomposition d(Comm(), long_time, {});
  const auto u = lq::cold_start(d);
  const auto m = measure(d, u);
  EXPECT_DOUBLE_EQ(m.polyakov.real(), 1.0);
  EXPECT_DOUBLE_EQ(m.polyakov.imag(), 0.0);
  EXPECT_EQ(m.q, 0.0);
  EXPECT_EQ(m.e_plaq, 0.0);
  EXPECT_EQ(m.e_clover, 0.0);
  // the cold field is a fixed point of the flow
  lq::wilson_flow_step(d, u, 0.05);
  EXPECT_EQ(lq::flow_energy_plaquette(d, u), 0.0);
  EXPECT_EQ(lq::flow_energy_clover(d, u), 0.0);
}

TEST(Observables, GaugeInvariance)
{
  const lq::Decomposition d(Comm(), long_time, {});
  const auto u = lq::hot_start(d, 31);
  for (int step = 0; step < 3; ++step)
    lq::wilson_flow_step(d, u, 0.05);
  const auto before = measure(d, u);
  EXPECT_GT(before.e_plaq, 1.0) << "still rough";
  EXPECT_GT(std::abs(before.q), 1e-3) << "a non-trivial charge density";
  lq::gauge_transform(d, u, 1234);
  expect_near(measure(d, u), before, 1e-12);
}

TEST(Observables, PolyakovLoopCentrePhase)
{
  const lq::Decomposition d(Comm(), long_time, {});
  const auto u = lq::hot_start(d, 41);
  const auto before = measure(d, u);
  const double plaquette = lq::plaquette(d, u).average();
  EXPECT_GT(Kokkos::abs(before.polyakov), 1e-4);
  multiply_time_slice_by_centre(d, u, 5);
  const auto after = measure(d, u);
  const auto expected = lq::Complex<double>(std::cos(2 * pi / 3), std::sin(2 * pi / 3)) * before.polyakov;
  EXPECT_NEAR(after.polyakov.real(), expected.real(), 1e-14);
  EXPECT_NEAR(after.polyakov.imag(), expected.imag(), 1e-14);
  // the plaquettes, energies and charge do not see a centre transformation
  EXPECT_NEAR(lq::plaquette(d, u).average(), plaquette, 1e-14);
  EXPECT_NEAR(after.q, before.q, 1e-12);
  EXPECT_NEAR(after.e_clover, before.e_clover, 1e-12);
}

TEST(Observables, AbelianFluxesGiveTheirChargeAndEnergies)
{
  for (const auto& extent : {hypercube, long_time}) {
    const lq::Decomposition d(Comm(), extent, {});
    const double volume = static_cast<double>(d.geometry().global_volume());
    for (const auto& [n01, n23] : {std::pair{1, 1}, std::pair{1, -1}, std::pair{2, 1}}) {
      const auto u = abelian_fluxes(d, n01, n23);
      const double phi01 = 2 * pi * n01 / (extent[0] * extent[1]), phi23 = 2 * pi * n23 / (extent[2] * extent[3]);
      const auto m = measure(d, u);
      // G01 = i sin(phi01) diag(1,-1,0), G23 = i sin(phi23) diag(1,0,-1), all others 0:
      // q = -(1/(4 pi^2)) tr(G01 G23) = sin(phi01) sin(phi23) / (4 pi^2) on every site.
      const double q = volume * std::sin(phi01) * std::sin(phi23) / (4 * pi * pi);
      EXPECT_NEAR(m.q, q, 1e-12) << n01 << " " << n23;
      EXPECT_EQ(std::lround(m.q), n01 * n23) << "the continuum charge n01 n23: " << m.q;
      EXPECT_NEAR(m.e_clover, 2 * std::pow(std::sin(phi01), 2) + 2 * std::pow(std::sin(phi23), 2), 1e-13);
      EXPECT_NEAR(m.e_plaq, 4 * (1 - std::cos(phi01)) + 4 * (1 - std::cos(phi23)), 1e-12); // 36 (1 - P): cancellation
      // U_t = exp(i phi23 z T23) on every time slice: P = (1/3) avg_z (1 + 2 cos(2 pi n23 z / Lz)) = 1/3
      EXPECT_NEAR(m.polyakov.real(), 1.0 / 3.0, 1e-14);
      EXPECT_NEAR(m.polyakov.imag(), 0.0, 1e-14);
    }
  }
}

TEST(Observables, FlowLowersTheActionMonotonically)
{
  const lq::Decomposition d(Comm(), hypercube, {});
  const auto u = lq::hot_start(d, 51);
  auto v = lq::allocate_links<double>(d.geometry(), "v");
  Kokkos::deep_copy(v, u);
  double energy = lq::flow_energy_plaquette(d, v);
  for (int step = 0; step < 10; ++step) {
    lq::wilson_flow_step(d, v, 0.02);
    const double next = lq::flow_energy_plaquette(d, v);
    EXPECT_LT(next, energy) << "step " << step;
    energy = next;
  }
  EXPECT_LT(lq::unitarity_violation(d, v), 1e-13);
  // wilson_flow measures the same: t = 0, every 2 steps, and the end (step 5)
  Kokkos::deep_copy(v, u);
  const auto flow = lq::wilson_flow(d, v, 0.02, 0.1, 2);
  ASSERT_EQ(flow.size(), 4u);
  const int at_step[4] = {0, 2, 4, 5};
  Kokkos::deep_copy(v, u);
  int done = 0;
  for (int k = 0; k < 4; ++k) {
    for (; done < at_step[k]; ++done)
      lq::wilson_flow_step(d, v, 0.02);
    const double t = 0.02 * at_step[k];
    EXPECT_NEAR(flow[k].t, t, 1e-15);
    EXPECT_NEAR(flow[k].t2_e_plaq, t * t * lq::flow_energy_plaquette(d, v), 1e-13);
    EXPECT_NEAR(flow[k].t2_e_clover, t * t * lq::flow_energy_clover(d, v), 1e-13);
    EXPECT_NEAR(flow[k].q, lq::topological_charge(d, v), 1e-13);
  }
}

TEST(Observables, FlowIsThirdOrder)
{
  const lq::Decomposition d(Comm(), hypercube, {});
  // a hot start smoothed to t = 0.1 first: from the raw hot start the stiffest modes keep
  // the differences from their asymptotic ratio until much smaller steps
  const auto u = lq::hot_start(d, 61);
  for (int s = 0; s < 10; ++s)
    lq::wilson_flow_step(d, u, 0.01);
  auto v = lq::allocate_links<double>(d.geometry(), "v");
  // the plaquette after flowing by 0.2 more with eps = 0.05, 0.025, 0.0125, 0.00625: the
  // global error is O(eps^3), so successive differences shrink by 8 (measured 6.75, 7.53,
  // then 7.79, 7.90 with 64 and 128 steps)
  std::vector<double> plaquettes;
  for (int steps : {4, 8, 16, 32}) {
    Kokkos::deep_copy(v, u);
    for (int s = 0; s < steps; ++s)
      lq::wilson_flow_step(d, v, 0.2 / steps);
    plaquettes.push_back(lq::plaquette(d, v).average());
  }
  const double d1 = plaquettes[0] - plaquettes[1], d2 = plaquettes[1] - plaquettes[2],
               d3 = plaquettes[2] - plaquettes[3];
  EXPECT_NEAR(d1 / d2, 8.0, 1.5) << d1 << " " << d2 << " " << d3;
  EXPECT_NEAR(d2 / d3, 8.0, 0.8) << d1 << " " << d2 << " " << d3;
  EXPECT_LT(std::abs(d2 / d3 - 8.0), std::abs(d1 / d2 - 8.0)) << "approaching 8";
}

TEST(Observables, FreePionCorrelatorMatchesMomentumSpace)
{
  const lq::Decomposition d(Comm(), long_time, {});
  const auto u = lq::cold_start(d);
  const auto wilson = lt::wilson(0.1);
  const auto expected = free_pion_correlator(long_time, wilson.kappa, wilson.boundary_phase);
  for (auto kind : {lq::SolverKind::cg, lq::SolverKind::cg_even_odd}) {
    lq::SolverStats stats;
    const auto c = lq::pion_correlator(d, u, wilson, kind, lt::solver(1e-12, 1000), {1, 2, 3, 5}, &stats);
    ASSERT_EQ(c.size(), 8u);
    for (int t = 0; t < 8; ++t)
      EXPECT_NEAR(c[t], expected[t], 1e-8 * expected[t]) << lq::name(kind) << " t = " << t;
    EXPECT_EQ(stats.solves, 12);
    EXPECT_GT(stats.iterations, 12);
    EXPECT_LE(stats.max_residual, 1e-12);
  }
  for (int t = 1; t < 8; ++t)
    EXPECT_NEAR(expected[t], expected[8 - t], 1e-12 * expected[t]);
}

TEST(Observables, PionCorrelatorUnderTimeReflection)
{
  const lq::Decomposition d(Comm(), long_time, {});
  if (d.comm().size() > 1) GTEST_SKIP() << "the reflected field is built on one rank";
  const auto u = lq::hot_start(d, 71);
  const auto reflected = time_reflected(d, u);
  const auto wilson = lt::wilson(0.1);
  const auto settings = lt::solver(1e-12, 1000);
  const auto c = lq::pion_correlator(d, u, wilson, lq::SolverKind::cg_even_odd, settings, {1, 2, 3, 2});
  const auto c_reflected =
      lq::pion_correlator(d, reflected, wilson, lq::SolverKind::cg_even_odd, settings, {1, 2, 3, 8 - 1 - 2});
  for (int t = 0; t < 8; ++t)
    EXPECT_NEAR(c_reflected[t], c[(8 - t) % 8], 1e-9 * c[(8 - t) % 8]) << "t = " << t;
  // a single configuration is not time-symmetric: C(t) != C(L_t - t) beyond rounding
  EXPECT_GT(std::abs(c[1] - c[7]), 1e-6 * c[1]);
}

TEST(Observables, PaddedDecompositionAgrees)
{
  // ghost layers along every direction on one rank: the kernels read ghosts (and ghost
  // corners for the clover) instead of wrapping; time is not split, so the Polyakov loop
  // segments are still combined on one rank
  const lq::Decomposition plain(Comm(), long_time, {}, false), padded(Comm(), long_time, {}, true);
  const lq::Decomposition* both[2] = {&plain, &padded};
  GaugeObservables m[2];
  std::vector<double> c[2];
  std::vector<lq::FlowResult> flow[2];
  const auto wilson = lt::wilson(0.1);
  for (int k = 0; k < 2; ++k) {
    const auto& d = *both[k];
    const auto u = lq::hot_start(d, 81);
    c[k] = lq::pion_correlator(d, u, wilson, lq::SolverKind::cg_even_odd, lt::solver(1e-12, 1000), {3, 0, 1, 7});
    flow[k] = lq::wilson_flow(d, u, 0.05, 0.15, 1);
    m[k] = measure(d, u);
  }
  expect_near(m[1], m[0], 1e-13);
  ASSERT_EQ(flow[0].size(), flow[1].size());
  for (std::size_t k = 0; k < flow[0].size(); ++k) {
    EXPECT_NEAR(flow[1][k].t2_e_plaq, flow[0][k].t2_e_plaq, 1e-13);
    EXPECT_NEAR(flow[1][k].t2_e_clover, flow[0][k].t2_e_clover, 1e-13);
    EXPECT_NEAR(flow[1][k].q, flow[0][k].q, 1e-13);
  }
  for (int t = 0; t < 8; ++t)
    EXPECT_NEAR(c[1][t], c[0][t], 1e-12 * c[0][t]) << "t = " << t;
}

TEST(Observables, CoshEffectiveMassOfAPeriodicCorrelator)
{
  // C(t) = A cosh(m (T/2 - t)): the cosh form recovers m at every t, past T/2 too, where
  // the log form turns negative (it is -m' there, with the ratio inverted), and at T/2 - 1,
  // where the log form is smallest (log cosh m).
  for (const int lt : {8, 16, 32})
    for (const double m : {0.05, 0.3, 1.2, 3.0}) {
      const double a = 2.5e-3;
      std::vector<double> c(static_cast<std::size_t>(lt));
      for (int t = 0; t < lt; ++t)
        c[t] = a * std::cosh(m * (0.5 * lt - t));
      for (int t = 0; t + 1 < lt; ++t) {
        EXPECT_NEAR(lq::cosh_effective_mass(c[t], c[t + 1], t, lt), m, 1e-10)
            << "T = " << lt << ", m = " << m << ", t = " << t;
        EXPECT_EQ(lq::log_effective_mass(c[t], c[t + 1]), std::log(c[t] / c[t + 1]));
        if (t >= lt / 2) {
          EXPECT_LT(lq::log_effective_mass(c[t], c[t + 1]), 0) << "t = " << t;
        }
      }
      // Exactly the log form's value for T/2 - 1 (ratio cosh m): |log(cosh m)| < m.
      EXPECT_NEAR(lq::log_effective_mass(c[lt / 2 - 1], c[lt / 2]), std::log(std::cosh(m)), 1e-14);
    }
  // No cosh fits a ratio on the wrong side, a zero or a negative value.
  EXPECT_TRUE(std::isnan(lq::cosh_effective_mass(1.0, 2.0, 0, 16)));  // rising before T/2
  EXPECT_TRUE(std::isnan(lq::cosh_effective_mass(2.0, 1.0, 12, 16))); // falling after T/2
  EXPECT_TRUE(std::isnan(lq::cosh_effective_mass(1.0, 0.0, 0, 16)));
  EXPECT_TRUE(std::isnan(lq::cosh_effective_mass(-1.0, 1.0, 0, 16)));
  EXPECT_TRUE(std::isnan(lq::log_effective_mass(1.0, 0.0)));
}
