// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/hydro.hpp"

#include <fmt/format.h>

#include "tessera/amr/riemann.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/loops.hpp"

namespace tessera::amr {
namespace {

using Range4 = std::array<Index, 4>;

// Interior cells of every block, as (block, k, j, i) bounds.
void interior(const Mesh& mesh, Range4& lo, Range4& hi)
{
  const auto& e = mesh.extent();
  lo = {0, e.begin[2], e.begin[1], e.begin[0]};
  hi = {mesh.blocks(), e.end[2], e.end[1], e.end[0]};
}

// Primitive variables of every cell, ghosts included: rho, v (3), p, scalar concentrations.
struct ToPrimitive {
  BlockData u, w;
  double gamma;
  int scalars;

  KOKKOS_FUNCTION void operator()(Index b, Index k, Index j, Index i) const
  {
    const double rho = u(b, density, k, j, i);
    const double inv = 1.0 / rho;
    const double vx = u(b, momentum_x, k, j, i) * inv, vy = u(b, momentum_y, k, j, i) * inv,
                 vz = u(b, momentum_z, k, j, i) * inv;
    w(b, 0, k, j, i) = rho;
    w(b, 1, k, j, i) = vx;
    w(b, 2, k, j, i) = vy;
    w(b, 3, k, j, i) = vz;
    w(b, 4, k, j, i) = (gamma - 1) * (u(b, energy, k, j, i) - 0.5 * rho * (vx * vx + vy * vy + vz * vz));
    for (int n = 0; n < scalars; ++n)
      w(b, first_scalar + n, k, j, i) = u(b, first_scalar + n, k, j, i) * inv;
  }
};

template <Limiter L>
KOKKOS_INLINE_FUNCTION double limited_slope(double left, double right)
{
  if (left * right <= 0) return 0;
  if constexpr (L == Limiter::minmod) {
    return Kokkos::fabs(left) < Kokkos::fabs(right) ? left : right;
  } else if constexpr (L == Limiter::van_leer) {
    return 2 * left * right / (left + right);
  } else {
    const double sign = left > 0 ? 1.0 : -1.0;
    return sign *
           Kokkos::min(Kokkos::min(2 * Kokkos::fabs(left), 2 * Kokkos::fabs(right)), 0.5 * Kokkos::fabs(left + right));
  }
}

// The fluxes through the faces normal to axis D of every block: face c lies between cells
// c - 1 and c; primitive states reconstructed from cells c - 2 .. c + 1.
template <int D, Limiter L, RiemannSolver R>
struct FaceFluxes {
  BlockData w, flux;
  double gamma, density_floor, pressure_floor;
  int scalars;

  // Variable of primitive slot q (0 rho, 1 vn, 2 vt1, 3 vt2, 4 p) in the face frame.
  KOKKOS_INLINE_FUNCTION static int slot(int q) { return q >= 1 && q <= 3 ? 1 + (D + q - 1) % 3 : q; }

