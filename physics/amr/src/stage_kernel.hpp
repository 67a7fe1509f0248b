// SPDX-License-Identifier: Apache-2.0
#pragma once
// One stage of the hydro step as one kernel (private to the module): reconstruction along
// every axis, the Riemann fluxes through every face and the conservative update, with no
// flux array in between. Each team owns a tile of ti x tj cells of one block and marches up
// a chunk of kc cells along z:
//   phase 1  limited slopes along x and y of the tile's cells and a ring of one cell (scratch)
//   phase 2  the fluxes through the x and y faces of the tile (scratch) and through the upper
//            z face of each column (its lower one is the previous step's upper one)
//   phase 3  the update of the tile's cells
// so every cell's slope along an axis is computed once and every face's flux once, but for
// the faces on a tile's edge (x and y) and a chunk's first z face. The separate kernels this
// replaced (perf/NOTES.md) computed each slope twice and wrote and read three flux arrays.
// Faces between blocks of different levels take their fluxes from the flux arrays, where
// the coarse-fine pass and FluxCorrection have put them (the mean of the fine fluxes on the
// coarse side), so the update conserves to rounding across levels as before.

#include <algorithm>

#include "face_flux.hpp"
#include "tessera/amr/mesh.hpp"
#include "tessera/core/loops.hpp"

namespace tessera::amr::detail {

// Which faces of a block take their flux from the flux arrays: bit 2 * axis + side (side 0
// the lower face, 1 the upper one).
KOKKOS_INLINE_FUNCTION constexpr int face_bit(int axis, int side)
{
  return 1 << (2 * axis + side);
}

// The most threads a stage team has: (8 + 2) x 16 (StageTile::threads with the largest tile).
inline constexpr unsigned stage_max_threads = 160;

struct StageTile {
  int ti = 1, tj = 1, kc = 1;                 // cells of a tile along x, y and z (a chunk)
  int tiles_i = 1, tiles_j = 1, chunks_k = 1; // per block
  int variables = first_scalar;

  // Scratch of one team, in doubles: x and y slopes with a ring of one cell, x and y face
  // fluxes, and per column the z slope of the current cell and its two z-face fluxes.
  KOKKOS_INLINE_FUNCTION int slopes_x() const { return variables * tj * (ti + 2); }
  KOKKOS_INLINE_FUNCTION int slopes_y() const { return variables * (tj + 2) * ti; }
  KOKKOS_INLINE_FUNCTION int fluxes_x() const { return variables * tj * (ti + 1); }
  KOKKOS_INLINE_FUNCTION int fluxes_y() const { return variables * (tj + 1) * ti; }
  KOKKOS_INLINE_FUNCTION int columns() const { return variables * ti * tj; }
  KOKKOS_INLINE_FUNCTION int scratch_doubles() const
  {
    return slopes_x() + slopes_y() + fluxes_x() + fluxes_y() + 3 * columns();
  }
  // Threads that give every phase one item per thread.
  int threads(int dims) const
  {
    return dims > 1 ? std::max({tj * (ti + 2), (tj + 2) * ti, tj * (ti + 1), (tj + 1) * ti, ti * tj}) : ti + 2;
  }
};

// Tiles of up to 16 x 8 cells (16 x 8 x 16 in 3-D); fewer rows when the scratch would not fit.
inline StageTile stage_tile(const BlockExtent& e, int variables, std::size_t max_scratch_bytes)
{
  StageTile t;
  t.variables = variables;
  t.ti = std::min(16, e.n);
  t.tj = e.dims > 1 ? std::min(8, e.n) : 1;
  t.kc = e.dims > 2 ? std::min(16, e.n) : 1;
  while (t.tj > 1 && static_cast<std::size_t>(t.scratch_doubles()) * sizeof(double) > max_scratch_bytes)
    t.tj = (t.tj + 1) / 2;
  t.tiles_i = (e.n + t.ti - 1) / t.ti;
  t.tiles_j = e.dims > 1 ? (e.n + t.tj - 1) / t.tj : 1;
  t.chunks_k = e.dims > 2 ? (e.n + t.kc - 1) / t.kc : 1;
  return t;
}

// NV: at most first_scalar + max_scalars variables, or exactly first_scalar (see face_flux).
template <Limiter L, RiemannSolver R, int NV>
struct FusedStage {
  BlockData u, u0, w;
  BlockData fx, fy, fz;    // fluxes of the faces between levels (bits of face_mask)
  View<int*> face_mask;    // per block
  View<double* [3]> width; // per block
  View<std::int64_t> floors;
  BlockExtent e;
  StageTile tile;
  FaceConstants c;
  double dt, keep;
  bool save_initial; // the first stage keeps u in u0 for the second
  int dims;

