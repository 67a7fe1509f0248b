// SPDX-License-Identifier: Apache-2.0
#pragma once
// Initial conditions in Henon N-body units (G = M = 1, E = -1/4).

#include "tessera/nbody/params.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

// Plummer sphere (Aarseth, Henon & Wielen 1974): positions from the cumulative mass
// profile, speeds by von Neumann rejection from q^2 (1 - q^2)^(7/2), isotropic directions;
// radii beyond 22.8 scale lengths (99.9% of the mass) are redrawn. Each particle draws from
// its own counter-based stream (seed, id), so any backend and rank count gives the same
// sphere. Masses equal, or from a Kroupa (2001) IMF between kroupa_min and kroupa_max solar
// masses, normalised to M = 1. Then moved to the centre-of-mass frame and, with
// standard_units, rescaled so that E = -1/4 and the virial ratio K/|W| = 1/2 exactly (with
// the potential of the softened force, as integrated).
void plummer(const Comm& comm, State& state, const Params& params);

// Reads positions, velocities and masses from an HDF5 file (datasets `x` (N,3), `v` (N,3),
// `m` (N), optional `id`) or a text table (columns: m x y z vx vy vz; '#' comments).
// Throws InputError naming the file (and line) on a malformed or non-finite entry.
void read_initial_conditions(const Comm& comm, State& state, const Params& params);
// The number of particles in an IC file (for allocation).
std::int64_t count_particles(const Params& params);

// The particles at t = 0 on this rank: Plummer, or a file moved to standard units.
State initial_state(const Comm& comm, const Params& params);

// Moves to the centre-of-mass frame and rescales to E = -1/4, K/|W| = 1/2.
void to_standard_units(const Comm& comm, State& state, const Params& params);

} // namespace tessera::nbody
