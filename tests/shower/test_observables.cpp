// SPDX-License-Identifier: Apache-2.0
// Event shapes and Durham resolutions against configurations with known values and
// against independent brute-force definitions; histograms: the total weight is the cross
// section, and the YODA file reads back.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "shower_testing.hpp"
#include "tessera/core/comm.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/shower/analysis.hpp"
#include "tessera/shower/output.hpp"

using namespace tessera;
using namespace tessera::shower;
using namespace tessera::shower::testing;

namespace {
struct Momenta {
  Vec4* v;
  explicit Momenta(std::vector<Vec4>* vector) : v(vector->data()) {}
  KOKKOS_INLINE_FUNCTION Vec4& operator()(int k) const { return v[k]; }
};

Vec4 massless(double e, double theta, double phi)
{
  return {e, e * std::sin(theta) * std::cos(phi), e * std::sin(theta) * std::sin(phi), e * std::cos(theta)};
}

// A random massless final state with total momentum (sqrt_s, 0, 0, 0): isotropic momenta
// balanced by two partons along the remainder.
std::vector<Vec4> random_event(int n, std::uint64_t item)
{
  RandomDraws rng(9, 1, item);
  std::vector<Vec4> p;
  Vec4 sum;
  for (int k = 0; k < n - 2; ++k) {
    p.push_back(massless(rng.uniform(1, 20), std::acos(rng.uniform(-1, 1)), rng.uniform(0, 2 * M_PI)));
    sum += p.back();
  }
  // Two back-to-back partons in the rest frame of the remainder recoil, boosted back.
  const double m = 30 + sum.e;
  const Vec4 rest{m, -sum.px, -sum.py, -sum.pz};
  const double e = std::sqrt(rest.m2()) / 2;
  const Vec4 a = massless(e, std::acos(rng.uniform(-1, 1)), rng.uniform(0, 2 * M_PI));
  p.push_back(boost_from_rest_frame(rest, a));
  p.push_back(boost_from_rest_frame(rest, Vec4{e, -a.px, -a.py, -a.pz}));
  return p;
}

// Thrust by brute force: the best of all 2^(n-1) hemisphere assignments.
double brute_force_thrust(const std::vector<Vec4>& p)
{
  const int n = static_cast<int>(p.size());
  double sum_abs = 0, best = 0;
  for (const auto& q : p)
    sum_abs += q.p();
  for (unsigned mask = 0; mask < (1u << (n - 1)); ++mask) {
    Vec4 side;
    for (int k = 0; k < n; ++k)
      if (mask & (1u << k)) side += p[static_cast<std::size_t>(k)];
    best = std::max(best, 2 * side.p());
  }
  return best / sum_abs;
}

// C = 3/2 sum_ij |p_i||p_j| sin^2(theta_ij) / (sum |p|)^2.
double c_parameter_pairs(const std::vector<Vec4>& p)
{
  double sum_abs = 0, c = 0;
  for (const auto& a : p) {
    sum_abs += a.p();
    for (const auto& b : p) {
      const double cos_ab = dot3(a, b) / (a.p() * b.p());
      c += a.p() * b.p() * (1 - cos_ab * cos_ab);
    }
  }
  return 1.5 * c / (sum_abs * sum_abs);
}

// Durham by the textbook loop (vector erase, recompute every pair).
std::vector<double> naive_durham(std::vector<Vec4> p, double s)
{
  std::vector<double> y;
  while (p.size() > 2) {
    double best = 1e300;
    std::size_t bi = 0, bj = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
      for (std::size_t j = i + 1; j < p.size(); ++j) {
        const double e = std::min(p[i].e, p[j].e);
        const double c = dot3(p[i], p[j]) / (p[i].p() * p[j].p());
        const double yij = 2 * e * e * (1 - c) / s;
        if (yij < best) best = yij, bi = i, bj = j;
      }
    y.insert(y.begin(), best);
    p[bi] += p[bj];
    p.erase(p.begin() + static_cast<std::ptrdiff_t>(bj));
  }
  return y; // y23, y34, ...
}
} // namespace

