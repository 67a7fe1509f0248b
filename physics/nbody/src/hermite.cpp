// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/hermite.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::nbody {

namespace {

KOKKOS_INLINE_FUNCTION double norm(double x, double y, double z)
{
  return Kokkos::sqrt(x * x + y * y + z * z);
}

// The largest power of two <= dt that is <= dt_max (dt_max itself a power of two).
KOKKOS_INLINE_FUNCTION double block_step_below(double dt, double dt_max)
{
  double step = dt_max;
  while (step > dt && step > 0x1.0p-60)
    step *= 0.5;
  return step;
}

} // namespace

Hermite::Hermite(const Comm& comm, State& state, const Params& params)
    : comm_(&comm), state_(&state), params_(params),
      gravity_(comm, state.local(), params.softening, ForceConfig{params.team_size, params.tile, params.j_split}),
      xp_("nbody::x_predicted", state.local()), vp_("nbody::v_predicted", state.local()),
      active_("nbody::active", state.local()), new_forces_("nbody::new_forces", state.local(), 7)
{
}

void Hermite::start()
{
  State& s = *state_;
  // Everything at t = time, all particles active.
  Kokkos::deep_copy(xp_, s.x);
  Kokkos::deep_copy(vp_, s.v);
  const Index n = s.local();
  gravity_.compute(xp_, vp_, s.m, View<Index*>(), n, new_forces_);
  s.interactions += gravity_.last_interactions();
  const auto a = s.a;
  const auto jerk = s.j;
  const auto pot = s.pot;
  const auto t = s.t;
  const auto dt = s.dt;
  const auto f = new_forces_;
  const double eta_start = params_.eta_start, dt_max = params_.dt_max, time = s.time;
  const bool block = params_.integrator == Integrator::hermite_block;
  par_for(
      "nbody::hermite_start", n, KOKKOS_LAMBDA(Index i) {
        for (int d = 0; d < 3; ++d) {
          a(i, d) = f(i, d);
          jerk(i, d) = f(i, 3 + d);
        }
        pot(i) = f(i, 6);
        const double amag = norm(a(i, 0), a(i, 1), a(i, 2)), jmag = norm(jerk(i, 0), jerk(i, 1), jerk(i, 2));
        const double raw = jmag > 0 ? eta_start * amag / jmag : dt_max;
        dt(i) = block ? block_step_below(raw, dt_max) : Kokkos::min(raw, dt_max);
        t(i) = time;
      });
  if (params_.integrator == Integrator::hermite_shared) share_step(params_.t_end);
}

double Hermite::next_time(double t_stop) const
{
  const auto t = state_->t, dt = state_->dt;
  double earliest = t_stop;
  par_reduce(
      "nbody::next_time", state_->local(), KOKKOS_LAMBDA(Index i, double& m) { m = Kokkos::min(m, t(i) + dt(i)); },
      Kokkos::Min<double>(earliest));
  return comm_->min(earliest);
}

Index Hermite::gather_active(double t_next)
{
  const auto t = state_->t, dt = state_->dt;
  const auto active = active_;
  Index count = 0;
  // Block times are dyadic fractions: t + dt == t_next is exact.
  par_scan(
      "nbody::gather_active", state_->local(),
      KOKKOS_LAMBDA(Index i, Index & slot, bool final) {
        if (t(i) + dt(i) == t_next) {
          if (final) active(slot) = i;
          ++slot;
        }
      },
      count);
  return count;
}

void Hermite::predict(double t_next)
{
  const State& s = *state_;
  const auto x = s.x;
  const auto v = s.v;
  const auto a = s.a;
  const auto jerk = s.j;
  const auto t = s.t;
  const auto xp = xp_;
  const auto vp = vp_;
  par_for(
      "nbody::predict", s.local(), KOKKOS_LAMBDA(Index i) {
        const double h = t_next - t(i);
        for (int d = 0; d < 3; ++d) {
          xp(i, d) = x(i, d) + h * (v(i, d) + h * (0.5 * a(i, d) + h * jerk(i, d) / 6.0));
          vp(i, d) = v(i, d) + h * (a(i, d) + 0.5 * h * jerk(i, d));
        }
      });
}

