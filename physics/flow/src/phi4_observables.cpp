// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/phi4_observables.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::flow {

template <class T>
Phi4Measurements measure_phi4(const ExecSpace& space, nn::LatticeShape shape, const nn::ConstFieldBatch<T>& phi)
{
  const Index sites = shape.sites();
  if (sites < 1 || phi.extent(0) % static_cast<std::size_t>(sites) != 0)
    throw std::invalid_argument(
        fmt::format("flow::measure_phi4: {} values are not whole samples of {} sites", phi.extent(0), sites));
  const Index n = static_cast<Index>(phi.extent(0)) / sites;
  View<double*> correlation("flow::phi4_correlation", static_cast<std::size_t>(n * sites));
  View<double*> magnetisation("flow::phi4_magnetisation", static_cast<std::size_t>(n));
  const int lx = shape.extent_x, ly = shape.extent_y;
  par_for(
      "flow::phi4_correlation", space, 0, n * sites, KOKKOS_LAMBDA(Index i) {
        const Index base = i - i % sites, x = i % sites;
        const int dx = static_cast<int>(x / ly), dy = static_cast<int>(x % ly);
        double sum = 0;
        for (int y0 = 0, z0 = dx; y0 < lx; ++y0, z0 = z0 + 1 == lx ? 0 : z0 + 1)
          for (int y1 = 0, z1 = dy; y1 < ly; ++y1, z1 = z1 + 1 == ly ? 0 : z1 + 1)
            sum += static_cast<double>(phi(base + shape.site(y0, y1))) * phi(base + shape.site(z0, z1));
        correlation(i) = sum / static_cast<double>(sites);
      });
  par_for_team(
      "flow::phi4_magnetisation", team_policy(space, n, 0, 0), KOKKOS_LAMBDA(const TeamMember& team) {
        const Index base = team.league_rank() * sites;
        double m = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, sites), [&](Index y, double& partial) { partial += phi(base + y); }, m);
        Kokkos::single(Kokkos::PerTeam(team), [&] { magnetisation(team.league_rank()) = m; });
      });
  const auto c = to_host(correlation);
  const auto m = to_host(magnetisation);
  const auto f = to_host(phi);
  Phi4Measurements out;
  out.samples = n;
  out.sites = sites;
  out.correlation.assign(c.data(), c.data() + c.size());
  out.magnetisation.assign(m.data(), m.data() + m.size());
  out.field.assign(f.data(), f.data() + f.size());
  out.phi2.resize(static_cast<std::size_t>(n));
  for (Index s = 0; s < n; ++s)
    out.phi2[static_cast<std::size_t>(s)] = c(s * sites); // C(0)
  return out;
}

template Phi4Measurements measure_phi4<float>(const ExecSpace&, nn::LatticeShape, const nn::ConstFieldBatch<float>&);
template Phi4Measurements measure_phi4<double>(const ExecSpace&, nn::LatticeShape, const nn::ConstFieldBatch<double>&);

Phi4Estimates::Phi4Estimates(nn::LatticeShape shape, Index replicas) : shape_(shape), replicas_(replicas)
{
  if (shape.extent_x < 1 || shape.extent_y < 1)
    throw InputError(fmt::format("phi^4 estimates: lattice {} x {} has no sites", shape.extent_x, shape.extent_y));
  if (replicas < 1) throw InputError(fmt::format("phi^4 estimates: {} replicas (at least 1)", replicas));
}

void Phi4Estimates::add(const Phi4Measurements& m)
{
  const Index sites = shape_.sites();
  if (m.sites != sites || m.samples % replicas_ != 0)
    throw std::invalid_argument(fmt::format("Phi4Estimates::add: {} samples of {} sites are not whole time steps of "
                                            "{} replicas of {} sites",
                                            m.samples, m.sites, replicas_, sites));
  const double volume = static_cast<double>(sites), r = static_cast<double>(replicas_);
  for (Index step = 0; step < m.samples / replicas_; ++step) {
    double phi2 = 0, abs_m = 0, chi2 = 0;
    const std::size_t first = series_.correlation.size();
    series_.correlation.resize(first + static_cast<std::size_t>(sites), 0.0);
    series_.field.resize(first + static_cast<std::size_t>(sites), 0.0);
    for (Index k = 0; k < replicas_; ++k) {
      const auto s = static_cast<std::size_t>(step * replicas_ + k);
      phi2 += m.phi2[s];
      abs_m += std::abs(m.magnetisation[s]) / volume;
      chi2 += m.magnetisation[s] * m.magnetisation[s] / volume;
      for (Index x = 0; x < sites; ++x) {
        const auto i = s * static_cast<std::size_t>(sites) + static_cast<std::size_t>(x);
        series_.correlation[first + static_cast<std::size_t>(x)] += m.correlation[i] / r;
        series_.field[first + static_cast<std::size_t>(x)] += m.field[i] / r;
      }
    }
    series_.phi2.push_back(phi2 / r);
    series_.abs_magnetisation.push_back(abs_m / r);
    series_.chi2.push_back(chi2 / r);
  }
}

