#pragma once
// Parameters of a parton-shower run and the input keys that set them
// (tessera-shower --help-input; docs/shower.md).

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/shower/generator.hpp"

namespace tessera::shower {

struct Params {
  std::int64_t events = 1000000;
  GeneratorSettings generator; // hard process, shower, batching
  double alpha_s_mz = 0.118;
  std::string running = "two_loop"; // two_loop | fixed
  std::filesystem::path output_dir = ".";
  std::string yoda = "shower.yoda"; // file names inside output_dir ("" : not written)
  std::string hdf5 = "shower.h5";
  std::int64_t hepmc_events = 0;       // the first events as HepMC3 ASCII in events.hepmc3
  double max_overflow_fraction = 1e-3; // more events than this hitting max_partons: error
  double checkpoint_interval = 600;    // wall-clock seconds between checkpoints (0: only on SIGTERM)
};

ConfigSchema schema();

// Reads and cross-checks the keys (throws InputError naming the key).
Params params_from(const Config& config, const std::filesystem::path& output_dir);

// The backend's default batch and pass length (GPU: large batches, short passes).
std::int64_t default_batch_size();
int default_trials_per_pass();

} // namespace tessera::shower