  KOKKOS_FUNCTION void operator()(Index b, Index k, Index j, Index i) const
  {
    constexpr int di = D == 0, dj = D == 1, dk = D == 2;
    double left[5 + max_scalars], right[5 + max_scalars];
    bool physical = true;
    // A constant trip count: the loop unrolls and left/right stay in registers (a bound of
    // 5 + scalars put them in local memory on the GPU).
    for (int q = 0; q < 5 + max_scalars; ++q) {
      if (q >= 5 + scalars) continue;
      const int v = slot(q);
      const double wm2 = w(b, v, k - 2 * dk, j - 2 * dj, i - 2 * di), wm1 = w(b, v, k - dk, j - dj, i - di);
      const double w0 = w(b, v, k, j, i), wp1 = w(b, v, k + dk, j + dj, i + di);
      left[q] = wm1 + 0.5 * limited_slope<L>(wm1 - wm2, w0 - wm1);
      right[q] = w0 - 0.5 * limited_slope<L>(w0 - wm1, wp1 - w0);
      if (q == 0 || q == 4) physical = physical && left[q] > 0 && right[q] > 0;
      if (q == 4) { // first order where the reconstruction left the physical states
        if (!physical) {
          for (int r = 0; r <= 4; ++r) {
            left[r] = w(b, slot(r), k - dk, j - dj, i - di);
            right[r] = w(b, slot(r), k, j, i);
          }
        }
      }
    }
    Primitive l, r;
    l.rho = Kokkos::max(left[0], density_floor), r.rho = Kokkos::max(right[0], density_floor);
    l.vn = left[1], l.vt1 = left[2], l.vt2 = left[3], l.p = Kokkos::max(left[4], pressure_floor);
    r.vn = right[1], r.vt1 = right[2], r.vt2 = right[3], r.p = Kokkos::max(right[4], pressure_floor);
    for (int n = 0; n < max_scalars; ++n)
      if (n < scalars) l.s[n] = left[5 + n], r.s[n] = right[5 + n];
    const Flux f = R == RiemannSolver::hllc ? hllc(l, r, gamma, scalars) : hlle(l, r, gamma, scalars);
    flux(b, density, k, j, i) = f.mass;
    flux(b, slot(1), k, j, i) = f.mn;
    flux(b, slot(2), k, j, i) = f.mt1;
    flux(b, slot(3), k, j, i) = f.mt2;
    flux(b, energy, k, j, i) = f.energy;
    for (int n = 0; n < max_scalars; ++n)
      if (n < scalars) flux(b, first_scalar + n, k, j, i) = f.s[n];
  }
};

// Blocks of 128 threads (the MDRange tile) per GPU multiprocessor that the face-flux kernel's
// register count must allow. Unbounded it took 156 registers (3 blocks, 19% occupancy, Nsight
// Compute on the H100); bounds of 4, 5 and 6 blocks gave 1.31-1.36x, 1.33-1.40x and
// 1.29-1.37x zone-cycles/s (perf/NOTES.md).
constexpr unsigned flux_min_blocks = 5;

template <int D, Limiter L, RiemannSolver R>
void face_fluxes(const Mesh& mesh, const BlockData& w, const BlockData& flux, const HydroParams& p)
{
  Range4 lo, hi;
  interior(mesh, lo, hi);
  hi[3 - D] += 1; // one more face than cells along D
  par_for_md_bounded<4, 128, flux_min_blocks>(
      "amr::face_fluxes", lo, hi,
      FaceFluxes<D, L, R>{w, flux, p.gamma, p.density_floor, p.pressure_floor, mesh.shape().scalars});
}

template <int D, Limiter L>
void face_fluxes(const Mesh& mesh, const BlockData& w, const BlockData& flux, const HydroParams& p)
{
  if (p.riemann == RiemannSolver::hllc)
    face_fluxes<D, L, RiemannSolver::hllc>(mesh, w, flux, p);
  else
    face_fluxes<D, L, RiemannSolver::hlle>(mesh, w, flux, p);
}

template <int D>
void face_fluxes(const Mesh& mesh, const BlockData& w, const BlockData& flux, const HydroParams& p)
{
  switch (p.limiter) {
  case Limiter::minmod: face_fluxes<D, Limiter::minmod>(mesh, w, flux, p); break;
  case Limiter::van_leer: face_fluxes<D, Limiter::van_leer>(mesh, w, flux, p); break;
  case Limiter::monotonized_central: face_fluxes<D, Limiter::monotonized_central>(mesh, w, flux, p); break;
  }
}

// u <- keep * u0 + (1 - keep) * (u + dt L(u)), L the flux divergence; then the floors.
// Counts the cells a floor raised with an atomic (rare) rather than a reduction: an MDRange
// reduction runs on a grid of 256 blocks on CUDA, which left this kernel at a quarter of the
// occupancy it can have.
struct Update {
  BlockData u, u0, fx, fy, fz;
  View<double* [3]> width;
  View<std::int64_t> floors;
  double dt, keep, gamma, density_floor, pressure_floor;
  int dims, variables;

