// SPDX-License-Identifier: Apache-2.0
#pragma once
// A batched stiff ODE integrator: many small independent systems y' = f(y) (one per zone,
// e.g. a reaction network per cell), one zone per device thread, everything in registers.
//
// Method: RODAS3, the 4-stage Rosenbrock method of order 3 with an embedded method of order
// 2 (Sandu et al., Atmos. Environ. 31, 3459, 1997, "Benchmarking stiff ODE solvers for
// atmospheric chemistry II: Rosenbrock solvers", sec. 4.4; the coefficients as in KPP's
// Rosenbrock integrator). It is stiffly accurate and L-stable, and so is the embedded method:
// both stability functions go to 0 as h lambda -> -infinity, so stiff transients are damped
// in one step and steps much longer than the fast time scales are stable. A Rosenbrock
// method needs one Jacobian and one LU factorisation per step and no Newton iteration, so
// the work per step is fixed: good for GPU threads that must stay in step.
//
// The step in Hairer & Wanner's transformed form (Solving ODEs II, sec. IV.7, eq. 7.25), for
// an autonomous system with Jacobian J at y_n and gamma = 1/2:
//   (1/(gamma h) I - J) k_i = f(y_n + sum_j a_ij k_j) + (1/h) sum_j c_ij k_j,  i = 1..4
//   y_{n+1} = y_n + sum_i m_i k_i,   error estimate e = sum_i e_i k_i = k_4
// with a_31 = a_41 = 2, a_43 = 1 (others 0; a_2j = 0, so stage 2 reuses f(y_n)),
// c_21 = 4, c_31 = 1, c_32 = -1, c_41 = 1, c_42 = -1, c_43 = -8/3, m = (2, 0, 1, 1).
//
// Step-size control: the weighted RMS norm of e with weights atol + rtol max(|y_n|, |y_n+1|);
// a step is accepted when the norm is <= 1, and the next step is h * clamp(0.9 err^(-1/3),
// 0.2, 6) (the estimate is O(h^3)), never growing right after a rejection. A trial step with
// a non-finite result or a singular matrix is rejected and h cut tenfold.
//
// A zone that cannot finish is flagged, never loops: it stops after max_steps attempted steps
// (accepted + rejected), when h no longer advances t, or at once when its initial state is
// non-finite or the System rejects it (System::admissible(y), when the System has one).
//
// A System is autonomous (f does not depend on t; the Rosenbrock stages would need df/dt
// otherwise) and has
//   static constexpr int size;
//   KOKKOS_INLINE_FUNCTION void rhs(const double* y, double* dydt) const;
//   KOKKOS_INLINE_FUNCTION void jacobian(const double* y, double* J) const; // row-major size x size
//   optional: KOKKOS_INLINE_FUNCTION bool admissible(const double* y) const;
// and a SystemFactory builds the System of a zone inside the kernel, from that zone's
// parameters (e.g. CarbonNetworkFactory reads the zone's density from a View):
//   KOKKOS_INLINE_FUNCTION System operator()(Index zone) const;

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <Kokkos_Core.hpp>

#include "tessera/core/loops.hpp"

