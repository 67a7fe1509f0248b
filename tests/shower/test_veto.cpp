// SPDX-License-Identifier: Apache-2.0
// The veto algorithm samples the right distribution. With a fixed coupling the first
// emission off the q qbar pair (two dipole ends, both q -> q g with invariant mass s) has
//   P(t_first < t) = Delta(t) = exp(-int_t^s dt'/t' rho(t')),
//   rho(t) = 2 alpha/(2 pi) int dz (1 - y) P_qq(z, y),  y = t / (s z (1 - z)) < 1,
// computed here by quadrature in long double, independently of the shower code. The
// accepted z must follow the true kernel (the veto's acceptance (1 - y) P / estimate):
//   p(z) = int dt/t Delta(t) 2 alpha/(2 pi) (1 - y) P_qq(z, y).
// Both competition modes (summed overestimate, per-dipole trials) are checked.
#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "shower_testing.hpp"

using namespace tessera;
using namespace tessera::shower;
using namespace tessera::shower::testing;

namespace {
constexpr double alpha = 0.118, sqrt_s = 91.2, t0 = 1.0;
const double s_hat = sqrt_s * sqrt_s;

long double kernel_times_jacobian(long double z, long double t)
{
  const long double y = t / (s_hat * z * (1 - z));
  if (y >= 1) return 0;
  const long double cf = 4.0L / 3.0L;
  return (1 - y) * cf * (2 / (1 - z * (1 - y)) - (1 + z));
}

// rho(t): z over the allowed range, in x = logit(z) (dz = z (1 - z) dx), Simpson.
long double rho(long double t)
{
  const long double root = std::sqrt(std::max(0.0L, 1 - 4 * t / s_hat));
  const long double zlo = (1 - root) / 2, zhi = (1 + root) / 2;
  const long double xlo = std::log(zlo / (1 - zlo)), xhi = std::log(zhi / (1 - zhi));
  const int steps = 2000;
  long double sum = 0;
  for (int k = 0; k <= steps; ++k) {
    const long double x = xlo + (xhi - xlo) * k / steps;
    const long double z = 1 / (1 + std::exp(-x));
    const long double w = (k == 0 || k == steps) ? 1 : (k % 2 ? 4 : 2);
    sum += w * kernel_times_jacobian(z, t) * z * (1 - z);
  }
  return 2 * alpha / (2 * M_PI) * sum * (xhi - xlo) / steps / 3;
}

// Delta on a grid in ln t from ln t0 to ln s.
struct Sudakov {
  std::vector<long double> log_t, delta;
  Sudakov()
  {
    const int points = 4001;
    log_t.resize(points);
    delta.resize(points);
    std::vector<long double> r(points);
    for (int k = 0; k < points; ++k) {
      log_t[k] = std::log(t0) + (std::log(s_hat / 4) - std::log(t0)) * k / (points - 1);
      r[k] = rho(std::exp(log_t[k]));
    }
    delta[points - 1] = 1; // no emission above s/4 (y < 1 needs t < s/4)
    for (int k = points - 2; k >= 0; --k)
      delta[k] = delta[k + 1] * std::exp(-(r[k] + r[k + 1]) / 2 * (log_t[k + 1] - log_t[k]));
  }
  long double operator()(long double t) const
  {
    const long double lt = std::log(t);
    if (lt <= log_t.front()) return delta.front();
    if (lt >= log_t.back()) return 1;
    const auto k = static_cast<std::size_t>((lt - log_t.front()) / (log_t[1] - log_t[0]));
    const long double f = (lt - log_t[k]) / (log_t[k + 1] - log_t[k]);
    return delta[k] * (1 - f) + delta[k + 1] * f;
  }
};

std::vector<std::string> fixed_coupling(const char* competition)
{
  return {"shower.running=fixed", "shower.alpha_s_mz=0.118", "process.sqrt_s=91.2",
          std::string("shower.competition=") + competition};
}

class VetoAlgorithm : public ::testing::TestWithParam<const char*> {};
} // namespace

TEST_P(VetoAlgorithm, FirstEmissionScaleFollowsTheSudakov)
{
  static const Sudakov sudakov;
  const std::int64_t n = 20000;
  const auto events = shower_events(fixed_coupling(GetParam()), 0, n);
  std::vector<double> t(n);
  for (std::int64_t i = 0; i < n; ++i)
    t[i] = events.first_t(i); // 0: no emission above the cutoff
  std::sort(t.begin(), t.end());
  // Kolmogorov-Smirnov distance between the empirical CDF and Delta(t).
  double distance = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (t[i] == 0) continue;
    const double f = static_cast<double>(sudakov(t[i]));
    distance = std::max({distance, std::abs(f - double(i) / n), std::abs(f - double(i + 1) / n)});
  }
  const double no_emission = static_cast<double>(std::count(t.begin(), t.end(), 0.0)) / n;
  EXPECT_NEAR(no_emission, static_cast<double>(sudakov.delta.front()), 0.01);
  EXPECT_LT(distance, 1.95 / std::sqrt(double(n))) << "KS distance (p = 0.001 critical value)";
}