void Hermite::correct(double t_next, Index n_active)
{
  State& s = *state_;
  const auto x = s.x;
  const auto v = s.v;
  const auto a = s.a;
  const auto jerk = s.j;
  const auto pot = s.pot;
  const auto t = s.t;
  const auto dt = s.dt;
  const auto xp = xp_;
  const auto vp = vp_;
  const auto active = active_;
  const auto f = new_forces_;
  const double eta = params_.eta, dt_max = params_.dt_max, dt_min = params_.dt_min;
  const bool block = params_.integrator == Integrator::hermite_block;
  int too_small = 0;
  par_reduce(
      "nbody::correct", n_active,
      KOKKOS_LAMBDA(Index k, int& underflow) {
        const Index i = active(k);
        const double h = t_next - t(i);
        double a2[3], a3[3], a1n[3], a2n[3];
        for (int d = 0; d < 3; ++d) {
          const double a0 = a(i, d), j0 = jerk(i, d), a1 = f(k, d), j1 = f(k, 3 + d);
          // Hermite interpolation: second and third derivatives of a at the start of the step.
          a2[d] = (-6.0 * (a0 - a1) - h * (4.0 * j0 + 2.0 * j1)) / (h * h);
          a3[d] = (12.0 * (a0 - a1) + 6.0 * h * (j0 + j1)) / (h * h * h);
          x(i, d) = xp(i, d) + h * h * h * h * (a2[d] / 24.0 + h * a3[d] / 120.0);
          v(i, d) = vp(i, d) + h * h * h * (a2[d] / 6.0 + h * a3[d] / 24.0);
          a(i, d) = a1;
          jerk(i, d) = j1;
          a1n[d] = j1;
          a2n[d] = a2[d] + h * a3[d]; // at the end of the step
        }
        pot(i) = f(k, 6);
        t(i) = t_next;
        const double amag = norm(a(i, 0), a(i, 1), a(i, 2)), a1mag = norm(a1n[0], a1n[1], a1n[2]);
        const double a2mag = norm(a2n[0], a2n[1], a2n[2]), a3mag = norm(a3[0], a3[1], a3[2]);
        const double denominator = a1mag * a3mag + a2mag * a2mag;
        const double raw = denominator > 0 ? Kokkos::sqrt(eta * (amag * a2mag + a1mag * a1mag) / denominator) : dt_max;
        if (block) {
          // Halve as needed; double only where the new time is a multiple of the doubled step.
          double next = dt(i);
          while (next > raw && next > dt_min)
            next *= 0.5;
          if (raw >= 2.0 * next && 2.0 * next <= dt_max && Kokkos::fmod(t_next, 2.0 * next) == 0.0) next *= 2.0;
          dt(i) = next;
          if (next < dt_min) ++underflow;
        } else {
          dt(i) = Kokkos::min(raw, dt_max);
        }
      },
      too_small);
  if (comm_->max(too_small) > 0) {
    throw Error(ExitCode::failure, fmt::format("time step below integrator.dt_min = {:g} at t = {:.9g} (a close "
                                               "encounter: increase gravity.softening or lower integrator.dt_min)",
                                               dt_min, t_next));
  }
}

// Shared step: every particle takes the smallest step any particle wants (or dt_fixed),
// trimmed so that the run lands exactly on t_stop.
void Hermite::share_step(double t_stop)
{
  State& s = *state_;
  const auto dt = s.dt;
  double smallest = params_.dt_max;
  par_reduce(
      "nbody::shared_step", s.local(), KOKKOS_LAMBDA(Index i, double& m) { m = Kokkos::min(m, dt(i)); },
      Kokkos::Min<double>(smallest));
  double shared = params_.dt_fixed > 0 ? params_.dt_fixed : comm_->min(smallest);
  if (s.time + shared > t_stop) shared = t_stop - s.time;
  Kokkos::deep_copy(dt, shared);
}

Index Hermite::step(double t_stop)
{
  State& s = *state_;
  if (params_.integrator == Integrator::hermite_shared) share_step(t_stop);
  const double t_next = next_time(t_stop + params_.dt_max);
  const Index n_active = gather_active(t_next);
  predict(t_next);
  gravity_.compute(xp_, vp_, s.m, active_, n_active, new_forces_);
  s.interactions += gravity_.last_interactions();
  correct(t_next, n_active);
  s.time = t_next;
  ++s.steps;
  return n_active;
}

// ---------------------------------------------------------------------------------------

Leapfrog::Leapfrog(const Comm& comm, State& state, const Params& params)
    : state_(&state), params_(params),
      gravity64_(comm, params.precision == Precision::fp64 ? state.local() : 0, params.softening,
                 ForceConfig{params.team_size, params.tile, params.j_split}),
      gravity32_(comm, params.precision == Precision::fp32 ? state.local() : 0, params.softening,
                 ForceConfig{params.team_size, params.tile, params.j_split}),
      acc_("nbody::leapfrog_acc", state.local(), 3)
{
}

void Leapfrog::accelerations()
{
  State& s = *state_;
  if (params_.precision == Precision::fp32) {
    gravity32_.compute(s.x, s.v, s.m, View<Index*>(), s.local(), acc_);
    s.interactions += gravity32_.last_interactions();
  } else {
    gravity64_.compute(s.x, s.v, s.m, View<Index*>(), s.local(), acc_);
    s.interactions += gravity64_.last_interactions();
  }
  const auto a = s.a;
  const auto acc = acc_;
  par_for(
      "nbody::leapfrog_store_acc", s.local(), KOKKOS_LAMBDA(Index i) {
        for (int d = 0; d < 3; ++d)
          a(i, d) = acc(i, d);
      });
}

void Leapfrog::start()
{
  accelerations();
}

Index Leapfrog::step(double t_stop)
{
  State& s = *state_;
  const double dt = Kokkos::min(params_.dt_fixed, t_stop - s.time);
  const auto x = s.x;
  const auto v = s.v;
  const auto a = s.a;
  const auto t = s.t;
  par_for(
      "nbody::kick_drift", s.local(), KOKKOS_LAMBDA(Index i) {
        for (int d = 0; d < 3; ++d) {
          v(i, d) += 0.5 * dt * a(i, d);
          x(i, d) += dt * v(i, d);
        }
      });
  accelerations();
  const double t_new = s.time + dt;
  par_for(
      "nbody::kick", s.local(), KOKKOS_LAMBDA(Index i) {
        for (int d = 0; d < 3; ++d)
          v(i, d) += 0.5 * dt * a(i, d);
        t(i) = t_new;
      });
  s.time = t_new;
  ++s.steps;
  return s.local();
}

} // namespace tessera::nbody