  // One tile: its block and its first cell; its extents (shorter at a block's end).
  struct Place {
    int b, i0, j0, k0, ni, nj, nk, mask;
  };

  KOKKOS_INLINE_FUNCTION int variables() const { return NV == first_scalar ? NV : tile.variables; }

  KOKKOS_INLINE_FUNCTION Place place(int team) const
  {
    Place p;
    const int ti = team % tile.tiles_i;
    team /= tile.tiles_i;
    const int tj = team % tile.tiles_j;
    team /= tile.tiles_j;
    const int ck = team % tile.chunks_k;
    p.b = team / tile.chunks_k;
    p.i0 = e.begin[0] + ti * tile.ti, p.j0 = e.begin[1] + tj * tile.tj, p.k0 = e.begin[2] + ck * tile.kc;
    p.ni = Kokkos::min(tile.ti, e.end[0] - p.i0);
    p.nj = Kokkos::min(tile.tj, e.end[1] - p.j0);
    p.nk = Kokkos::min(tile.kc, e.end[2] - p.k0);
    p.mask = face_mask(p.b);
    return p;
  }

  template <int D>
  KOKKOS_INLINE_FUNCTION double slope(int b, int v, int k, int j, int i) const
  {
    return cell_slope<D, L>(w, b, v, k, j, i);
  }

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const Place p = place(team.league_rank());
    ScratchView<double*> scratch(team.team_scratch(0), static_cast<std::size_t>(tile.scratch_doubles()));
    double* const sx = scratch.data();
    double* const sy = sx + tile.slopes_x();
    double* const fxs = sy + tile.slopes_y();
    double* const fys = fxs + tile.fluxes_x();
    double* const zs = fys + tile.fluxes_y();
    double* const fz_lo = zs + tile.columns();
    double* const fz_hi = fz_lo + tile.columns();
    if (dims > 2) first_z_faces(team, p, zs, fz_lo);
    for (int k = p.k0; k < p.k0 + p.nk; ++k) {
      slopes(team, p, k, sx, sy);
      team.team_barrier();
      fluxes(team, p, k, sx, sy, fxs, fys, zs, fz_hi);
      team.team_barrier();
      update(team, p, k, fxs, fys, fz_lo, fz_hi);
    }
  }

