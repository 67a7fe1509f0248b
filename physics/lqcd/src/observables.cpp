// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/observables.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>
#include <mpi.h>

#include "tessera/core/errors.hpp"
#include "tessera/lqcd/halo.hpp"

namespace tessera::lqcd {

namespace {

using Matrix = Su3<double>;

// The link U_mu at padded coordinates x.
KOKKOS_INLINE_FUNCTION Matrix link_at(const Geometry& g, const Links& u, const Coords& x, int mu)
{
  return load_link<double>(u, g.storage_index(x), g.parity(x), mu);
}

// ---------------------------------------------------------------------------------------
// Polyakov loop

// Products U_t(x, 0) ... U_t(x, local_t - 1) of this rank's time links, one per spatial site
// (s = x + Lx (y + Ly z) in local coordinates), row-major so that MPI can gather them.
using Segments = ViewRight<Complex<double>* [3][3]>;

Segments time_segments(const Geometry& g, const Links& u)
{
  const Index spatial = static_cast<Index>(g.local[0]) * g.local[1] * g.local[2];
  Segments segments("lqcd::polyakov::segments", spatial);
  par_for(
      "lqcd::polyakov_segments", spatial, KOKKOS_LAMBDA(Index s) {
        Coords x;
        x.c[0] = static_cast<int>(s % g.local[0]) + g.pad[0];
        x.c[1] = static_cast<int>((s / g.local[0]) % g.local[1]) + g.pad[1];
        x.c[2] = static_cast<int>(s / (static_cast<Index>(g.local[0]) * g.local[1])) + g.pad[2];
        x.c[3] = g.pad[time_direction];
        Matrix product = link_at(g, u, x, time_direction);
        for (int t = 1; t < g.local[time_direction]; ++t) {
          x.c[3] = g.pad[time_direction] + t;
          product = product * link_at(g, u, x, time_direction);
        }
        for (int a = 0; a < 3; ++a)
          for (int b = 0; b < 3; ++b)
            segments(s, a, b) = product.m[a][b];
      });
  return segments;
}

// sum over spatial sites of tr(segment) when the rank holds the whole time extent.
Complex<double> trace_sum(const Segments& segments)
{
  double re = 0, im = 0;
  par_reduce_many(
      "lqcd::polyakov_trace", static_cast<Index>(segments.extent(0)),
      KOKKOS_LAMBDA(Index s, double& r, double& i) {
        for (int a = 0; a < 3; ++a) {
          r += segments(s, a, a).real();
          i += segments(s, a, a).imag();
        }
      },
      re, im);
  return {re, im};
}

// The same when time is split: the segments of the ranks of this time column (same spatial
// rank coordinates) are gathered on the column's first rank in time order and multiplied
// there; the other ranks return 0.
Complex<double> trace_sum_split(const Decomposition& d, const Segments& segments)
{
  const auto host = to_host(segments);
  ExecSpace().fence("lqcd::polyakov_loop"); // the segments are complete before MPI reads them
  const auto grid = d.rank_grid();
  const auto& coords = d.cart().coords();
  const int column_id = coords[0] + grid[0] * (coords[1] + grid[1] * coords[2]);
  MPI_Comm column;
  MPI_Comm_split(d.comm().native(), column_id, coords[time_direction], &column); // ranked by time
  int column_rank = 0, column_size = 1;
  MPI_Comm_rank(column, &column_rank);
  MPI_Comm_size(column, &column_size);
  const Index spatial = static_cast<Index>(segments.extent(0));
  const int count = static_cast<int>(2 * 9 * spatial); // doubles per segment set
  std::vector<Complex<double>> all(column_rank == 0 ? static_cast<std::size_t>(column_size) * 9 * spatial : 0);
  MPI_Gather(host.data(), count, MPI_DOUBLE, all.data(), count, MPI_DOUBLE, 0, column);
  MPI_Comm_free(&column);
  Complex<double> sum(0, 0);
  if (column_rank != 0) return sum;
  const auto segment = [&](int rank, Index s) {
    Matrix m;
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b)
        m.m[a][b] = all[static_cast<std::size_t>((rank * spatial + s) * 9 + 3 * a + b)];
    return m;
  };
  for (Index s = 0; s < spatial; ++s) {
    Matrix product = segment(0, s);
    for (int k = 1; k < column_size; ++k)
      product = product * segment(k, s);
    sum += trace(product);
  }
  return sum;
}

// ---------------------------------------------------------------------------------------
// Clover field strength

// C_mu nu(x): the four leaves U_mu nu in the mu-nu plane that start and end at x, all
// oriented mu then nu (counterclockwise in the plane).
KOKKOS_INLINE_FUNCTION Matrix clover(const Geometry& g, const Links& u, const Coords& x, int mu, int nu)
{
  const Coords x_pmu = g.step(x, mu, +1), x_pnu = g.step(x, nu, +1);
  const Coords x_mmu = g.step(x, mu, -1), x_mnu = g.step(x, nu, -1);
  const Coords x_mmu_pnu = g.step(x_mmu, nu, +1), x_mmu_mnu = g.step(x_mmu, nu, -1);
  const Coords x_pmu_mnu = g.step(x_pmu, nu, -1);
  const Matrix u_mu = link_at(g, u, x, mu), u_nu = link_at(g, u, x, nu);
  const Matrix u_mu_back = link_at(g, u, x_mmu, mu); // U_mu(x-mu)
  const Matrix u_nu_down = link_at(g, u, x_mnu, nu); // U_nu(x-nu)
  // U_mu(x) U_nu(x+mu) U_mu(x+nu)^dag U_nu(x)^dag
  Matrix c = mul_adj(mul_adj(u_mu * link_at(g, u, x_pmu, nu), link_at(g, u, x_pnu, mu)), u_nu);
  // U_nu(x) U_mu(x-mu+nu)^dag U_nu(x-mu)^dag U_mu(x-mu)
  c = c + mul_adj(u_nu, link_at(g, u, x_mmu_pnu, mu)) * adj_mul(link_at(g, u, x_mmu, nu), u_mu_back);
  // U_mu(x-mu)^dag U_nu(x-mu-nu)^dag U_mu(x-mu-nu) U_nu(x-nu)
  c = c + adj_mul(link_at(g, u, x_mmu_mnu, nu) * u_mu_back, link_at(g, u, x_mmu_mnu, mu) * u_nu_down);
  // U_nu(x-nu)^dag U_mu(x-nu) U_nu(x+mu-nu) U_mu(x)^dag
  c = c + mul_adj(adj_mul(u_nu_down, link_at(g, u, x_mnu, mu) * link_at(g, u, x_pmu_mnu, nu)), u_mu);
  return c;
}

// G_mu nu = (1/8) [(C - C^dag) - tr(C - C^dag)/3] = TA(C) / 4.
KOKKOS_INLINE_FUNCTION Matrix field_strength(const Geometry& g, const Links& u, const Coords& x, int mu, int nu)
{
  return 0.25 * traceless_antihermitian(clover(g, u, x, mu, nu));
}

struct CloverSums {
  double energy = 0; // sum_x -sum_{mu<nu} tr(G_mu nu G_mu nu) = sum_x E(x)
  double charge = 0; // sum_x Re[tr(G01 G23) - tr(G02 G13) + tr(G03 G12)]
};

// Topological charge density, normalisation and sign. In the continuum, with Hermitian
// F_mu nu = F^a lambda^a / 2, Q = (g^2/(32 pi^2)) int F^a Ftilde^a = (g^2/(32 pi^2)) int
// eps_mu nu rho sigma tr(F_mu nu F_rho sigma) (Ftilde = eps F / 2, F^a F^a = 2 tr F F). The
// clover G = a^2 g (-i F) is anti-Hermitian: tr(G G) = -a^4 g^2 tr(F F), so per site
//   q = -(1/(32 pi^2)) eps tr(G_mu nu G_rho sigma).
// Of the 24 terms of the epsilon sum, 8 equal tr(G01 G23) (mu nu and rho sigma each in
// either order, and the two pairs swapped: eps_2301 = +1), 8 equal -tr(G02 G13) (eps_0213 =
// -1) and 8 equal tr(G03 G12) (eps_0312 = +1), hence
//   q = -(1/(4 pi^2)) Re[tr(G01 G23) - tr(G02 G13) + tr(G03 G12)].
// Checks: a self-dual field (G01 = G23, G02 = -G13, G03 = G12) has q = (1/(4 pi^2)) sum
// -tr(G01^2) > 0, the sign of an instanton; an abelian field with one flux quantum in the
// xy plane along diag(1, -1, 0) and one in the zt plane along diag(1, 0, -1) has Q -> 1
// (second Chern number sum_i n_xy,i n_zt,i), which the tests check.
CloverSums clover_sums(const Decomposition& d, const Links& u)
{
  const Geometry g = d.geometry();
  double energy = 0, charge = 0;
  par_reduce_many(
      "lqcd::clover_observables", 2 * g.half_volume,
      KOKKOS_LAMBDA(Index n, double& e, double& q) {
        const auto site = g.site(n);
        const Matrix g01 = field_strength(g, u, site.x, 0, 1), g02 = field_strength(g, u, site.x, 0, 2);
        const Matrix g03 = field_strength(g, u, site.x, 0, 3), g12 = field_strength(g, u, site.x, 1, 2);
        const Matrix g13 = field_strength(g, u, site.x, 1, 3), g23 = field_strength(g, u, site.x, 2, 3);
        e -= re_trace_mul(g01, g01) + re_trace_mul(g02, g02) + re_trace_mul(g03, g03) + re_trace_mul(g12, g12) +
             re_trace_mul(g13, g13) + re_trace_mul(g23, g23);
        q += re_trace_mul(g01, g23) - re_trace_mul(g02, g13) + re_trace_mul(g03, g12);
      },
      energy, charge);
  return {d.comm().sum(energy), d.comm().sum(charge)};
}

double charge_from(double sum)
{
  return -sum / (4 * std::numbers::pi * std::numbers::pi);
}

// ---------------------------------------------------------------------------------------
// Wilson flow

// Luscher's RK3 (JHEP 08 (2010) 071, eqs. C.1-C.3) with Z_i = eps Z(W_i):
//   W1 = exp(Z0/4) W0,  W2 = exp(8/9 Z1 - 17/36 Z0) W1,  V(t+eps) = exp(3/4 Z2 - 8/9 Z1 + 17/36 Z0) W2.
// Two algebra fields: z1 holds 8/9 Z1 - 17/36 Z0, and the last exponent is 3/4 Z2 - z1.
void flow_step(const Decomposition& d, const Links& v, double eps, const Links& z0, const Links& z1)
{
  constexpr double beta = 6.0; // g0^2 = 1: add_gauge_force adds scale * Z(V) = -scale TA(V A)
  set_zero(z0);
  add_gauge_force(d, v, beta, 1.0, z0);
  update_links(d, v, z0, eps / 4);
  set_zero(z1);
  update_momenta(d, z1, z0, -17.0 / 36.0);
  add_gauge_force(d, v, beta, 8.0 / 9.0, z1);
  update_links(d, v, z1, eps);
  set_zero(z0);
  update_momenta(d, z0, z1, -1.0);
  add_gauge_force(d, v, beta, 3.0 / 4.0, z0);
  update_links(d, v, z0, eps);
}

// ---------------------------------------------------------------------------------------
// Pion correlator

// density(n) += sum_{s, c} |x(site n)_{s c}|^2 over the interior sites n of the whole local
// lattice (even sites first, as Geometry::site numbers them).
void add_density(const Geometry& g, const FermionField<double>& x, const View<double*>& density)
{
  const SpinorView<double> even = x.parity[0], odd = x.parity[1];
  par_for(
      "lqcd::pion_density", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        const SpinorView<double>& psi = site.parity == 0 ? even : odd;
        double sum = 0;
        for (int s = 0; s < 4; ++s)
          for (int c = 0; c < 3; ++c)
            sum += abs2(psi(site.index, s, c));
        density(n) += sum;
      });
}

