// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/hydro.hpp"

#include <fmt/format.h>

#include "face_flux.hpp"
#include "stage_kernel.hpp"
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

// The fluxes through the faces of local blocks against coarser blocks, into the flux arrays
// (one team per face): FluxCorrection averages them onto the coarse side, and the stage kernel
// of both sides reads them from there.
template <Limiter L, RiemannSolver R>
struct FineFaceFluxes {
  BlockData w, fx, fy, fz;
  View<FineFace*> faces;
  BlockExtent e;
  detail::FaceConstants c;

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const FineFace f = faces(team.league_rank());
    // The face's cells along the two other axes (one along an inactive axis).
    const int other[2] = {f.axis == 0 ? 1 : 0, f.axis == 2 ? 1 : 2};
    const int n0 = e.end[other[0]] - e.begin[other[0]], n1 = e.end[other[1]] - e.begin[other[1]];
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, n0 * n1), [&](int t) {
      int at[3];
      at[f.axis] = f.side ? e.end[f.axis] : e.begin[f.axis];
      at[other[0]] = e.begin[other[0]] + t % n0;
      at[other[1]] = e.begin[other[1]] + t / n0;
      if (f.axis == 0) face<0>(fx, f.block, at[2], at[1], at[0]);
      if (f.axis == 1) face<1>(fy, f.block, at[2], at[1], at[0]);
      if (f.axis == 2) face<2>(fz, f.block, at[2], at[1], at[0]);
    });
  }

  // The face between cell (k, j, i) and the cell before it along D.
  template <int D>
  KOKKOS_INLINE_FUNCTION void face(const BlockData& flux, int b, int k, int j, int i) const
  {
    constexpr int di = D == 0, dj = D == 1, dk = D == 2;
    detail::face_flux<D, R, detail::max_variables>(
        [&](int cell, int v) { return w(b, v, k - dk + cell * dk, j - dj + cell * dj, i - di + cell * di); },
        [&](int cell, int v) {
          return detail::cell_slope<D, L>(w, b, v, k - dk + cell * dk, j - dj + cell * dj, i - di + cell * di);
        },
        c, [&](int v, double value) { flux(b, v, k, j, i) = value; });
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

// Teams of the stage kernel (up to detail::stage_max_threads threads) that the kernel's
// register count must allow per GPU multiprocessor.
constexpr unsigned stage_min_teams = 4;

// Calls f.template operator()<L, R>() with the limiter and Riemann solver of p as constants.
template <class F>
void with_scheme(const HydroParams& p, const F& f)
{
  const auto with_limiter = [&]<RiemannSolver R>() {
    switch (p.limiter) {
    case Limiter::minmod: f.template operator()<Limiter::minmod, R>(); break;
    case Limiter::van_leer: f.template operator()<Limiter::van_leer, R>(); break;
    case Limiter::monotonized_central: f.template operator()<Limiter::monotonized_central, R>(); break;
    }
  };
  if (p.riemann == RiemannSolver::hllc)
    with_limiter.template operator()<RiemannSolver::hllc>();
  else
    with_limiter.template operator()<RiemannSolver::hlle>();
}

void check(const Mesh& mesh, const HydroParams& p)
{
  if (!(p.gamma > 1)) throw InputError(fmt::format("hydro: gamma must exceed 1, not {}", p.gamma));
  if (!(p.cfl > 0 && p.cfl <= 1)) throw InputError(fmt::format("hydro: cfl must be in (0, 1], not {}", p.cfl));
  if (!(p.density_floor > 0 && p.pressure_floor > 0))
    throw InputError(fmt::format("hydro: hydro.density_floor = {} and hydro.pressure_floor = {} must be positive",
                                 p.density_floor, p.pressure_floor));
  if constexpr (device_is_host) {
    const int most = TeamPolicy(ExecSpace(), 1, 1).team_size_max([](const TeamMember&) {}, Kokkos::ParallelForTag());
    if (p.host_team_threads > most)
      throw InputError(
          fmt::format("hydro: key 'hydro.host_team_threads' = {} exceeds the {} threads a team can have here",
                      p.host_team_threads, most));
  }
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

void Hydro::stage(const BlockData& u, double dt, double keep_initial, bool save_initial)
{
  const auto& e = mesh_.extent();
  par_for_md<4>("amr::primitive", {0, 0, 0, 0}, {mesh_.blocks(), e.cells[2], e.cells[1], e.cells[0]},
                ToPrimitive{u, primitive_, params_.gamma, mesh_.shape().scalars});
  const int dims = mesh_.shape().tree.dims;
  const BlockData& fx = flux_[0];
  const BlockData& fy = dims > 1 ? flux_[1] : flux_[0];
  const BlockData& fz = dims > 2 ? flux_[2] : flux_[0];
  const detail::FaceConstants constants{params_.gamma, params_.density_floor, params_.pressure_floor,
                                        mesh_.shape().scalars};
  const auto& fine_faces = corrections_.fine_faces();
  with_scheme(params_, [&]<Limiter L, RiemannSolver R>() {
    if (fine_faces.extent(0) > 0)
      par_for_team("amr::fine_face_fluxes", team_policy(ExecSpace(), static_cast<Index>(fine_faces.extent(0)), 0, 0),
                   FineFaceFluxes<L, R>{primitive_, fx, fy, fz, fine_faces, e, constants});
  });
  corrections_.apply(flux_);
  const auto tile = detail::stage_tile(e, mesh_.variables(), static_cast<std::size_t>(TeamPolicy::scratch_size_max(0)));
  const Index league = static_cast<Index>(mesh_.blocks()) * tile.chunks_k * tile.tiles_j * tile.tiles_i;
  if (league == 0) return;
  // One thread per item of the widest phase, in whole warps, on GPUs; on hosts a team is one
  // thread that walks the tile (unless hydro.host_team_threads asks for more: a check).
  constexpr int warp = 32;
  const int threads = device_is_host ? params_.host_team_threads : (tile.threads(dims) + warp - 1) / warp * warp;
  const auto scratch = static_cast<std::size_t>(tile.scratch_doubles()) * sizeof(double);
  const auto run = [&]<Limiter L, RiemannSolver R, int NV>() {
    par_for_team("amr::stage",
                 bounded_team_policy<detail::stage_max_threads, stage_min_teams>(ExecSpace(), league, threads, scratch),
                 detail::FusedStage<L, R, NV>{u, initial_, primitive_, fx, fy, fz, corrections_.level_faces(),
                                              mesh_.width, floor_count_, e, tile, constants, dt, keep_initial,
                                              save_initial, dims});
  };
  with_scheme(params_, [&]<Limiter L, RiemannSolver R>() {
    if (mesh_.shape().scalars == 0)
      run.template operator()<L, R, first_scalar>();
    else
      run.template operator()<L, R, detail::max_variables>();
  });
}

void Hydro::step(const BlockData& u, double dt, const GhostExchange& ghosts)
{
  ghosts.fill(u);
  stage(u, dt, 0.0, true); // keeps u in initial_ for the second stage
  ghosts.fill(u);
  stage(u, dt, 0.5, false);
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