TEST(Observables, KnownConfigurations)
{
  // Two back-to-back partons: T = 1, C = 0, no jet masses.
  std::vector<Vec4> two = {massless(45.6, 0.3, 0.2), massless(45.6, M_PI - 0.3, 0.2 + M_PI)};
  auto shapes = event_shapes(Momenta{&two}, 2);
  EXPECT_NEAR(shapes.one_minus_thrust, 0, 1e-12);
  EXPECT_NEAR(shapes.c_parameter, 0, 1e-12);
  EXPECT_NEAR(shapes.heavy_jet_mass, 0, 1e-6);
  // The symmetric three-parton ("Mercedes") event: T = 2/3, C = 3/4, B_T = 2 * ... :
  // thrust axis along one parton, the other two in the opposite hemisphere.
  std::vector<Vec4> three = {massless(30, M_PI / 2, 0), massless(30, M_PI / 2, 2 * M_PI / 3),
                             massless(30, M_PI / 2, 4 * M_PI / 3)};
  shapes = event_shapes(Momenta{&three}, 3);
  EXPECT_NEAR(shapes.one_minus_thrust, 1.0 / 3.0, 1e-12);
  EXPECT_NEAR(shapes.c_parameter, 0.75, 1e-12);
  // Heavy hemisphere: two partons at 120 degrees, M^2 = 2 E^2 (1 - cos 120) = 3 E^2; E_vis = 3E.
  EXPECT_NEAR(shapes.heavy_jet_mass, std::sqrt(3.0) / 3.0, 1e-12);
  EXPECT_NEAR(shapes.light_jet_mass, 0, 1e-6);
  // B: each of the two has |p x n| = E sin 60; sum |p| = 3E: B_wide = 2 E sin60 / 6E.
  EXPECT_NEAR(shapes.wide_broadening, std::sqrt(3.0) / 6.0, 1e-12);
  EXPECT_NEAR(shapes.narrow_broadening, 0, 1e-12);
}

TEST(Observables, AgreeWithBruteForceDefinitions)
{
  for (int n = 3; n <= 10; ++n) {
    for (std::uint64_t item = 0; item < 20; ++item) {
      const auto p = random_event(n, 100 * n + item);
      auto copy = p;
      const auto shapes = event_shapes(Momenta{&copy}, n);
      EXPECT_NEAR(1 - shapes.one_minus_thrust, brute_force_thrust(p), 1e-12) << n << " partons, event " << item;
      EXPECT_NEAR(shapes.c_parameter, c_parameter_pairs(p), 1e-12) << n << " partons, event " << item;
      double e_vis = 0;
      for (const auto& q : p)
        e_vis += q.e;
      double y[4];
      durham_resolutions(Momenta{&copy}, n, e_vis * e_vis, y, 4);
      const auto reference = naive_durham(p, e_vis * e_vis);
      for (int m = 0; m < 4; ++m) {
        const double expected = m < static_cast<int>(reference.size()) ? reference[static_cast<std::size_t>(m)] : 0;
        EXPECT_NEAR(y[m], expected, 1e-12 * (1 + expected)) << n << " partons, y_" << m + 2 << m + 3;
      }
    }
  }
}