// The sum of the density over the sites of local time slice t (both parities): within a
// parity the interior sites of a slice are a contiguous range (lattice.hpp).
double slice_sum(const Geometry& g, const View<double*>& density, int t)
{
  const Index slice_half = g.half_volume / g.local[time_direction];
  const Index half = g.half_volume;
  double sum = 0;
  par_reduce(
      "lqcd::pion_slice", 2 * slice_half,
      KOKKOS_LAMBDA(Index k, double& s) {
        const Index parity = k / slice_half;
        s += density(parity * half + t * slice_half + k % slice_half);
      },
      sum);
  return sum;
}

} // namespace

Complex<double> polyakov_loop(const Decomposition& d, const Links& u)
{
  const Geometry& g = d.geometry();
  const Segments segments = time_segments(g, u);
  const Complex<double> local = d.rank_grid()[time_direction] == 1 ? trace_sum(segments) : trace_sum_split(d, segments);
  const double spatial_volume = static_cast<double>(g.global[0]) * g.global[1] * g.global[2];
  return {d.comm().sum(local.real()) / (3 * spatial_volume), d.comm().sum(local.imag()) / (3 * spatial_volume)};
}

void wilson_flow_step(const Decomposition& d, const Links& v, double eps)
{
  const auto z0 = allocate_links<double>(d.geometry(), "lqcd::flow::z0");
  const auto z1 = allocate_links<double>(d.geometry(), "lqcd::flow::z1");
  flow_step(d, v, eps, z0, z1);
}

