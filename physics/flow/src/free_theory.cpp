// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/free_theory.hpp"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::flow {

namespace {
void check(nn::LatticeShape shape, double m2)
{
  if (shape.extent_x < 1 || shape.extent_y < 1)
    throw InputError(fmt::format("free theory: lattice {} x {} has no sites", shape.extent_x, shape.extent_y));
  if (!(m2 > 0)) throw InputError(fmt::format("free theory: m2 = {} must be > 0 (a massless mode)", m2));
}

double phat2(int n, int extent)
{
  const double s = std::sin(std::numbers::pi * n / extent);
  return 4 * s * s;
}
} // namespace

std::vector<double> free_propagator(nn::LatticeShape shape, double m2)
{
  check(shape, m2);
  const int lx = shape.extent_x, ly = shape.extent_y;
  const double volume = static_cast<double>(shape.sites());
  std::vector<double> g(static_cast<std::size_t>(shape.sites()));
  for (int x = 0; x < lx; ++x)
    for (int y = 0; y < ly; ++y) {
      long double sum = 0;
      for (int nx = 0; nx < lx; ++nx)
        for (int ny = 0; ny < ly; ++ny) {
          const double phase =
              2 * std::numbers::pi * (static_cast<double>(nx) * x / lx + static_cast<double>(ny) * y / ly);
          sum += std::cos(phase) / (phat2(nx, lx) + phat2(ny, ly) + m2);
        }
      g[static_cast<std::size_t>(shape.site(x, y))] = static_cast<double>(sum / (2 * volume));
    }
  return g;
}

double free_phi2(nn::LatticeShape shape, double m2)
{
  return free_propagator(shape, m2)[0];
}

double free_chi2(double m2)
{
  check({1, 1}, m2);
  return 1 / (2 * m2);
}

std::vector<double> free_zero_momentum_correlator(nn::LatticeShape shape, double m2)
{
  check(shape, m2);
  const int lx = shape.extent_x;
  std::vector<double> g(static_cast<std::size_t>(lx));
  for (int t = 0; t < lx; ++t) {
    long double sum = 0;
    for (int n = 0; n < lx; ++n)
      sum += std::cos(2 * std::numbers::pi * n * t / lx) / (phat2(n, lx) + m2);
    g[static_cast<std::size_t>(t)] = static_cast<double>(sum / (2 * lx));
  }
  return g;
}

double free_pole_mass(double m2)
{
  check({1, 1}, m2);
  return 2 * std::asinh(std::sqrt(m2) / 2);
}

} // namespace tessera::flow
