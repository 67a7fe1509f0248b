// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters of a tessera-lqcd run and the input keys that set them (tessera-lqcd
// --help-input prints them; docs/lqcd.md explains them). Every default lives in schema();
// params_from fills every field from a Config.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/core/simulation.hpp"
#include "tessera/lqcd/hmc.hpp"

namespace tessera::lqcd {

enum class Mode { hmc, measure, invert };

struct Params {
  Mode mode;
  std::array<int, dims> lattice;
  std::array<int, dims> ranks;  // 0: chosen by Tessera
  std::string start;            // cold | hot | file
  std::filesystem::path config; // NERSC file (start = file; measure and invert)
  HmcParams hmc;
  int trajectories;
  int thermalisation;         // trajectories before measurements are averaged
  int measure_interval;       // measurements every n trajectories
  int reversibility_interval; // a reversibility test every n trajectories (0: never)
  // Wilson flow and topological charge (measure mode, and hmc every flow_interval)
  int flow_interval; // 0: never in hmc mode
  double flow_step;
  double flow_time;
  // Propagators (invert mode)
  std::array<int, dims> source;
  // The last configuration of the chain as a NERSC file (output.interval writes the others).
  bool save_config;
};

ConfigSchema schema();
// Reads and cross-checks the keys (throws InputError naming the key and, through
// Config::where, where its value came from: the deck or the command-line override).
Params params_from(const Config& config);
// The HMC's progress unit: trajectories, counted.
ProgressUnit unit();

const char* name(Mode mode);
// "8x8x8x16" -> {8, 8, 8, 16}; throws InputError "<label> = '<text>': expected ...", where
// `label` names the key (params_from passes "<where>: key 'lattice.size'").
std::array<int, dims> parse_extents(const std::string& text, const std::string& label, bool zero_allowed);

} // namespace tessera::lqcd
