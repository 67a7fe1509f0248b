// SPDX-License-Identifier: Apache-2.0
// The per-configuration phi^4 measurements against host loops, and the accumulated estimates
// (replica averages, the connected correlator with per-site means subtracted, G(t), m_p(t))
// against the formulas evaluated directly over all configurations.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "flow_testing.hpp"
#include "tessera/flow/phi4_observables.hpp"

namespace fl = tessera::flow;
namespace ft = tessera::flow::testing;
using tessera::ExecSpace;
using tessera::Index;
using tessera::nn::LatticeShape;

TEST(Phi4Observables, MeasurementsMatchHostSums)
{
  const LatticeShape shape{4, 3};
  const int lx = 4, ly = 3, v = 12;
  const Index samples = 3;
  const auto phi = ft::random_batch<double>(samples * v, 31);
  const auto f = ft::host_values(phi);
  const auto m = fl::measure_phi4<double>(ExecSpace{}, shape, phi);
  ASSERT_EQ(m.samples, samples);
  ASSERT_EQ(m.sites, v);
  EXPECT_EQ(m.field, f);
  for (Index n = 0; n < samples; ++n) {
    const auto at = [&](int x, int y) { return f[n * v + ((x + lx) % lx) * ly + (y + ly) % ly]; };
    double phi2 = 0, mag = 0;
    for (int s = 0; s < v; ++s) {
      phi2 += f[n * v + s] * f[n * v + s] / v;
      mag += f[n * v + s];
    }
    EXPECT_NEAR(m.phi2[n], phi2, 1e-14);
    EXPECT_NEAR(m.magnetisation[n], mag, 1e-13);
    for (int dx = 0; dx < lx; ++dx)
      for (int dy = 0; dy < ly; ++dy) {
        double c = 0;
        for (int x = 0; x < lx; ++x)
          for (int y = 0; y < ly; ++y)
            c += at(x, y) * at(x + dx, y + dy) / v;
        EXPECT_NEAR(m.correlation[n * v + dx * ly + dy], c, 1e-14) << "sample " << n << " x = " << dx << "," << dy;
      }
  }
}

// 8 configurations as 4 time steps of 2 replicas: every estimate is the direct formula over all 8.
TEST(Phi4Observables, EstimatesAreTheFormulasOverAllConfigurations)
{
  const LatticeShape shape{4, 3};
  const int lx = 4, ly = 3, v = 12;
  const Index samples = 8, replicas = 2;
  const auto phi = ft::random_batch<double>(samples * v, 32);
  const auto f = ft::host_values(phi);
  fl::Phi4Estimates estimates(shape, replicas);
  estimates.measure<double>(ExecSpace{}, phi);
  ASSERT_EQ(estimates.steps(), 4);
  const auto r = estimates.results(4);

  double phi2 = 0, abs_m = 0, chi2 = 0;
  std::vector<double> mean(v, 0.0);
  for (Index n = 0; n < samples; ++n) {
    double mag = 0;
    for (int s = 0; s < v; ++s) {
      phi2 += f[n * v + s] * f[n * v + s] / (v * samples);
      mag += f[n * v + s];
      mean[s] += f[n * v + s] / samples;
    }
    abs_m += std::abs(mag) / (v * samples);
    chi2 += mag * mag / (v * samples);
  }
  EXPECT_NEAR(r.phi2.mean, phi2, 1e-14);
  EXPECT_NEAR(r.abs_magnetisation.mean, abs_m, 1e-14);
  EXPECT_NEAR(r.chi2.mean, chi2, 1e-13);
  const auto site = [&](int x, int y) { return ((x + lx) % lx) * ly + (y + ly) % ly; };
  double chi2c = 0;
  std::vector<double> gt(lx, 0.0);
  for (int dx = 0; dx < lx; ++dx)
    for (int dy = 0; dy < ly; ++dy) {
      double g = 0;
      for (int x = 0; x < lx; ++x)
        for (int y = 0; y < ly; ++y) {
          double pp = 0;
          for (Index n = 0; n < samples; ++n)
            pp += f[n * v + site(x, y)] * f[n * v + site(x + dx, y + dy)] / samples;
          g += (pp - mean[site(x, y)] * mean[site(x + dx, y + dy)]) / v;
        }
      EXPECT_NEAR(r.connected[dx * ly + dy].value, g, 1e-13);
      EXPECT_TRUE(std::isfinite(r.connected[dx * ly + dy].error));
      chi2c += g;
      gt[dx] += g;
    }
  EXPECT_NEAR(r.chi2_connected.value, chi2c, 1e-13);
  for (int t = 0; t < lx; ++t) {
    EXPECT_NEAR(r.zero_momentum[t].value, gt[t], 1e-13);
    const double arg = (gt[(t + lx - 1) % lx] + gt[(t + 1) % lx]) / (2 * gt[t]);
    if (t > 0 && arg >= 1)
      EXPECT_NEAR(r.effective_mass[t].value, std::acosh(arg), 1e-10);
    else
      EXPECT_TRUE(std::isnan(r.effective_mass[t].value));
  }
  EXPECT_EQ(r.steps, 4);
  EXPECT_EQ(r.replicas, 2);
  EXPECT_THROW(estimates.add(fl::measure_phi4<double>(ExecSpace{}, shape, ft::random_batch<double>(3 * v, 33))),
               std::invalid_argument);
}
