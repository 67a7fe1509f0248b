// SPDX-License-Identifier: Apache-2.0
#pragma once
// Diagnostics of the particle system, computed on the device and reduced over ranks:
// energies (the potential from a fresh direct sum at the current positions), angular
// momentum, centre of mass, virial ratio and Lagrangian radii.

#include <array>
#include <string>

#include <nlohmann/json.hpp>

#include "tessera/core/simulation.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

struct Energies {
  double kinetic = 0, potential = 0;
  double total() const { return kinetic + potential; }
};

struct CentreOfMass {
  std::array<double, 3> position{}, velocity{};
  double mass = 0;
};

struct Diagnostics {
  double time = 0;
  Energies energy;
  double relative_energy_error = 0; // (E - E0) / |E0|
  std::array<double, 3> angular_momentum{};
  CentreOfMass com;
  double virial_ratio = 0;                  // K / |W| (1/2 in equilibrium)
  std::array<double, 4> lagrangian_radii{}; // radii holding 1, 10, 50, 90% of the mass
  nlohmann::json to_json() const;
};

Energies energies(const Comm& comm, const State& state, double softening);
CentreOfMass centre_of_mass(const Comm& comm, const State& state);
std::array<double, 3> angular_momentum(const Comm& comm, const State& state);
// About the centre of mass. The radii are sorted on rank 0 (gathered at output times).
std::array<double, 4> lagrangian_radii(const Comm& comm, const State& state, const CentreOfMass& com);

Diagnostics diagnose(const Comm& comm, const State& state, double softening, double initial_energy);

// One row of the diagnostics table (diagnostics.dat).
DiagnosticsRow table_row(const Diagnostics& d);

} // namespace tessera::nbody
