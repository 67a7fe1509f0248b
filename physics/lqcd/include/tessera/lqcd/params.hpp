#pragma once
// Parameters of a tessera-lqcd run and the input keys that set them (tessera-lqcd
// --help-input prints them; docs/lqcd.md explains them).

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/lqcd/hmc.hpp"

namespace tessera::lqcd {

enum class Mode { hmc, measure, invert };

struct Params {
  Mode mode = Mode::hmc;
  std::array<int, dims> lattice{8, 8, 8, 8};
  std::array<int, dims> ranks{}; // 0: chosen by Tessera
  std::string start = "cold";    // cold | hot | file
  std::filesystem::path config;  // NERSC file (start = file; measure and invert)
  HmcParams hmc;
  int trajectories = 100;
  int thermalisation = 20;        // trajectories before measurements are averaged
  int measure_interval = 1;       // measurements every n trajectories
  int reversibility_interval = 0; // a reversibility test every n trajectories (0: never)
  // Wilson flow and topological charge (measure mode, and hmc every flow_interval)
  int flow_interval = 0; // 0: never in hmc mode
  double flow_step = 0.02;
  double flow_time = 1.0;
  // Propagators (invert mode)
  std::array<int, dims> source{};
  // Output
  int checkpoint_interval = 10; // trajectories
  int save_interval = 0;        // NERSC configuration every n trajectories; 0: only the last
  bool save_config = true;
  std::filesystem::path output_dir = ".";
};

ConfigSchema schema();
// Reads and cross-checks the keys (throws InputError naming the key).
Params params_from(const Config& config, const std::filesystem::path& output_dir);

const char* name(Mode mode);
// "8x8x8x16" -> {8, 8, 8, 16}; throws InputError naming `key`.
std::array<int, dims> parse_extents(const std::string& text, const std::string& key, bool zero_allowed);

} // namespace tessera::lqcd
