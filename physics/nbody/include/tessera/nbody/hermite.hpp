// SPDX-License-Identifier: Apache-2.0
#pragma once
// Fourth-order Hermite predictor-corrector (Makino & Aarseth 1992) with
//   (a) hierarchical block time steps: each particle's step is a power of two, at most
//       dt_max, and a particle only steps at times that are multiples of its step; every
//       block step advances the particles whose t_i + dt_i is the earliest ("active"),
//       gathered on the device;
//   (b) a shared step: all particles advance together by min_i(dt_i) (adaptive) or by a
//       fixed dt (dt_fixed > 0).
//
// Step criterion (Aarseth 1985), with eta INSIDE the square root (NBODY6 convention; codes
// that put eta outside use eta' = sqrt(eta), e.g. eta = 0.02 here is eta' = 0.14 there):
//   dt_i = sqrt( eta * (|a| |a2| + |a1|^2) / (|a1| |a3| + |a2|^2) )
// with a1 the jerk, a2 and a3 the second and third derivatives of the acceleration at the
// end of the step (from the Hermite interpolation). First step: eta_start * |a| / |a1|.

#include "tessera/nbody/forces.hpp"
#include "tessera/nbody/params.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

class Hermite {
public:
  Hermite(const Comm& comm, State& state, const Params& params);

  // Forces and first steps at the current time (after initial conditions; a restart
  // skips this, the state already has them).
  void start();
  // One block (or shared) step; returns the number of active particles on this rank.
  Index step(double t_stop);

  Gravity<double, true>& gravity() { return gravity_; }

  // The phases of a step (public because CUDA allows device lambdas only in public members).
  double next_time(double t_stop) const;
  Index gather_active(double t_next);
  void predict(double t_next);
  void correct(double t_next, Index n_active);
  void share_step(double t_stop);

private:
  const Comm* comm_;
  State* state_;
  Params params_;
  Gravity<double, true> gravity_;
  View<double* [3]> xp_, vp_;      // predicted positions and velocities
  View<Index*> active_;            // local indices of the active particles
  ViewRight<double**> new_forces_; // (k, 7): a, jerk, pot of active particle k
};

// Kick-drift-kick leapfrog with acceleration only (FP32 or FP64 kernel), shared fixed step.
class Leapfrog {
public:
  Leapfrog(const Comm& comm, State& state, const Params& params);
  void start();
  Index step(double t_stop);
  void accelerations(); // public: it launches kernels (see Hermite)

private:
  State* state_;
  Params params_;
  Gravity<double, false> gravity64_;
  Gravity<float, false> gravity32_;
  ViewRight<double**> acc_;
};

} // namespace tessera::nbody