  KOKKOS_FUNCTION void operator()(Index b, Index k, Index j, Index i) const
  {
    const double cx = dt / width(b, 0), cy = dims > 1 ? dt / width(b, 1) : 0.0, cz = dims > 2 ? dt / width(b, 2) : 0.0;
    for (int v = 0; v < variables; ++v) {
      double change = -cx * (fx(b, v, k, j, i + 1) - fx(b, v, k, j, i));
      if (dims > 1) change -= cy * (fy(b, v, k, j + 1, i) - fy(b, v, k, j, i));
      if (dims > 2) change -= cz * (fz(b, v, k + 1, j, i) - fz(b, v, k, j, i));
      u(b, v, k, j, i) = keep * u0(b, v, k, j, i) + (1 - keep) * (u(b, v, k, j, i) + change);
    }
    double& rho = u(b, density, k, j, i);
    if (!(rho >= density_floor)) {
      rho = density_floor;
      Kokkos::atomic_inc(&floors());
    }
    const double mx = u(b, momentum_x, k, j, i), my = u(b, momentum_y, k, j, i), mz = u(b, momentum_z, k, j, i);
    const double kinetic = 0.5 * (mx * mx + my * my + mz * mz) / rho;
    double& e = u(b, energy, k, j, i);
    if (!((gamma - 1) * (e - kinetic) >= pressure_floor)) {
      e = pressure_floor / (gamma - 1) + kinetic;
      Kokkos::atomic_inc(&floors());
    }
  }
};

// The smallest crossing time dx / (|v| + c_s) of a cell, from the conserved variables (one
// read of u, no primitive array written: the step's first stage makes its own).
struct SignalTime {
  BlockData u;
  View<double* [3]> width;
  double gamma;
  int dims;