  // Per column: the z slope of the chunk's first cell and the flux through its lower face.
  KOKKOS_INLINE_FUNCTION void first_z_faces(const TeamMember& team, const Place& p, double* zs, double* fz_lo) const
  {
    const int columns = p.ni * p.nj, stride = tile.ti * tile.tj;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, columns), [&](int t) {
      const int j = p.j0 + t / p.ni, i = p.i0 + t % p.ni, k = p.k0;
      double above[NV];
      for (int v = 0; v < NV; ++v)
        if (v < variables()) zs[v * stride + t] = above[v] = slope<2>(p.b, v, k, j, i);
      if (k == e.begin[2] && (p.mask & face_bit(2, 0))) {
        for (int v = 0; v < variables(); ++v)
          fz_lo[v * stride + t] = fz(p.b, v, k, j, i);
        return;
      }
      face_flux<2, R, NV>([&](int cell, int v) { return w(p.b, v, k - 1 + cell, j, i); },
                          [&](int cell, int v) { return cell == 0 ? slope<2>(p.b, v, k - 1, j, i) : above[v]; }, c,
                          [&](int v, double f) { fz_lo[v * stride + t] = f; });
    });
  }

  // Phase 1: x slopes of cells i0 - 1 .. i0 + ni and y slopes of cells j0 - 1 .. j0 + nj.
  KOKKOS_INLINE_FUNCTION void slopes(const TeamMember& team, const Place& p, int k, double* sx, double* sy) const
  {
    const int nsx = p.nj * (p.ni + 2), nsy = dims > 1 ? (p.nj + 2) * p.ni : 0;
    const int row_x = tile.ti + 2, plane_x = tile.tj * row_x, plane_y = (tile.tj + 2) * tile.ti;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, Kokkos::max(nsx, nsy)), [&](int t) {
      if (t < nsx) {
        const int jj = t / (p.ni + 2), ii = t % (p.ni + 2);
        for (int v = 0; v < NV; ++v)
          if (v < variables()) sx[v * plane_x + jj * row_x + ii] = slope<0>(p.b, v, k, p.j0 + jj, p.i0 - 1 + ii);
      }
      if (t < nsy) {
        const int jj = t / p.ni, ii = t % p.ni;
        for (int v = 0; v < NV; ++v)
          if (v < variables()) sy[v * plane_y + jj * tile.ti + ii] = slope<1>(p.b, v, k, p.j0 - 1 + jj, p.i0 + ii);
      }
    });
  }

  // Phase 2: the fluxes of the tile's x and y faces and of each column's upper z face.
  KOKKOS_INLINE_FUNCTION void fluxes(const TeamMember& team, const Place& p, int k, const double* sx, const double* sy,
                                     double* fxs, double* fys, double* zs, double* fz_hi) const
  {
    const int nfx = p.nj * (p.ni + 1), nfy = dims > 1 ? (p.nj + 1) * p.ni : 0, ncol = dims > 2 ? p.ni * p.nj : 0;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, Kokkos::max(nfx, Kokkos::max(nfy, ncol))), [&](int t) {
      if (t < nfx) x_face(p, k, t / (p.ni + 1), t % (p.ni + 1), sx, fxs);
      if (t < nfy) y_face(p, k, t / p.ni, t % p.ni, sy, fys);
      if (t < ncol) z_face(p, k, t, zs, fz_hi);
    });
  }

  // The face between cells i - 1 and i of row jj, i = i0 + ff.
  KOKKOS_INLINE_FUNCTION void x_face(const Place& p, int k, int jj, int ff, const double* sx, double* fxs) const
  {
    const int row_s = tile.ti + 2, plane_s = tile.tj * row_s, row_f = tile.ti + 1, plane_f = tile.tj * row_f;
    const int j = p.j0 + jj, i = p.i0 + ff;
    double* const out = fxs + jj * row_f + ff;
    if ((i == e.begin[0] && (p.mask & face_bit(0, 0))) || (i == e.end[0] && (p.mask & face_bit(0, 1)))) {
      for (int v = 0; v < variables(); ++v)
        out[v * plane_f] = fx(p.b, v, k, j, i);
      return;
    }
    const double* const s = sx + jj * row_s + ff; // the slope of cell i - 1, then of cell i
    face_flux<0, R, NV>([&](int cell, int v) { return w(p.b, v, k, j, i - 1 + cell); },
                        [&](int cell, int v) { return s[v * plane_s + cell]; }, c,
                        [&](int v, double f) { out[v * plane_f] = f; });
  }

  // The face between cells j - 1 and j at column ii, j = j0 + ff.
  KOKKOS_INLINE_FUNCTION void y_face(const Place& p, int k, int ff, int ii, const double* sy, double* fys) const
  {
    const int plane_s = (tile.tj + 2) * tile.ti, plane_f = (tile.tj + 1) * tile.ti;
    const int j = p.j0 + ff, i = p.i0 + ii;
    double* const out = fys + ff * tile.ti + ii;
    if ((j == e.begin[1] && (p.mask & face_bit(1, 0))) || (j == e.end[1] && (p.mask & face_bit(1, 1)))) {
      for (int v = 0; v < variables(); ++v)
        out[v * plane_f] = fy(p.b, v, k, j, i);
      return;
    }
    const double* const s = sy + ff * tile.ti + ii; // the slope of cell j - 1, then of cell j
    face_flux<1, R, NV>([&](int cell, int v) { return w(p.b, v, k, j - 1 + cell, i); },
                        [&](int cell, int v) { return s[v * plane_s + cell * tile.ti]; }, c,
                        [&](int v, double f) { out[v * plane_f] = f; });
  }

  // Column t's face between cells k and k + 1; the slope of cell k + 1 replaces cell k's.
  KOKKOS_INLINE_FUNCTION void z_face(const Place& p, int k, int t, double* zs, double* fz_hi) const
  {
    const int stride = tile.ti * tile.tj, j = p.j0 + t / p.ni, i = p.i0 + t % p.ni;
    if (k + 1 == e.end[2] && (p.mask & face_bit(2, 1))) {
      for (int v = 0; v < variables(); ++v)
        fz_hi[v * stride + t] = fz(p.b, v, k + 1, j, i);
      return;
    }
    double above[NV];
    for (int v = 0; v < NV; ++v)
      if (v < variables()) above[v] = slope<2>(p.b, v, k + 1, j, i);
    face_flux<2, R, NV>([&](int cell, int v) { return w(p.b, v, k + cell, j, i); },
                        [&](int cell, int v) { return cell == 0 ? zs[v * stride + t] : above[v]; }, c,
                        [&](int v, double f) { fz_hi[v * stride + t] = f; });
    for (int v = 0; v < NV; ++v)
      if (v < variables()) zs[v * stride + t] = above[v];
  }

  // Phase 3: u <- keep * u0 + (1 - keep) * (u + dt L(u)), then the floors (counted with an
  // atomic: rare).
  KOKKOS_INLINE_FUNCTION void update(const TeamMember& team, const Place& p, int k, const double* fxs,
                                     const double* fys, double* fz_lo, const double* fz_hi) const
  {
    const int stride = tile.ti * tile.tj, row_x = tile.ti + 1, plane_x = tile.tj * row_x,
              plane_y = (tile.tj + 1) * tile.ti;
    const double cx = dt / width(p.b, 0), cy = dims > 1 ? dt / width(p.b, 1) : 0.0,
                 cz = dims > 2 ? dt / width(p.b, 2) : 0.0;
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, p.ni * p.nj), [&](int t) {
      const int jj = t / p.ni, ii = t % p.ni, j = p.j0 + jj, i = p.i0 + ii;
      for (int v = 0; v < variables(); ++v) {
        const double* const gx = fxs + v * plane_x + jj * row_x + ii;
        double change = -cx * (gx[1] - gx[0]);
        if (dims > 1) {
          const double* const gy = fys + v * plane_y + jj * tile.ti + ii;
          change -= cy * (gy[tile.ti] - gy[0]);
        }
        if (dims > 2) {
          change -= cz * (fz_hi[v * stride + t] - fz_lo[v * stride + t]);
          fz_lo[v * stride + t] = fz_hi[v * stride + t];
        }
        const double now = u(p.b, v, k, j, i);
        if (save_initial) u0(p.b, v, k, j, i) = now;
        u(p.b, v, k, j, i) = keep * u0(p.b, v, k, j, i) + (1 - keep) * (now + change);
      }
      apply_floors(p.b, k, j, i);
    });
  }

  KOKKOS_INLINE_FUNCTION void apply_floors(int b, int k, int j, int i) const
  {
    double& rho = u(b, density, k, j, i);
    if (!(rho >= c.density_floor)) {
      rho = c.density_floor;
      Kokkos::atomic_inc(&floors());
    }
    const double mx = u(b, momentum_x, k, j, i), my = u(b, momentum_y, k, j, i), mz = u(b, momentum_z, k, j, i);
    const double kinetic = 0.5 * (mx * mx + my * my + mz * mz) / rho;
    double& energy_density = u(b, energy, k, j, i);
    if (!((c.gamma - 1) * (energy_density - kinetic) >= c.pressure_floor)) {
      energy_density = c.pressure_floor / (c.gamma - 1) + kinetic;
      Kokkos::atomic_inc(&floors());
    }
  }
};

} // namespace tessera::amr::detail
