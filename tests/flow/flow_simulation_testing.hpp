// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared set-up of the tessera-flow simulation tests: the params of a small run from its
// keys, running a simulation unit by unit, and its results without the timings.

#include <map>
#include <string>
#include <vector>

#include "tessera/flow/simulation.hpp"

namespace tessera::flow::testing {

// A small run of every mode (4 x 4 lattice, 2 coupling layers of hidden width 4, a few units of
// each phase, no model file), with `more` keys replacing or adding to these.
inline Params small_run(const std::vector<std::string>& more = {})
{
  std::map<std::string, std::string> keys = {
      {"lattice.size", "4"},
      {"model.coupling_layers", "2"},
      {"model.hidden_channels", "4"},
      {"train.steps", "4"},
      {"train.batch", "8"},
      {"sample.proposals", "64"},
      {"sample.batch", "16"},
      {"metropolis.chains", "4"},
      {"metropolis.thermalisation", "2"},
      {"metropolis.sweeps", "4"},
      {"hmc.chains", "4"},
      {"hmc.thermalisation", "2"},
      {"hmc.trajectories", "4"},
      {"hmc.steps", "4"},
      {"output.model", ""},
  };
  for (const auto& k : more) {
    const auto eq = k.find('=');
    keys[k.substr(0, eq)] = k.substr(eq + 1);
  }
  std::vector<std::string> overrides;
  for (const auto& [key, value] : keys)
    overrides.push_back(key + "=" + value);
  return params_for<Simulation>(overrides);
}

// `units` units of work (all that are left when negative).
inline void run_units(Simulation& sim, int units = -1)
{
  for (int done = 0; (units < 0 || done < units) && sim.position() < sim.end(); ++done) {
    sim.advance(sim.end());
    sim.check();
  }
}

// The results' JSON without the wall-clock times (keys with "second" in their name).
inline nlohmann::json without_timings(nlohmann::json j)
{
  if (!j.is_object()) return j;
  nlohmann::json out = nlohmann::json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key().find("second") == std::string::npos) out[it.key()] = without_timings(it.value());
  }
  return out;
}

} // namespace tessera::flow::testing