namespace {
// The derived quantities from sums of C(x) and phi(y) over `count` time steps, flat:
// G_c(x) (sites values), chi_2,c, G(t) (L_x), m_p(t) (L_x), the pole mass.
std::vector<double> derived(nn::LatticeShape shape, const double* c_sum, const double* f_sum, double count)
{
  const Index sites = shape.sites();
  const int lx = shape.extent_x, ly = shape.extent_y;
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(sites + 2 * lx + 2));
  double chi2c = 0;
  for (Index x = 0; x < sites; ++x) {
    const int dx = static_cast<int>(x / ly), dy = static_cast<int>(x % ly);
    double ff = 0;
    for (Index y = 0; y < sites; ++y)
      ff += f_sum[y] * f_sum[shape.shifted(y, dx, dy)];
    const double g = c_sum[x] / count - ff / (count * count * static_cast<double>(sites));
    out.push_back(g);
    chi2c += g;
  }
  out.push_back(chi2c);
  std::vector<double> g(static_cast<std::size_t>(lx), 0.0);
  for (int t = 0; t < lx; ++t)
    for (int x1 = 0; x1 < ly; ++x1)
      g[static_cast<std::size_t>(t)] += out[static_cast<std::size_t>(shape.site(t, x1))];
  out.insert(out.end(), g.begin(), g.end());
  std::vector<double> mass(static_cast<std::size_t>(lx), std::numeric_limits<double>::quiet_NaN());
  for (int t = 1; t < lx; ++t) {
    const double arg = (g[static_cast<std::size_t>((t + lx - 1) % lx)] + g[static_cast<std::size_t>((t + 1) % lx)]) /
                       (2 * g[static_cast<std::size_t>(t)]);
    mass[static_cast<std::size_t>(t)] = arg >= 1 ? std::acosh(arg) : std::numeric_limits<double>::quiet_NaN();
  }
  out.insert(out.end(), mass.begin(), mass.end());
  const int last = std::max(1, lx / 2 - 1);
  double pole = 0;
  for (int t = 1; t <= last; ++t)
    pole += mass[static_cast<std::size_t>(t % lx)];
  out.push_back(pole / last);
  return out;
}
} // namespace

void Phi4Estimates::restore(Phi4Series series)
{
  const std::size_t steps = series.phi2.size(), per_step = static_cast<std::size_t>(shape_.sites());
  if (series.abs_magnetisation.size() != steps || series.chi2.size() != steps ||
      series.correlation.size() != steps * per_step || series.field.size() != steps * per_step)
    throw InputError(fmt::format("phi^4 series of {} steps: the lengths of its parts do not fit a {} x {} lattice",
                                 steps, shape_.extent_x, shape_.extent_y));
  series_ = std::move(series);
}

Phi4Results Phi4Estimates::results(int jackknife_blocks) const
{
  Phi4Results r;
  r.steps = steps();
  r.replicas = replicas_;
  r.phi2 = gamma_method(series_.phi2);
  r.abs_magnetisation = gamma_method(series_.abs_magnetisation);
  r.chi2 = gamma_method(series_.chi2);
  const Index n = steps();
  if (n == 0) return r;
  const Index sites = shape_.sites();
  const auto v = static_cast<std::size_t>(sites);
  const Index blocks = std::clamp<Index>(jackknife_blocks, 1, n);
  std::vector<double> c_block(static_cast<std::size_t>(blocks) * v, 0.0), f_block(c_block.size(), 0.0);
  std::vector<double> c_total(v, 0.0), f_total(v, 0.0), count(static_cast<std::size_t>(blocks), 0.0);
  for (Index t = 0; t < n; ++t) {
    const auto b = static_cast<std::size_t>(t * blocks / n);
    count[b] += 1;
    for (std::size_t x = 0; x < v; ++x) {
      const double c = series_.correlation[static_cast<std::size_t>(t) * v + x],
                   f = series_.field[static_cast<std::size_t>(t) * v + x];
      c_block[b * v + x] += c;
      f_block[b * v + x] += f;
      c_total[x] += c;
      f_total[x] += f;
    }
  }
  const std::vector<double> full = derived(shape_, c_total.data(), f_total.data(), static_cast<double>(n));
  std::vector<double> mean(full.size(), 0.0), square(full.size(), 0.0);
  std::vector<std::vector<double>> left_out;
  for (std::size_t b = 0; b < static_cast<std::size_t>(blocks); ++b) {
    std::vector<double> c(v), f(v);
    for (std::size_t x = 0; x < v; ++x) {
      c[x] = c_total[x] - c_block[b * v + x];
      f[x] = f_total[x] - f_block[b * v + x];
    }
    left_out.push_back(blocks > 1 ? derived(shape_, c.data(), f.data(), static_cast<double>(n) - count[b]) : full);
    for (std::size_t q = 0; q < full.size(); ++q)
      mean[q] += left_out.back()[q] / static_cast<double>(blocks);
  }
  std::vector<JackknifeEstimate> all(full.size());
  for (std::size_t q = 0; q < full.size(); ++q) {
    double sum = 0;
    for (const auto& jk : left_out)
      sum += (jk[q] - mean[q]) * (jk[q] - mean[q]);
    all[q].value = full[q];
    all[q].error = blocks > 1 ? std::sqrt(static_cast<double>(blocks - 1) / static_cast<double>(blocks) * sum)
                              : std::numeric_limits<double>::quiet_NaN();
  }
  const auto lx = static_cast<std::size_t>(shape_.extent_x);
  auto it = all.begin();
  r.connected.assign(it, it + static_cast<std::ptrdiff_t>(v));
  it += static_cast<std::ptrdiff_t>(v);
  r.chi2_connected = *it++;
  r.zero_momentum.assign(it, it + static_cast<std::ptrdiff_t>(lx));
  it += static_cast<std::ptrdiff_t>(lx);
  r.effective_mass.assign(it, it + static_cast<std::ptrdiff_t>(lx));
  it += static_cast<std::ptrdiff_t>(lx);
  r.pole_mass = *it;
  return r;
}

} // namespace tessera::flow
