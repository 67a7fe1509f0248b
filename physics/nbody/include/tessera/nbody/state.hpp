// SPDX-License-Identifier: Apache-2.0
#pragma once
// The particles of one rank: positions, velocities, masses, ids, and the Hermite state
// (acceleration, jerk, potential, own time and step of each particle).

#include <cstdint>

#include "tessera/core/comm.hpp"
#include "tessera/core/loops.hpp"

namespace tessera::nbody {

struct State {
  View<double* [3]> x, v; // position, velocity
  View<double*> m;        // mass
  View<std::int64_t*> id; // global particle number
  View<double* [3]> a, j; // acceleration and jerk at the particle's own time
  View<double*> pot;      // potential at the last force evaluation
  View<double*> t, dt;    // own time and (block) step
  double time = 0;        // the system time: every particle is at it after a full step
  std::int64_t n_global = 0;
  std::int64_t first = 0;        // global index of the first local particle
  std::int64_t steps = 0;        // block steps taken
  std::int64_t interactions = 0; // i-j pairs evaluated since the start (this rank's i)

  Index local() const { return static_cast<Index>(m.extent(0)); }
};

// Particles of rank r: the first N % size ranks hold one more.
State allocate(const Comm& comm, std::int64_t n_global);

} // namespace tessera::nbody
