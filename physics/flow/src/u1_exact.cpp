// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/u1_exact.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::flow {

namespace {
void check(double beta, std::int64_t plaquettes)
{
  if (!(beta > 0) || !std::isfinite(beta)) throw InputError(fmt::format("U(1) exact: beta = {} must be > 0", beta));
  if (plaquettes < 1) throw InputError(fmt::format("U(1) exact: {} plaquettes (at least 1)", plaquettes));
}

// I_n(beta) / I_0(beta) for n >= 0 (0 once I_n underflows).
double bessel_ratio(int n, double beta)
{
  return std::cyl_bessel_i(static_cast<double>(n), beta) / std::cyl_bessel_i(0.0, beta);
}

constexpr int max_representation = 1000;

// (1/pi) int_0^pi exp(beta (cos t - 1)) t^k f(n t) dt (f = cos or sin; k = 0, 1, 2), Simpson.
struct Moments {
  double c0 = 0; // int e cos(n t)
  double s1 = 0; // int t e sin(n t)
  double c2 = 0; // int t^2 e cos(n t)
};
Moments moments(int n, double beta)
{
  constexpr int intervals = 8192;
  const double h = std::numbers::pi / intervals;
  Moments m;
  for (int i = 0; i <= intervals; ++i) {
    const double t = i * h, w = (i == 0 || i == intervals) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    const double e = w * std::exp(beta * (std::cos(t) - 1));
    m.c0 += e * std::cos(n * t);
    m.s1 += e * t * std::sin(n * t);
    m.c2 += e * t * t * std::cos(n * t);
  }
  const double scale = h / 3 / std::numbers::pi;
  m.c0 *= scale;
  m.s1 *= scale;
  m.c2 *= scale;
  return m;
}
} // namespace

double u1_plaquette_infinite_volume(double beta)
{
  check(beta, 1);
  return bessel_ratio(1, beta);
}

double u1_plaquette(double beta, std::int64_t plaquettes)
{
  check(beta, plaquettes);
  const double v = static_cast<double>(plaquettes);
  // n = 0, then n and -n together (I_-n = I_n).
  double z = 1, numerator = bessel_ratio(1, beta); // (I_-1 + I_1) / 2 / I_0
  double previous = 1, current = bessel_ratio(1, beta);
  for (int n = 1; n < max_representation; ++n) {
    const double next = bessel_ratio(n + 1, beta);
    const double weight = std::pow(current, v - 1);
    const double term_z = 2 * weight * current, term_num = 2 * weight * (previous + next) / 2;
    z += term_z;
    numerator += term_num;
    if (term_z < 1e-18 * z && term_num < 1e-18 * numerator) break;
    previous = current;
    current = next;
  }
  return numerator / z;
}

double u1_log_partition_function(double beta, std::int64_t plaquettes)
{
  check(beta, plaquettes);
  const double v = static_cast<double>(plaquettes);
  double sum = 1; // sum_n (I_n / I_0)^V, n = 0 and then n and -n together
  for (int n = 1; n < max_representation; ++n) {
    const double term = 2 * std::pow(bessel_ratio(n, beta), v);
    sum += term;
    if (!(term >= 1e-18 * sum)) break;
  }
  return 2 * v * std::log(2 * std::numbers::pi) + v * std::log(std::cyl_bessel_i(0.0, beta)) + std::log(sum);
}

double u1_topological_susceptibility_infinite_volume(double beta)
{
  check(beta, 1);
  const Moments m = moments(0, beta);
  return m.c2 / m.c0 / (4 * std::numbers::pi * std::numbers::pi);
}

double u1_topological_susceptibility(double beta, std::int64_t plaquettes)
{
  check(beta, plaquettes);
  const double v = static_cast<double>(plaquettes);
  // With nu = n - theta / 2 pi: dc/dnu = -s1, d2c/dnu2 = -c2, d/dtheta = -(1/2 pi) d/dnu, and
  // d2/dnu2 c^V = V (V-1) c^(V-2) (dc/dnu)^2 + V c^(V-1) d2c/dnu2. Everything over c_0(0)^V.
  const Moments m0 = moments(0, beta);
  double z = 1, minus_z2 = v * m0.c2 / m0.c0; // -d2Z/dnu2 / c_0^V
  for (int n = 1; n < max_representation; ++n) {
    const Moments m = moments(n, beta);
    const double r = m.c0 / m0.c0, ds = m.s1 / m0.c0, d2 = m.c2 / m0.c0;
    if (!(r > 0)) break;
    const double term_z = 2 * std::pow(r, v);
    const double cross = plaquettes >= 2 ? v * (v - 1) * std::pow(r, v - 2) * ds * ds : 0.0;
    const double term = 2 * (v * std::pow(r, v - 1) * d2 - cross);
    z += term_z;
    minus_z2 += term;
    if (term_z < 1e-18 * z && std::abs(term) < 1e-18 * std::abs(minus_z2)) break;
  }
  return minus_z2 / z / (4 * std::numbers::pi * std::numbers::pi) / v;
}

} // namespace tessera::flow