double flow_energy_plaquette(const Decomposition& d, const Links& u)
{
  return 36.0 * (1.0 - plaquette(d, u).average());
}

double flow_energy_clover(const Decomposition& d, const Links& u)
{
  return clover_sums(d, u).energy / static_cast<double>(d.geometry().global_volume());
}

double topological_charge(const Decomposition& d, const Links& u)
{
  return charge_from(clover_sums(d, u).charge);
}

std::vector<FlowResult> wilson_flow(const Decomposition& d, Links v, double eps, double t_max, int measure_every)
{
  if (!(eps > 0) || !(t_max >= 0) || measure_every < 0)
    throw InputError(fmt::format("wilson flow: need eps > 0, t_max >= 0, measure_every >= 0 (got {}, {}, {})", eps,
                                 t_max, measure_every));
  const auto steps = std::llround(t_max / eps);
  const auto z0 = allocate_links<double>(d.geometry(), "lqcd::flow::z0");
  const auto z1 = allocate_links<double>(d.geometry(), "lqcd::flow::z1");
  const double volume = static_cast<double>(d.geometry().global_volume());
  std::vector<FlowResult> results;
  const auto measure = [&](double t) {
    const CloverSums sums = clover_sums(d, v);
    results.push_back({t, t * t * flow_energy_plaquette(d, v), t * t * sums.energy / volume, charge_from(sums.charge)});
  };
  measure(0.0);
  for (long long step = 1; step <= steps; ++step) {
    flow_step(d, v, eps, z0, z1);
    if ((measure_every > 0 && step % measure_every == 0) || step == steps) measure(static_cast<double>(step) * eps);
  }
  return results;
}

