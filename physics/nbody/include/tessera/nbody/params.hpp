#pragma once
// Parameters of an N-body run and the input keys that set them (tessera-nbody --help-input).

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"

namespace tessera::nbody {

enum class Integrator { hermite_block, hermite_shared, leapfrog };
enum class Precision { fp64, fp32 };

struct Params {
  // Initial conditions
  std::string ic = "plummer";    // plummer | hdf5 | text
  std::filesystem::path ic_file; // for hdf5 / text
  std::int64_t n = 16384;
  std::uint64_t seed = 1;
  std::string mass_spectrum = "equal";          // equal | kroupa
  double kroupa_min = 0.08, kroupa_max = 100.0; // solar masses, before normalising to M = 1
  bool standard_units = true;                   // rescale to E = -1/4, virial ratio 1/2 exactly
  // Gravity
  double softening = 1.0 / 1024; // Plummer softening length eps (0 allowed)
  // Integration
  Integrator integrator = Integrator::hermite_block;
  Precision precision = Precision::fp64; // leapfrog only; Hermite is always FP64
  double eta = 0.02;                     // Aarseth accuracy parameter (inside the square root)
  double eta_start = 0.01;               // start-up step: eta_start * |a| / |jerk|
  double dt_max = 1.0 / 64;              // largest block step (a power of two)
  double dt_min = std::ldexp(1.0, -40);
  double dt_fixed = 0.0; // > 0: shared step of this size (Hermite shared, leapfrog)
  double t_end = 1.0;
  // Output
  double output_interval = 0.125; // diagnostics and snapshots (a multiple of dt_max)
  bool snapshots = true;
  double checkpoint_interval = 0.0; // simulated time; 0: only at the end
  std::filesystem::path output_dir = ".";
  // Kernel tuning (defaults per backend)
  int tile = 0;      // j-particles per scratch tile; 0: backend default
  int team_size = 0; // threads per team; 0: backend default
  int j_split = 0;   // teams sharing one i-block's j-loop; 0: automatic, 1: never split
};

ConfigSchema schema();
// Reads and cross-checks the keys (throws InputError naming the key).
Params params_from(const Config& config, const std::filesystem::path& output_dir);

const char* name(Integrator integrator);

} // namespace tessera::nbody
