// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters of an N-body run and the input keys that set them (tessera-nbody --help-input).

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/core/simulation.hpp"

namespace tessera::nbody {

enum class Integrator { hermite_block, hermite_shared, leapfrog };
enum class Precision { fp64, fp32 };

// Every field comes from the input keys (schema() holds the defaults; nothing here does).
struct Params {
  // Initial conditions
  std::string ic;                // plummer | hdf5 | text
  std::filesystem::path ic_file; // for hdf5 / text
  std::int64_t n;
  std::uint64_t seed;
  std::string mass_spectrum; // equal | kroupa
  double kroupa_min, kroupa_max;
  bool standard_units; // rescale to E = -1/4, virial ratio 1/2 exactly
  // Gravity
  double softening; // Plummer softening length eps (0 allowed)
  // Integration
  Integrator integrator;
  Precision precision; // leapfrog only; Hermite is always FP64
  double eta;          // Aarseth accuracy parameter (inside the square root)
  double eta_start;    // start-up step: eta_start * |a| / |jerk|
  double dt_max;       // largest block step (a power of two)
  double dt_min;
  double dt_fixed; // > 0: shared step of this size (Hermite shared, leapfrog)
  double t_end;
  double max_energy_error; // |dE/E0| past which a diagnostics row ends the run (0: no limit)
  // Output
  bool snapshots; // an HDF5 snapshot at every output
  // Kernel tuning (0: the backend's default)
  int tile;      // j-particles per scratch tile
  int team_size; // threads per team
  int j_split;   // teams sharing one i-block's j-loop; 1: never split
};

ConfigSchema schema();
// Reads and cross-checks the keys (throws InputError naming the key).
Params params_from(const Config& config);

const char* name(Integrator integrator);
// tessera-nbody counts its progress in simulated time (N-body units).
ProgressUnit unit();

} // namespace tessera::nbody