namespace tessera::nn {

enum class StiffStatus : int {
  success = 0,
  max_steps = 1,      // max_steps attempts were not enough to reach t_end
  step_underflow = 2, // the step size fell below what can advance t
  non_finite = 3,     // as step_underflow, with the last trial step non-finite (NaN/inf)
  invalid_input = 4,  // non-finite initial state or end time, or System::admissible() false
};

struct StiffSettings {
  double rtol = 1e-8;    // relative tolerance of the local error, every component (>= 0)
  double atol = 1e-12;   // absolute tolerance, every component (> 0: the weights must not vanish)
  int max_steps = 20000; // attempted steps per zone (accepted + rejected)
  double h_init = 0;     // first trial step; 0: estimated from y and f(y)
};

// What integrate_zone() reports for one zone.
struct StiffZoneResult {
  StiffStatus status = StiffStatus::success;
  int steps = 0;      // accepted steps
  int rejections = 0; // rejected trial steps
  double t = 0;       // the time reached (t_end on success)
};

namespace detail {

// RODAS3 (see the top of this file).
struct Rodas3 {
  static constexpr double gamma = 0.5;
  static constexpr double a31 = 2, a41 = 2, a43 = 1;
  static constexpr double c21 = 4, c31 = 1, c32 = -1, c41 = 1, c42 = -1, c43 = -8.0 / 3.0;
  static constexpr double m1 = 2, m3 = 1, m4 = 1;
  static constexpr double error_order = 3; // the error estimate is O(h^3)
};

// Step-size factors (Hairer & Wanner's and KPP's usual values).
inline constexpr double step_safety = 0.9, step_grow_max = 6.0, step_shrink_min = 0.2, step_cut_failed = 0.1;
// Below this a step is treated as underflow even at t = 0 (where t + h == t never happens):
// a zone whose every trial is non-finite reaches it after about 300 tenfold cuts.
inline constexpr double step_floor = 1e-280;

// The next step over this one for a scaled error err (0.9 err^(-1/3), within [0.2, 6]).
KOKKOS_INLINE_FUNCTION double step_factor(double err)
{
  if (!(err > 0)) return step_grow_max;
  const double f = step_safety * Kokkos::pow(err, -1.0 / Rodas3::error_order);
  return Kokkos::fmin(step_grow_max, Kokkos::fmax(step_shrink_min, f));
}

// In-place LU factorisation with partial pivoting of the N x N row-major matrix a; the
// permutation goes to piv. False when a pivot is zero or not finite.
template <int N>
KOKKOS_INLINE_FUNCTION bool lu_factor(double* a, int* piv)
{
  for (int k = 0; k < N; ++k) {
    int p = k;
    double big = Kokkos::abs(a[k * N + k]);
    for (int i = k + 1; i < N; ++i) {
      if (Kokkos::abs(a[i * N + k]) > big) {
        big = Kokkos::abs(a[i * N + k]);
        p = i;
      }
    }
    piv[k] = p;
    if (!(big > 0) || !Kokkos::isfinite(big)) return false;
    if (p != k) {
      for (int j = 0; j < N; ++j) {
        const double t = a[k * N + j];
        a[k * N + j] = a[p * N + j];
        a[p * N + j] = t;
      }
    }
    const double inv = 1.0 / a[k * N + k];
    for (int i = k + 1; i < N; ++i) {
      const double l = a[i * N + k] * inv;
      a[i * N + k] = l;
      for (int j = k + 1; j < N; ++j)
        a[i * N + j] -= l * a[k * N + j];
    }
  }
  return true;
}

// Solves (LU) x = b in place (b becomes x), with the factors and pivots of lu_factor().
template <int N>
KOKKOS_INLINE_FUNCTION void lu_solve(const double* lu, const int* piv, double* b)
{
  for (int k = 0; k < N; ++k) {
    if (piv[k] != k) {
      const double t = b[k];
      b[k] = b[piv[k]];
      b[piv[k]] = t;
    }
    for (int i = k + 1; i < N; ++i)
      b[i] -= lu[i * N + k] * b[k];
  }
  for (int i = N - 1; i >= 0; --i) {
    double s = b[i];
    for (int j = i + 1; j < N; ++j)
      s -= lu[i * N + j] * b[j];
    b[i] = s / lu[i * N + i];
  }
}

template <int N>
KOKKOS_INLINE_FUNCTION bool all_finite(const double* v)
{
  for (int i = 0; i < N; ++i)
    if (!Kokkos::isfinite(v[i])) return false;
  return true;
}

template <class System>
KOKKOS_INLINE_FUNCTION bool admissible(const System& system, const double* y)
{
  if constexpr (requires { system.admissible(y); }) {
    return system.admissible(y);
  } else {
    return true;
  }
}

} // namespace detail

// Integrates one zone, y (System::size values, in/out) from t = 0 to t_end. On failure y
// holds the state at the last accepted step (result.t).
template <class System>
KOKKOS_INLINE_FUNCTION StiffZoneResult integrate_zone(const System& system, double* y, double t_end,
                                                      const StiffSettings& settings)
{
  constexpr int n = System::size;
  using M = detail::Rodas3;
  StiffZoneResult result;

  if (!Kokkos::isfinite(t_end) || !detail::all_finite<n>(y) || !detail::admissible(system, y)) {
    result.status = StiffStatus::invalid_input;
    return result;
  }
  if (t_end <= 0) return result;

  const double rtol = settings.rtol, atol = settings.atol;
  double f0[n], jac[n * n], lu[n * n], k1[n], k2[n], k3[n], k4[n], ys[n], fs[n], ynew[n];
  int piv[n];
  system.rhs(y, f0);
  system.jacobian(y, jac);

  // First trial step: h_init, or 1% of the time y takes to change by its own size in the
  // weighted norm (Hairer, Norsett & Wanner, Solving ODEs I, sec. II.4); a step that is too
  // long is cut by the error control within a few rejections.
  double h = settings.h_init;
  if (!(h > 0)) {
    double d0 = 0, d1 = 0;
    for (int i = 0; i < n; ++i) {
      const double w = atol + rtol * Kokkos::abs(y[i]);
      d0 += (y[i] / w) * (y[i] / w);
      d1 += (f0[i] / w) * (f0[i] / w);
    }
    d0 = Kokkos::sqrt(d0 / n);
    d1 = Kokkos::sqrt(d1 / n);
    h = d1 > 0 && Kokkos::isfinite(d1) ? 0.01 * Kokkos::fmax(d0, 1e-5) / d1 : t_end;
  }

  double t = 0;
  bool rejected_last = false;
  int attempts = 0;
  while (true) {
    if (attempts >= settings.max_steps) {
      result.status = StiffStatus::max_steps;
      break;
    }
    const bool last = h >= t_end - t;
    if (last) h = t_end - t;
    ++attempts;

    // (1/(gamma h) - J), factorised; every stage solves with it.
    for (int i = 0; i < n * n; ++i)
      lu[i] = -jac[i];
    for (int i = 0; i < n; ++i)
      lu[i * n + i] += 1.0 / (M::gamma * h);
    bool ok = detail::lu_factor<n>(lu, piv);

    double err = 0;
    if (ok) {
      const double inv_h = 1.0 / h;
      for (int i = 0; i < n; ++i)
        k1[i] = f0[i];
      detail::lu_solve<n>(lu, piv, k1);
      for (int i = 0; i < n; ++i)
        k2[i] = f0[i] + inv_h * M::c21 * k1[i];
      detail::lu_solve<n>(lu, piv, k2);
      for (int i = 0; i < n; ++i)
        ys[i] = y[i] + M::a31 * k1[i];
      system.rhs(ys, fs);
      for (int i = 0; i < n; ++i)
        k3[i] = fs[i] + inv_h * (M::c31 * k1[i] + M::c32 * k2[i]);
      detail::lu_solve<n>(lu, piv, k3);
      for (int i = 0; i < n; ++i)
        ys[i] = y[i] + M::a41 * k1[i] + M::a43 * k3[i];
      system.rhs(ys, fs);
      for (int i = 0; i < n; ++i)
        k4[i] = fs[i] + inv_h * (M::c41 * k1[i] + M::c42 * k2[i] + M::c43 * k3[i]);
      detail::lu_solve<n>(lu, piv, k4);
      for (int i = 0; i < n; ++i) {
        ynew[i] = y[i] + M::m1 * k1[i] + M::m3 * k3[i] + M::m4 * k4[i];
        const double w = atol + rtol * Kokkos::fmax(Kokkos::abs(y[i]), Kokkos::abs(ynew[i]));
        err += (k4[i] / w) * (k4[i] / w);
      }
      err = Kokkos::sqrt(err / n);
      ok = Kokkos::isfinite(err) && detail::all_finite<n>(ynew);
    }

    if (ok && err <= 1) {
      t = last ? t_end : t + h;
      for (int i = 0; i < n; ++i)
        y[i] = ynew[i];
      ++result.steps;
      if (last) break;
      system.rhs(y, f0);
      system.jacobian(y, jac);
      double factor = detail::step_factor(err);
      if (rejected_last) factor = Kokkos::fmin(factor, 1.0);
      h *= factor;
      rejected_last = false;
    } else {
      ++result.rejections;
      h *= ok ? Kokkos::fmin(detail::step_factor(err), 1.0) : detail::step_cut_failed;
      rejected_last = true;
      // A step that no longer moves t (or is absurdly small while t is still 0) ends the zone.
      if (!(h > detail::step_floor) || t + h == t) {
        result.status = ok ? StiffStatus::step_underflow : StiffStatus::non_finite;
        break;
      }
    }
  }
  result.t = t;
  return result;
}

// Per-zone counters of integrate_stiff(), one entry per zone.
struct StiffCounts {
  View<int*> status;     // a StiffStatus, as int
  View<int*> steps;      // accepted steps
  View<int*> rejections; // rejected trial steps

