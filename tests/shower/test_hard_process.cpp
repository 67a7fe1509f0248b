// SPDX-License-Identifier: Apache-2.0
// The hard process e+ e- -> q qbar: the cross section against the analytic formula, the
// angular distribution (1 + cos^2 plus the forward-backward term) against an independent
// electroweak calculation, both from the weighted events the generator draws.
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "shower_testing.hpp"

using namespace tessera;
using namespace tessera::shower;
using namespace tessera::shower::testing;

namespace {
// Textbook Z-pole quantities (independent of EeToQQbar): the fermion asymmetry
// A_f = 2 v a / (v^2 + a^2) with a = T3, v = T3 - 2 Q sin^2.
double asymmetry(double t3, double q, double sin2)
{
  const double a = t3, v = t3 - 2 * q * sin2;
  return 2 * v * a / (v * v + a * a);
}
} // namespace

// The analytic total (flavour sum of 8/3 S_f / (32 pi s)) against a direct numerical
// integration of |M|^2 over cos(theta), and the Monte Carlo estimate against both.
TEST(HardProcess, CrossSectionMatchesAnalytic)
{
  const auto p = test_params();
  const auto& hard = p.generator.hard;
  long double numeric = 0;
  const int steps = 2000; // Simpson on [-1, 1]: exact for the quadratic integrand
  for (int fl = 1; fl <= 5; ++fl) {
    for (int k = 0; k <= steps; ++k) {
      const double c = -1.0 + 2.0 * k / steps;
      const double weight = (k == 0 || k == steps) ? 1 : (k % 2 ? 4 : 2);
      numeric += weight * hard.me2(fl, c) * (2.0 / steps / 3.0);
    }
  }
  // sigma = 1/(2s) * int |M|^2 dcos / (16 pi), in pb.
  const double sigma_numeric = static_cast<double>(numeric) / (2 * hard.s()) / (16 * M_PI) * gev2_to_pb;
  EXPECT_NEAR(hard.total_cross_section(), sigma_numeric, 1e-12 * sigma_numeric);
  // The LEP-era size: about 42 nb at the Z pole at leading order without QED radiation.
  EXPECT_GT(hard.total_cross_section(), 40e3);
  EXPECT_LT(hard.total_cross_section(), 45e3);

  const std::int64_t n = 1 << 17;
  const auto events = shower_events({"shower.t_cutoff=1000"}, 0, n); // hard process only, hardly any shower
  double sum = 0, sum2 = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    sum += events.weight(i);
    sum2 += events.weight(i) * events.weight(i);
  }
  const double mean = sum / n, error = std::sqrt((sum2 / n - mean * mean) / (n - 1));
  EXPECT_NEAR(mean, hard.total_cross_section(), 4 * error) << "MC " << mean << " +- " << error;
  EXPECT_LT(error / mean, 0.003);
}

// At s = mZ^2 the gamma/Z interference term vanishes, so A_FB of b quarks is the Z-only
// 3/4 A_e A_b diluted by the pure-photon part of the symmetric term.
TEST(HardProcess, ForwardBackwardAsymmetryAtThePole)
{
  auto p = test_params({"process.sqrt_s=91.1876"});
  const auto& hard = p.generator.hard;
  double sym = 0, anti = 0;
  hard.coefficients(5, sym, anti);
  const double sin2 = 0.22293;
  const double kappa = 1 / (4 * sin2 * (1 - sin2));
  const double chi2 = kappa * kappa * 91.1876 * 91.1876 / (2.4952 * 2.4952);
  const double ae = -0.5, ve = -0.5 + 2 * sin2, ab = -0.5, vb = -0.5 + 2.0 / 3.0 * sin2;
  const double z_part = (ae * ae + ve * ve) * (ab * ab + vb * vb) * chi2, photon = 1.0 / 9.0;
  const double expected =
      0.75 * asymmetry(-0.5, -1, sin2) * asymmetry(-0.5, -1.0 / 3.0, sin2) * z_part / (z_part + photon);
  // A_FB = (int_0^1 - int_-1^0) / int_-1^1 = 3 anti / (8 sym), theta between the quark and
  // the incoming e- (+z).
  EXPECT_NEAR(3 * anti / (8 * sym), expected, 1e-12);
  // With sin^2 = 0.22293 (the on-shell value GAPS uses) A_e = 0.214, so A_FB(b) = 0.15, larger than
  // LEP's 0.099, which reflects the effective sin^2 = 0.2315.
  EXPECT_NEAR(expected, 0.151, 0.002);
}

// The weighted cos(theta) distribution of generated events against (1 + c^2) S + c A
// summed over flavours: a chi-square over 20 bins, and the first two moments.
TEST(HardProcess, AngularDistribution)
{
  const std::vector<std::string> hard_only = {"shower.t_cutoff=1000"};
  const auto p = test_params(hard_only);
  const auto& hard = p.generator.hard;
  const std::int64_t n = 1 << 17;
  const auto events = shower_events(hard_only, 0, n);
  const int bins = 20;
  std::vector<double> sumw(bins, 0), sumw2(bins, 0);
  double total = 0, first_moment = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double c = events.cos_theta(i), w = events.weight(i);
    const int b = std::min(bins - 1, static_cast<int>((c + 1) / 2 * bins));
    sumw[b] += w / n;
    sumw2[b] += w * w / (double(n) * n);
    total += w / n;
    first_moment += c * w / n;
  }
  double sym_total = 0, anti_total = 0;
  for (int fl = 1; fl <= 5; ++fl) {
    double s = 0, a = 0;
    hard.coefficients(fl, s, a);
    sym_total += s;
    anti_total += a;
  }
  const double norm = total / (8.0 / 3.0 * sym_total); // expected bin = norm * integral
  double chi2 = 0;
  for (int b = 0; b < bins; ++b) {
    const double lo = -1 + 2.0 * b / bins, hi = lo + 2.0 / bins;
    const double integral =
        sym_total * ((hi - lo) + (hi * hi * hi - lo * lo * lo) / 3) + anti_total * (hi * hi - lo * lo) / 2;
    const double expected = norm * integral;
    chi2 += (sumw[b] - expected) * (sumw[b] - expected) / sumw2[b];
  }
  EXPECT_LT(chi2, 45.3) << "chi2 over 19 degrees of freedom (p = 0.001 quantile 43.8 + margin)";
  const double mean_cos = first_moment / total;
  const double expected_mean = (2.0 / 3.0 * anti_total) / (8.0 / 3.0 * sym_total);
  EXPECT_NEAR(mean_cos, expected_mean, 0.01);
}