TEST_P(VetoAlgorithm, AcceptedMomentumFractionFollowsTheTrueKernel)
{
  static const Sudakov sudakov;
  const std::int64_t n = 20000;
  const auto events = shower_events(fixed_coupling(GetParam()), 1000000, n);
  // Bins in logit(z) over the range allowed at the cutoff.
  const double zmax = 0.5 * (1 + std::sqrt(1 - 4 * t0 / s_hat));
  const double xmax = std::log(zmax / (1 - zmax));
  const int bins = 20;
  std::vector<double> observed(bins, 0), expected(bins, 0);
  int emitted = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (events.first_t(i) == 0) continue;
    const double z = events.first_z(i);
    const double x = std::log(z / (1 - z));
    const int b = std::clamp(static_cast<int>((x + xmax) / (2 * xmax) * bins), 0, bins - 1);
    observed[b] += 1;
    ++emitted;
  }
  // p(z) integrated over each bin: z in logit steps, t in ln t steps up to s z (1 - z).
  double total = 0;
  for (int b = 0; b < bins; ++b) {
    const int z_steps = 200;
    for (int kz = 0; kz < z_steps; ++kz) {
      const double x = -xmax + 2 * xmax * (b + (kz + 0.5) / z_steps) / bins;
      const double z = 1 / (1 + std::exp(-x));
      const double dz = z * (1 - z) * 2 * xmax / bins / z_steps;
      const double lt_max = std::log(s_hat * z * (1 - z));
      if (lt_max <= std::log(t0)) continue;
      const int t_steps = 200;
      double inner = 0;
      for (int kt = 0; kt < t_steps; ++kt) {
        const double lt = std::log(t0) + (lt_max - std::log(t0)) * (kt + 0.5) / t_steps;
        const double tt = std::exp(lt);
        inner += static_cast<double>(sudakov(tt) * kernel_times_jacobian(z, tt));
      }
      inner *= (lt_max - std::log(t0)) / t_steps * 2 * alpha / (2 * M_PI);
      expected[b] += inner * dz;
    }
    total += expected[b];
  }
  double chi2 = 0;
  for (int b = 0; b < bins; ++b) {
    const double e = expected[b] / total * emitted;
    if (e < 5) continue;
    chi2 += (observed[b] - e) * (observed[b] - e) / e;
  }
  EXPECT_NEAR(total, 1 - static_cast<double>(sudakov.delta.front()), 0.01) << "emission probability";
  EXPECT_LT(chi2, 45.3) << "chi2 of the first emission's z over <= 19 degrees of freedom";
}

INSTANTIATE_TEST_SUITE_P(Competition, VetoAlgorithm, ::testing::Values("summed", "per_dipole"));

// The two competitions give the same showers in distribution (running coupling, all
// splittings): multiplicity and first-emission scale histograms, two-sample chi-square.
TEST(VetoAlgorithm, SummedAndPerDipoleCompetitionsAgree)
{
  const std::int64_t n = 20000;
  const auto a = shower_events({"shower.competition=summed"}, 0, n);
  const auto b = shower_events({"shower.competition=per_dipole"}, 5000000, n);
  std::vector<double> ha(40, 0), hb(40, 0), ta(30, 0), tb(30, 0);
  for (std::int64_t i = 0; i < n; ++i) {
    ha[std::min(39, a.n(i))] += 1;
    hb[std::min(39, b.n(i))] += 1;
    const auto bin = [&](double t) {
      return t == 0 ? 0 : std::clamp(1 + static_cast<int>(std::log(t) / std::log(s_hat / 4) * 28), 1, 29);
    };
    ta[bin(a.first_t(i))] += 1;
    tb[bin(b.first_t(i))] += 1;
  }
  const auto chi2 = [](const std::vector<double>& x, const std::vector<double>& y, int& dof) {
    double c = 0;
    dof = -1;
    for (std::size_t k = 0; k < x.size(); ++k) {
      if (x[k] + y[k] < 10) continue;
      c += (x[k] - y[k]) * (x[k] - y[k]) / (x[k] + y[k]);
      ++dof;
    }
    return c;
  };
  int dof_n = 0, dof_t = 0;
  const double cn = chi2(ha, hb, dof_n), ct = chi2(ta, tb, dof_t);
  EXPECT_LT(cn, dof_n + 4.5 * std::sqrt(2.0 * dof_n)) << "multiplicity, " << dof_n << " dof";
  EXPECT_LT(ct, dof_t + 4.5 * std::sqrt(2.0 * dof_t)) << "first emission scale, " << dof_t << " dof";
}
