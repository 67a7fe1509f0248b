// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers of the N-body tests: a Plummer sphere's params and the energy error of the
// simulation tessera-nbody runs.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/nbody/diagnostics.hpp"
#include "tessera/nbody/simulation.hpp"

namespace tessera::nbody::testing {

// A Plummer sphere of n stars (seed 7, eps = 1e-3, dt_max = 1/64) and any further keys.
inline Params plummer_params(std::int64_t n, double eta, std::vector<std::string> more = {})
{
  more.insert(more.begin(), {fmt::format("ic.n={}", n), "ic.seed=7", "gravity.softening=1e-3",
                             fmt::format("integrator.eta={}", eta), "integrator.dt_max=0.015625"});
  return params_for<Simulation>(more);
}

// The simulation tessera-nbody runs, integrated to t; returns |dE/E0|.
inline double energy_error(const Comm& comm, Simulation& sim, const Params& p, double t)
{
  const double e0 = sim.initial_energy();
  while (sim.position() < t * (1 - 1e-14))
    sim.advance(t);
  return std::abs(energies(comm, sim.state(), p.softening).total() - e0) / std::abs(e0);
}

} // namespace tessera::nbody::testing