std::vector<double> pion_correlator(const Decomposition& d, const Links& u, const WilsonParams& wilson, SolverKind kind,
                                    const SolverSettings& settings, std::array<int, dims> source, SolverStats* stats)
{
  const Geometry& g = d.geometry();
  bool owner = true;
  Coords xs;
  for (int mu = 0; mu < dims; ++mu) {
    if (source[mu] < 0 || source[mu] >= g.global[mu])
      throw InputError(fmt::format("pion correlator: source coordinate {} along {} is outside [0, {})", source[mu],
                                   "xyzt"[mu], g.global[mu]));
    owner = owner && source[mu] >= g.origin[mu] && source[mu] < g.origin[mu] + g.local[mu];
    xs.c[mu] = source[mu] - g.origin[mu] + g.pad[mu];
  }
  const int source_parity = owner ? g.parity(xs) : 0;
  const Index source_index = owner ? g.storage_index(xs) : 0;

  View<double*> density("lqcd::pion::density", 2 * g.half_volume);
  const auto b = allocate_fermion<double>(g, "lqcd::pion::source");
  const auto x = allocate_fermion<double>(g, "lqcd::pion::propagator");
  SolverStats totals;
  for (int s0 = 0; s0 < 4; ++s0)
    for (int c0 = 0; c0 < 3; ++c0) {
      for (int p = 0; p < 2; ++p) {
        Kokkos::deep_copy(b.parity[p], Complex<double>(0, 0));
        Kokkos::deep_copy(x.parity[p], Complex<double>(0, 0)); // the initial guess
      }
      if (owner)
        Kokkos::deep_copy(Kokkos::subview(b.parity[source_parity], source_index, s0, c0), Complex<double>(1, 0));
      const SolverResult result = solve_wilson(d, u, wilson, kind, settings, x, b);
      totals.iterations += result.iterations;
      totals.max_residual = std::max(totals.max_residual, result.true_residual);
      ++totals.solves;
      if (!result.converged)
        throw Error(ExitCode::failure,
                    fmt::format("pion correlator: solver {} did not converge: |b - D x| / |b| = {:.3e} after {} "
                                "iterations, above solver.tolerance = {:g} (solver.max_iterations = {}; a singular "
                                "D, kappa at or past its critical value, never converges)",
                                name(kind), result.true_residual, result.iterations, settings.tolerance,
                                settings.max_iterations));
      add_density(g, x, density);
    }
  if (stats) *stats = totals;

  const int lt = g.global[time_direction];
  HostView<double*> correlator("lqcd::pion::correlator", lt);
  for (int t = 0; t < g.local[time_direction]; ++t) {
    const int separation = ((g.origin[time_direction] + t - source[time_direction]) % lt + lt) % lt;
    correlator(separation) = slice_sum(g, density, t);
  }
  d.comm().sum_in_place(correlator);
  return std::vector<double>(correlator.data(), correlator.data() + lt);
}