  KOKKOS_FUNCTION void operator()(Index b, Index k, Index j, Index i, double& smallest) const
  {
    const double rho = u(b, density, k, j, i), inv = 1.0 / rho;
    const double v[3] = {u(b, momentum_x, k, j, i) * inv, u(b, momentum_y, k, j, i) * inv,
                         u(b, momentum_z, k, j, i) * inv};
    const double p = (gamma - 1) * (u(b, energy, k, j, i) - 0.5 * rho * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
    const double cs = Kokkos::sqrt(gamma * p * inv);
    for (int d = 0; d < dims; ++d)
      smallest = Kokkos::min(smallest, width(b, d) / (Kokkos::fabs(v[d]) + cs));
  }
};

// Per block, the totals of every variable over its interior (one team per block): one kernel
// and one copy for all variables, summed on the host in block order.
struct BlockTotals {
  BlockData u;
  View<double* [3]> width;
  View<double**> out; // (block, variable)
  BlockExtent e;
  int variables;

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const int b = team.league_rank();
    const int ni = e.end[0] - e.begin[0], nj = e.end[1] - e.begin[1], nk = e.end[2] - e.begin[2];
    const double volume = width(b, 0) * width(b, 1) * width(b, 2);
    for (int v = 0; v < variables; ++v) {
      double sum = 0;
      Kokkos::parallel_reduce(
          Kokkos::TeamThreadRange(team, ni * nj * nk),
          [&](int n, double& partial) {
            partial += u(b, v, e.begin[2] + n / (ni * nj), e.begin[1] + (n / ni) % nj, e.begin[0] + n % ni);
          },
          sum);
      Kokkos::single(Kokkos::PerTeam(team), [&] { out(b, v) = sum * volume; });
    }
  }
};

void check(const Mesh& mesh, const HydroParams& p)
{
  if (!(p.gamma > 1)) throw InputError(fmt::format("hydro: gamma must exceed 1, not {}", p.gamma));
  if (!(p.cfl > 0 && p.cfl <= 1)) throw InputError(fmt::format("hydro: cfl must be in (0, 1], not {}", p.cfl));
  if (!(p.density_floor > 0 && p.pressure_floor > 0))
    throw InputError(fmt::format("hydro: hydro.density_floor = {} and hydro.pressure_floor = {} must be positive",
                                 p.density_floor, p.pressure_floor));
  if (mesh.shape().scalars > max_scalars)
    throw InputError(fmt::format("hydro: at most {} passive scalars, not {}", max_scalars, mesh.shape().scalars));
}

} // namespace

Hydro::Hydro(const Mesh& mesh, const HydroParams& params) : mesh_(mesh), params_(params), corrections_(mesh)
{
  check(mesh, params);
  // Scratch, written before it is read: no zero fill (a new mesh after every regrid).
  initial_ = mesh.allocate("amr::initial", Mesh::uninitialised);
  primitive_ = mesh.allocate("amr::primitive", Mesh::uninitialised);
  for (int d = 0; d < mesh.shape().tree.dims; ++d)
    flux_[static_cast<std::size_t>(d)] = mesh.allocate("amr::flux", Mesh::uninitialised);
  floor_count_ = View<std::int64_t>("amr::floor_count");
}

std::int64_t Hydro::floors_applied() const
{
  std::int64_t count = 0;
  Kokkos::deep_copy(count, floor_count_);
  return mesh_.comm().sum(count);
}

double Hydro::time_step(const BlockData& u) const
{
  Range4 lo, hi;
  interior(mesh_, lo, hi);
  double smallest = 0;
  par_reduce_md<4>("amr::time_step", lo, hi, SignalTime{u, mesh_.width, params_.gamma, mesh_.shape().tree.dims},
                   Kokkos::Min<double>(smallest));
  return params_.cfl * mesh_.comm().min(smallest);
}

void Hydro::stage(const BlockData& u, double dt, double keep_initial)
{
  const auto& e = mesh_.extent();
  par_for_md<4>("amr::primitive", {0, 0, 0, 0}, {mesh_.blocks(), e.cells[2], e.cells[1], e.cells[0]},
                ToPrimitive{u, primitive_, params_.gamma, mesh_.shape().scalars});
  const int dims = mesh_.shape().tree.dims;
  face_fluxes<0>(mesh_, primitive_, flux_[0], params_);
  if (dims > 1) face_fluxes<1>(mesh_, primitive_, flux_[1], params_);
  if (dims > 2) face_fluxes<2>(mesh_, primitive_, flux_[2], params_);
  corrections_.apply(flux_);
  Range4 lo, hi;
  interior(mesh_, lo, hi);
  par_for_md<4>("amr::update", lo, hi,
                Update{u, initial_, flux_[0], dims > 1 ? flux_[1] : flux_[0], dims > 2 ? flux_[2] : flux_[0],
                       mesh_.width, floor_count_, dt, keep_initial, params_.gamma, params_.density_floor,
                       params_.pressure_floor, dims, mesh_.variables()});
}

void Hydro::step(const BlockData& u, double dt, const GhostExchange& ghosts)
{
  Kokkos::deep_copy(initial_, u);
  ghosts.fill(u);
  stage(u, dt, 0.0);
  ghosts.fill(u);
  stage(u, dt, 0.5);
}

void Hydro::step_uncounted(const BlockData& u, double dt, const GhostExchange& ghosts)
{
  std::int64_t count = 0;
  Kokkos::deep_copy(count, floor_count_);
  step(u, dt, ghosts);
  Kokkos::deep_copy(floor_count_, count);
}

Totals Hydro::totals(const BlockData& u) const
{
  View<double**> per_block("amr::block_totals", static_cast<std::size_t>(mesh_.blocks()),
                           static_cast<std::size_t>(mesh_.variables()));
  if (mesh_.blocks() > 0)
    par_for_team("amr::totals", team_policy(ExecSpace(), mesh_.blocks(), 0, 0),
                 BlockTotals{u, mesh_.width, per_block, mesh_.extent(), mesh_.variables()});
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), per_block);
  Totals t{};
  for (int v = 0; v < mesh_.variables(); ++v) {
    long double sum = 0;
    for (int b = 0; b < mesh_.blocks(); ++b)
      sum += host(b, v);
    t[static_cast<std::size_t>(v)] = mesh_.comm().sum(static_cast<double>(sum));
  }
  return t;
}

} // namespace tessera::amr
