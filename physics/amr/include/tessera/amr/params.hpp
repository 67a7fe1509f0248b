#pragma once
// Parameters of an AMR run and the input keys that set them (tessera-amr --help-input).

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/amr/ghost_exchange.hpp"
#include "tessera/amr/hydro.hpp"
#include "tessera/amr/mesh.hpp"
#include "tessera/amr/refinement.hpp"
#include "tessera/core/config.hpp"

namespace tessera::amr {

struct Params {
  MeshShape shape;
  BoundaryConditions boundaries{};
  HydroParams hydro;
  RefinementParams refinement;
  std::string problem = "sedov";
  double t_end = 0.1;
  std::int64_t max_steps = 0; // 0: no limit
  int log_interval = 10;      // steps between progress lines
  // Output (simulated time; 0: never, except the final checkpoint)
  double plot_interval = 0.0;
  int history_interval = 1; // steps between rows of the history file (0: never)
  double checkpoint_interval = 0.0;
  std::filesystem::path output_dir = ".";
};

// Every key, the registered problems' keys included (register problems before calling it).
ConfigSchema schema();
// Reads and cross-checks the keys (throws InputError naming the key).
Params params_from(const Config& config, const std::filesystem::path& output_dir);

// The keys that fix the physics and the mesh: a checkpoint restarts only under the same ones.
std::string physics_fingerprint(const Config& config);

} // namespace tessera::amr