double log_effective_mass(double c_t, double c_next)
{
  return c_t > 0 && c_next > 0 ? std::log(c_t / c_next) : std::nan("");
}

namespace {
// log cosh x without overflow for large |x|.
double log_cosh(double x)
{
  const double a = std::fabs(x);
  return a + std::log1p(std::exp(-2 * a)) - std::numbers::ln2;
}
} // namespace

double cosh_effective_mass(double c_t, double c_next, int t, int lt)
{
  if (!(c_t > 0 && c_next > 0) || lt <= 0) return std::nan("");
  // With tau = lt/2 - t, the ratio is r(m) = cosh(m tau) / cosh(m (tau - 1)). As cosh is
  // even, r(m; tau) = 1 / r(m; 1 - tau): past the middle (tau < 1/2) solve the inverse ratio
  // with 1 - tau, so that tau > 1/2, where log r rises from 0 at m = 0 like m and no faster
  // (log r <= m), and log r >= m - log 2 for tau >= 1: m lies in [log R, log R + log 2].
  double tau = 0.5 * lt - t;
  double log_ratio = std::log(c_t / c_next);
  if (tau == 0.5) return std::nan(""); // r = 1 for every m
  if (tau < 0.5) {
    tau = 1 - tau;
    log_ratio = -log_ratio;
  }
  if (!(log_ratio > 0) || !std::isfinite(log_ratio)) return std::nan(""); // not a decaying cosh
  const auto f = [&](double m) { return log_cosh(m * tau) - log_cosh(m * (tau - 1)) - log_ratio; };
  double lo = log_ratio, hi = log_ratio + std::numbers::ln2;
  while (f(hi) < 0 && hi < 1e6) // tau in (1/2, 1) (odd lt) rises more slowly
    hi *= 2;
  // Bisection to adjacent doubles: f is increasing in m, and a few dozen halvings are cheap.
  for (int i = 0; i < 200 && lo < hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (f(mid) < 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

} // namespace tessera::lqcd
