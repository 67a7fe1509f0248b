// SPDX-License-Identifier: Apache-2.0
// Forces, jerks and potentials of a random 1000-particle set against a direct sum on the
// host in long double; the j-split and active-subset paths against the plain one; FP32.
#include <cmath>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tessera/core/errors.hpp"

#include "tessera/core/rng.hpp"
#include "tessera/nbody/forces.hpp"
#include "tessera/nbody/state.hpp"

using namespace tessera;
using namespace tessera::nbody;

namespace {
constexpr Index n = 1000;

State random_particles(const Comm& comm)
{
  State s = allocate(comm, n);
  const auto x = s.x;
  const auto v = s.v;
  const auto m = s.m;
  const auto id = s.id;
  par_for(
      "test::random_particles", s.local(), KOKKOS_LAMBDA(Index i) {
        RandomDraws rng(42, 0, static_cast<std::uint64_t>(id(i)));
        for (int d = 0; d < 3; ++d) {
          x(i, d) = rng.uniform(-1.0, 1.0);
          v(i, d) = rng.uniform(-0.5, 0.5);
        }
        m(i) = rng.uniform(0.5, 1.5) / n;
      });
  return s;
}

struct Reference {
  std::vector<long double> sums; // (i, 7)
};

// The direct sum in long double over all pairs i != j.
Reference host_reference(const State& s, double eps)
{
  const auto x = to_host(s.x);
  const auto v = to_host(s.v);
  const auto m = to_host(s.m);
  Reference r{std::vector<long double>(7 * n, 0.0L)};
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) {
      if (i == j) continue;
      long double d[3], w[3];
      for (int c = 0; c < 3; ++c) {
        d[c] = static_cast<long double>(x(j, c)) - x(i, c);
        w[c] = static_cast<long double>(v(j, c)) - v(i, c);
      }
      const long double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + static_cast<long double>(eps) * eps;
      const long double rinv = 1.0L / std::sqrt(r2), rinv3 = rinv * rinv * rinv;
      const long double rv = d[0] * w[0] + d[1] * w[1] + d[2] * w[2];
      for (int c = 0; c < 3; ++c) {
        r.sums[7 * i + c] += m(j) * d[c] * rinv3;
        r.sums[7 * i + 3 + c] += m(j) * (w[c] * rinv3 - 3.0L * rv * d[c] * rinv3 * rinv * rinv);
      }
      r.sums[7 * i + 6] -= m(j) * rinv;
    }
  return r;
}

template <class Real, bool Jerk>
HostViewRight<double**> device_sums(const Comm& comm, const State& s, double eps, ForceConfig config,
                                    const View<Index*>& active = {}, Index n_active = n)
{
  Gravity<Real, Jerk> gravity(comm, s.local(), eps, config);
  ViewRight<double**> sums("sums", n, n_sums<Jerk>);
  gravity.compute(s.x, s.v, s.m, active, n_active, sums);
  return Kokkos::create_mirror_view_and_copy(HostSpace(), sums);
}

// max over i of |device - reference| / |reference| for each group of components.
void expect_close(const HostViewRight<double**>& got, const Reference& ref, int components, double tolerance,
                  const char* what)
{
  for (int group = 0; group * 3 < components; ++group) {
    double worst = 0;
    const int width = group < 2 ? 3 : 1;
    for (Index i = 0; i < n; ++i) {
      long double diff = 0, norm = 0;
      for (int c = 0; c < width; ++c) {
        const long double r = ref.sums[7 * i + 3 * group + c];
        diff += (got(i, 3 * group + c) - r) * (got(i, 3 * group + c) - r);
        norm += r * r;
      }
      worst = std::max(worst, static_cast<double>(std::sqrt(diff / norm)));
    }
    EXPECT_LT(worst, tolerance) << what << ": group " << group << " (0: a, 1: jerk, 2: pot)";
  }
}
} // namespace

TEST(Forces, HermiteMatchesLongDoubleDirectSum)
{
  const Comm comm;
  const State s = random_particles(comm);
  for (double eps : {0.0, 0.01}) {
    const auto ref = host_reference(s, eps);
    expect_close(device_sums<double, true>(comm, s, eps, {}), ref, 7, 1e-12, eps == 0 ? "eps = 0" : "eps = 0.01");
  }
}

TEST(Forces, AccelerationOnlyFp64AndFp32)
{
  const Comm comm;
  const State s = random_particles(comm);
  const auto ref = host_reference(s, 0.01);
  expect_close(device_sums<double, false>(comm, s, 0.01, {}), ref, 3, 1e-12, "fp64");
  // Single precision: positions rounded to 2^-24 and float sums over 1000 terms.
  expect_close(device_sums<float, false>(comm, s, 0.01, {}), ref, 3, 2e-5, "fp32");
}

// The FP32 kernel with every i-per-thread it is built for (GPUs default to 4, hosts to 16),
// with and without a j-split and a tile that leaves a partial last tile: each to FP32 rounding
// of the long-double sum.
TEST(Forces, Fp32EveryIPerThreadMatchesLongDouble)
{
  const Comm comm;
  const State s = random_particles(comm);
  const auto ref = host_reference(s, 0.01);
  for (int ni : {0, 1, 2, 4}) {
    for (ForceConfig config : {ForceConfig{0, 0, 1, ni}, ForceConfig{0, 48, 5, ni}}) {
      expect_close(device_sums<float, false>(comm, s, 0.01, config), ref, 3, 2e-5,
                   fmt::format("fp32, {} i per thread, j_split {}", ni, config.j_split).c_str());
    }
  }
  const ForceConfig three{0, 0, 0, 3}, other{0, 0, 0, device_is_host ? 4 : 16};
  EXPECT_THROW((device_sums<float, false>(comm, s, 0.01, three)), Error);
  EXPECT_THROW((device_sums<double, true>(comm, s, 0.01, other)), Error);
}

TEST(Forces, JSplitAndTileSizesGiveTheSameSums)
{
  const Comm comm;
  const State s = random_particles(comm);
  const auto plain = device_sums<double, true>(comm, s, 0.01, {0, 0, 1});
  for (ForceConfig config : {ForceConfig{0, 0, 7}, ForceConfig{0, 64, 3}, ForceConfig{0, 33, 16}}) {
    const auto split = device_sums<double, true>(comm, s, 0.01, config);
    for (Index i = 0; i < n; ++i)
      for (int c = 0; c < 7; ++c) {
        ASSERT_NEAR(split(i, c), plain(i, c), 1e-13 * (std::abs(plain(i, c)) + 1.0))
            << "j_split " << config.j_split << " tile " << config.tile;
      }
  }
}

namespace {
View<Index*> every_third(Index& count)
{
  count = (n + 2) / 3;
  View<Index*> active("active", count);
  par_for("test::every_third", count, KOKKOS_LAMBDA(Index k) { active(k) = 3 * k; });
  return active;
}
} // namespace

TEST(Forces, ActiveSubsetEqualsTheFullEvaluation)
{
  const Comm comm;
  const State s = random_particles(comm);
  const auto full = device_sums<double, true>(comm, s, 0.01, {});
  Index count = 0;
  const auto active = every_third(count);
  const auto subset = device_sums<double, true>(comm, s, 0.01, {}, active, count);
  for (Index k = 0; k < count; ++k)
    for (int c = 0; c < 7; ++c)
      ASSERT_NEAR(subset(k, c), full(3 * k, c), 1e-13 * (std::abs(full(3 * k, c)) + 1.0));
}