// Every event fills every histogram once with its weight, so each histogram's total
// weight (bins, underflow and overflow) is the cross section; and the YODA file written
// reads back to the same numbers.
TEST(Histograms, TotalWeightIsTheCrossSectionAndYodaReadsBack)
{
  const Comm comm;
  const std::int64_t n = 7000; // three batches, the last one partial
  Simulation sim(RunContext{comm}, test_params({"events.n=7000", "events.batch=3000"}));
  while (sim.position() < sim.end())
    sim.advance(sim.end());
  const auto totals = sim.totals();
  ASSERT_EQ(totals.events, n);
  ASSERT_EQ(totals.overflows, 0);
  const double sigma = totals.sum_w / n;
  const auto histograms = sim.histograms();
  ASSERT_EQ(histograms.size(), static_cast<std::size_t>(n_observables));
  for (const auto& h : histograms) {
    double sum = h.underflow[sum_w] + h.overflow[sum_w], entries_sum = h.underflow[entries] + h.overflow[entries];
    for (const auto& b : h.bins) {
      sum += b[sum_w];
      entries_sum += b[entries];
    }
    EXPECT_NEAR(sum, sigma, 1e-12 * sigma) << h.path;
    EXPECT_NEAR(h.total[sum_w], sigma, 1e-12 * sigma) << h.path;
    EXPECT_EQ(entries_sum, static_cast<double>(n)) << h.path;
  }
  // Both layouts (YODA 2's, the default, and YODA 1's) read back to the same numbers, the
  // under- and overflow included.
  for (const auto format : {YodaFormat::yoda2, YodaFormat::yoda1}) {
    const auto path = std::filesystem::temp_directory_path() / "tessera_test_shower.yoda";
    write_yoda(path, histograms, format);
    const auto back = read_yoda(path);
    ASSERT_EQ(back.size(), histograms.size());
    for (std::size_t h = 0; h < back.size(); ++h) {
      EXPECT_EQ(back[h].path, histograms[h].path);
      EXPECT_EQ(back[h].title, histograms[h].title);
      ASSERT_EQ(back[h].bins.size(), histograms[h].bins.size());
      ASSERT_EQ(back[h].edges.size(), histograms[h].edges.size());
      for (std::size_t e = 0; e < back[h].edges.size(); ++e)
        EXPECT_NEAR(back[h].edges[e], histograms[h].edges[e], 1e-9 * (1 + std::abs(histograms[h].edges[e])));
      for (std::size_t b = 0; b < back[h].bins.size(); ++b)
        for (int k = 0; k < n_moments; ++k)
          EXPECT_NEAR(back[h].bins[b][k], histograms[h].bins[b][k], 1e-9 * std::abs(histograms[h].bins[b][k]));
      for (int k = 0; k < n_moments; ++k) {
        EXPECT_NEAR(back[h].underflow[k], histograms[h].underflow[k], 1e-9 * std::abs(histograms[h].underflow[k]));
        EXPECT_NEAR(back[h].overflow[k], histograms[h].overflow[k], 1e-9 * std::abs(histograms[h].overflow[k]));
      }
      EXPECT_NEAR(back[h].total[sum_w], sigma, 1e-9 * sigma);
      EXPECT_EQ(back[h].total[entries], static_cast<double>(n));
    }
    std::filesystem::remove(path);
  }
}

TEST(Histograms, MalformedYodaIsRejected)
{
  const auto path = std::filesystem::temp_directory_path() / "tessera_test_bad.yoda";
  {
    std::ofstream out(path);
    out << "BEGIN YODA_HISTO1D_V2 /x\nPath: /x\n---\n0.0\t1.0\t1.0\n";
  }
  EXPECT_THROW(read_yoda(path), InputError);
  // YODA 2: a row missing (two bins need four rows: underflow, bins, overflow), edges that
  // decrease, no END.
  const auto rejects = [&](const std::string& text) {
    {
      std::ofstream out(path);
      out << text;
    }
    EXPECT_THROW(read_yoda(path), InputError) << text;
  };
  const std::string row = "1 1 0 0 1\n";
  rejects("BEGIN YODA_HISTO1D_V3 /x\n---\nEdges(A1): [0, 1, 2]\n" + row + row + row + "END YODA_HISTO1D_V3\n");
  rejects("BEGIN YODA_HISTO1D_V3 /x\n---\nEdges(A1): [0, 2, 1]\n" + row + row + row + row + "END YODA_HISTO1D_V3\n");
  rejects("BEGIN YODA_HISTO1D_V3 /x\n---\nEdges(A1): [0, 1, 2]\n" + row + row + row + row);
  // ... and a well-formed one reads, another kind of object beside it skipped.
  {
    std::ofstream out(path);
    out << "BEGIN YODA_COUNTER_V3 /c\n---\n1 1 1\nEND YODA_COUNTER_V3\n"
        << "BEGIN YODA_HISTO1D_V3 /x\n---\nEdges(A1): [0, 1, 2]\n" + row + "2 4 1 1 2\n" + row + row
        << "END YODA_HISTO1D_V3\n";
  }
  const auto ok = read_yoda(path);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].bins.size(), 2u);
  EXPECT_EQ(ok[0].bins[0][sum_w], 2.0);
  EXPECT_EQ(ok[0].total[entries], 5.0);
  std::filesystem::remove(path);
}