  StiffCounts() = default;
  explicit StiffCounts(Index zones)
      : status("nn::stiff::status", zones), steps("nn::stiff::steps", zones), rejections("nn::stiff::rejections", zones)
  {
  }
};

namespace detail {

// The kernel: one zone per thread; the state is copied to registers, integrated, and
// written back. t_end is per zone when per_zone is set, else t_end_all for every zone.
template <class Factory>
struct StiffKernel {
  using System = std::remove_cvref_t<decltype(std::declval<const Factory&>()(Index{}))>;
  static constexpr int n = System::size;

  Factory factory;
  View<double**> y;
  View<const double*> t_end_zone;
  double t_end_all = 0;
  bool per_zone = false;
  StiffSettings settings;
  StiffCounts counts;

  KOKKOS_INLINE_FUNCTION void operator()(Index zone) const
  {
    const System system = factory(zone);
    double state[n];
    for (int i = 0; i < n; ++i)
      state[i] = y(zone, i);
    const StiffZoneResult r = integrate_zone(system, state, per_zone ? t_end_zone(zone) : t_end_all, settings);
    for (int i = 0; i < n; ++i)
      y(zone, i) = state[i];
    counts.status(zone) = static_cast<int>(r.status);
    counts.steps(zone) = r.steps;
    counts.rejections(zone) = r.rejections;
  }
};

template <class Factory>
void check_stiff_arguments(const View<double**>& y, const StiffSettings& settings, const StiffCounts& counts)
{
  using System = typename StiffKernel<Factory>::System;
  const Index zones = static_cast<Index>(y.extent(0));
  if (static_cast<int>(y.extent(1)) != System::size) {
    throw std::invalid_argument("integrate_stiff: y has " + std::to_string(y.extent(1)) + " columns, the system has " +
                                std::to_string(System::size));
  }
  if (!(settings.atol > 0) || !(settings.rtol >= 0) || settings.max_steps < 1) {
    throw std::invalid_argument("integrate_stiff: needs atol > 0, rtol >= 0 and max_steps >= 1 (atol " +
                                std::to_string(settings.atol) + ", rtol " + std::to_string(settings.rtol) +
                                ", max_steps " + std::to_string(settings.max_steps) + ")");
  }
  if (static_cast<Index>(counts.status.extent(0)) < zones || static_cast<Index>(counts.steps.extent(0)) < zones ||
      static_cast<Index>(counts.rejections.extent(0)) < zones) {
    throw std::invalid_argument("integrate_stiff: the counters hold fewer zones than y (" + std::to_string(zones) +
                                ")");
  }
}

} // namespace detail

// Integrates every zone z of y (zones x System::size, in/out) from 0 to t_end(z), the System
// of zone z being factory(z); status and counts per zone go to `counts` (StiffCounts(zones)).
// One kernel, labelled `label`, on `space`; it returns without fencing.
template <class Factory>
void integrate_stiff(const std::string& label, const ExecSpace& space, const Factory& factory, const View<double**>& y,
                     const View<const double*>& t_end, const StiffSettings& settings, const StiffCounts& counts)
{
  detail::check_stiff_arguments<Factory>(y, settings, counts);
  if (t_end.extent(0) != y.extent(0)) {
    throw std::invalid_argument("integrate_stiff: t_end has " + std::to_string(t_end.extent(0)) + " zones, y has " +
                                std::to_string(y.extent(0)));
  }
  detail::StiffKernel<Factory> kernel{factory, y, t_end, 0.0, true, settings, counts};
  par_for(label, space, 0, static_cast<Index>(y.extent(0)), kernel);
}

// The same with one end time for every zone.
template <class Factory>
void integrate_stiff(const std::string& label, const ExecSpace& space, const Factory& factory, const View<double**>& y,
                     double t_end, const StiffSettings& settings, const StiffCounts& counts)
{
  detail::check_stiff_arguments<Factory>(y, settings, counts);
  detail::StiffKernel<Factory> kernel{factory, y, {}, t_end, false, settings, counts};
  par_for(label, space, 0, static_cast<Index>(y.extent(0)), kernel);
}

// Totals over the zones of a StiffCounts (four small reductions; the host waits for them).
struct StiffSummary {
  Index zones = 0;
  Index failed = 0;         // zones with status != success
  long long steps = 0;      // accepted steps, all zones
  long long rejections = 0; // rejected trial steps, all zones
  int max_zone_steps = 0;   // the most accepted steps of one zone
};

inline StiffSummary summarize(const StiffCounts& counts)
{
  StiffSummary s;
  s.zones = static_cast<Index>(counts.status.extent(0));
  const auto status = counts.status;
  const auto steps = counts.steps;
  const auto rejections = counts.rejections;
  par_reduce(
      "nn::stiff::count_failed", s.zones,
      KOKKOS_LAMBDA(Index z, Index & sum) { sum += status(z) != static_cast<int>(StiffStatus::success) ? 1 : 0; },
      s.failed);
  par_reduce("nn::stiff::count_steps", s.zones, KOKKOS_LAMBDA(Index z, long long& sum) { sum += steps(z); }, s.steps);
  par_reduce(
      "nn::stiff::count_rejections", s.zones, KOKKOS_LAMBDA(Index z, long long& sum) { sum += rejections(z); },
      s.rejections);
  par_reduce(
      "nn::stiff::max_steps", s.zones, KOKKOS_LAMBDA(Index z, int& most) { most = steps(z) > most ? steps(z) : most; },
      Kokkos::Max<int>(s.max_zone_steps));
  return s;
}

// "success", "max_steps", ...: a StiffStatus in words, for messages.
inline const char* to_string(StiffStatus status)
{
  switch (status) {
  case StiffStatus::success: return "success";
  case StiffStatus::max_steps: return "max_steps";
  case StiffStatus::step_underflow: return "step_underflow";
  case StiffStatus::non_finite: return "non_finite";
  case StiffStatus::invalid_input: return "invalid_input";
  }
  return "unknown";
}

} // namespace tessera::nn
