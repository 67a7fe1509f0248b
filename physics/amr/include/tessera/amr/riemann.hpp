// SPDX-License-Identifier: Apache-2.0
#pragma once
// Approximate Riemann solvers of the Euler equations for an ideal gas, on a face normal to
// one axis: HLLE (Einfeldt's wave speeds) and HLLC (Toro's contact restoration), both with
// Roe-averaged wave-speed estimates as in Athena++. States are primitive, in the face's own
// frame: normal velocity first. Passive scalars ride with the mass flux.

#include <Kokkos_Core.hpp>

#include "tessera/core/math.hpp"

namespace tessera::amr {

inline constexpr int max_scalars = 4;

struct Primitive {
  double rho = 1, vn = 0, vt1 = 0, vt2 = 0, p = 1;
  double s[max_scalars] = {0, 0, 0, 0}; // scalar concentrations
};

struct Flux {
  double mass = 0, mn = 0, mt1 = 0, mt2 = 0, energy = 0;
  double s[max_scalars] = {0, 0, 0, 0};
};

KOKKOS_INLINE_FUNCTION double total_energy(const Primitive& w, double gamma)
{
  return w.p / (gamma - 1) + 0.5 * w.rho * (w.vn * w.vn + w.vt1 * w.vt1 + w.vt2 * w.vt2);
}

// The physical flux of state w (its total energy e given).
KOKKOS_INLINE_FUNCTION Flux physical_flux(const Primitive& w, double e, int scalars)
{
  Flux f;
  f.mass = w.rho * w.vn;
  f.mn = f.mass * w.vn + w.p;
  f.mt1 = f.mass * w.vt1;
  f.mt2 = f.mass * w.vt2;
  f.energy = (e + w.p) * w.vn;
  for (int n = 0; n < max_scalars; ++n)
    if (n < scalars) f.s[n] = f.mass * w.s[n];
  return f;
}

// Slowest and fastest signal speeds (Einfeldt: the extremes of the Roe average's and the
// two sides' characteristic speeds). Written with one reciprocal square root per side
// (1/sqrt(rho) gives sqrt(rho) = rho / sqrt(rho) and 1/rho = (1/sqrt(rho))^2) and one
// division: each FP64 division or square root is a chain of a dozen dependent instructions
// on a GPU, and the face flux is latency-bound (perf/NOTES.md).
KOKKOS_INLINE_FUNCTION void wave_speeds(const Primitive& l, const Primitive& r, double el, double er, double gamma,
                                        double& sl, double& sr)
{
  const double root_inv_l = inv_sqrt(l.rho), root_inv_r = inv_sqrt(r.rho);
  const double sqrt_l = l.rho * root_inv_l, sqrt_r = r.rho * root_inv_r;
  const double inv = 1.0 / (sqrt_l + sqrt_r);
  const double un = (sqrt_l * l.vn + sqrt_r * r.vn) * inv;
  const double ut1 = (sqrt_l * l.vt1 + sqrt_r * r.vt1) * inv;
  const double ut2 = (sqrt_l * l.vt2 + sqrt_r * r.vt2) * inv;
  const double h = ((el + l.p) * root_inv_l + (er + r.p) * root_inv_r) * inv;
  const double a2 = (gamma - 1) * (h - 0.5 * (un * un + ut1 * ut1 + ut2 * ut2));
  const double a = Kokkos::sqrt(Kokkos::max(a2, 0.0));
  const double cl = Kokkos::sqrt(gamma * l.p) * root_inv_l, cr = Kokkos::sqrt(gamma * r.p) * root_inv_r;
  sl = Kokkos::min(l.vn - cl, un - a);
  sr = Kokkos::max(r.vn + cr, un + a);
}

KOKKOS_INLINE_FUNCTION Flux hlle(const Primitive& l, const Primitive& r, double gamma, int scalars)
{
  const double el = total_energy(l, gamma), er = total_energy(r, gamma);
  double sl, sr;
  wave_speeds(l, r, el, er, gamma, sl, sr);
  const double bp = Kokkos::max(sr, 0.0), bm = Kokkos::min(sl, 0.0);
  const Flux fl = physical_flux(l, el, scalars), fr = physical_flux(r, er, scalars);
  const double inv = 1.0 / (bp - bm), prod = bp * bm;
  Flux f;
  f.mass = (bp * fl.mass - bm * fr.mass + prod * (r.rho - l.rho)) * inv;
  f.mn = (bp * fl.mn - bm * fr.mn + prod * (r.rho * r.vn - l.rho * l.vn)) * inv;
  f.mt1 = (bp * fl.mt1 - bm * fr.mt1 + prod * (r.rho * r.vt1 - l.rho * l.vt1)) * inv;
  f.mt2 = (bp * fl.mt2 - bm * fr.mt2 + prod * (r.rho * r.vt2 - l.rho * l.vt2)) * inv;
  f.energy = (bp * fl.energy - bm * fr.energy + prod * (er - el)) * inv;
  for (int n = 0; n < max_scalars; ++n)
    if (n < scalars) f.s[n] = (bp * fl.s[n] - bm * fr.s[n] + prod * (r.rho * r.s[n] - l.rho * l.s[n])) * inv;
  return f;
}

// The flux of side K's star state: F_K + S_K (U*_K - U_K) (Toro 10.38-10.39), with the
// star energy rearranged so that one division, 1 / (S_K - S*), serves every term:
// E*_K = (S_K - u_K) / (S_K - S*) E_K + rho*_K (S* - u_K) S* + (S* - u_K) p_K / (S_K - S*).
KOKKOS_INLINE_FUNCTION Flux hllc_side(const Primitive& w, double e, double sk, double s_star, int scalars)
{
  const Flux f = physical_flux(w, e, scalars);
  const double inv_gap = 1.0 / (sk - s_star), approach = sk - w.vn;
  const double factor = w.rho * approach * inv_gap; // rho*_K
  Flux out;
  out.mass = f.mass + sk * (factor - w.rho);
  out.mn = f.mn + sk * (factor * s_star - w.rho * w.vn);
  out.mt1 = f.mt1 + sk * (factor * w.vt1 - w.rho * w.vt1);
  out.mt2 = f.mt2 + sk * (factor * w.vt2 - w.rho * w.vt2);
  const double slip = s_star - w.vn;
  const double e_star = approach * inv_gap * e + factor * slip * s_star + slip * w.p * inv_gap;
  out.energy = f.energy + sk * (e_star - e);
  for (int n = 0; n < max_scalars; ++n)
    if (n < scalars) out.s[n] = f.s[n] + sk * (factor * w.s[n] - w.rho * w.s[n]);
  return out;
}

KOKKOS_INLINE_FUNCTION Flux hllc(const Primitive& l, const Primitive& r, double gamma, int scalars)
{
  const double el = total_energy(l, gamma), er = total_energy(r, gamma);
  double sl, sr;
  wave_speeds(l, r, el, er, gamma, sl, sr);
  if (sl >= 0) return physical_flux(l, el, scalars);
  if (sr <= 0) return physical_flux(r, er, scalars);
  const double ml = l.rho * (sl - l.vn), mr = r.rho * (sr - r.vn);
  const double s_star = (r.p - l.p + l.vn * ml - r.vn * mr) / (ml - mr);
  return s_star >= 0 ? hllc_side(l, el, sl, s_star, scalars) : hllc_side(r, er, sr, s_star, scalars);
}

} // namespace tessera::amr
