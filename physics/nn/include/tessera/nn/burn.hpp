// SPDX-License-Identifier: Apache-2.0
#pragma once
// burn(): every zone of a batch burns carbon for one time step dt at its own fixed density,
// through the network of carbon_network.hpp and the RODAS3 integrator of
// stiff_integrator.hpp. This is the reference the training data of the surrogate comes from
// (docs/reactions.md).

#include "tessera/core/loops.hpp"
#include "tessera/nn/stiff_integrator.hpp"

namespace tessera::nn {

// From the network.* keys of tessera-reactions (reactions_params.hpp), which hold the defaults.
struct BurnSettings {
  double rtol;   // relative local-error tolerance (every component, T included)
  double atol;   // absolute tolerance: mass fractions below it are not resolved
  int max_steps; // attempted steps per zone before the zone is flagged
};

// Per-zone results of burn(). Zones whose status is not success hold NaN in x12, x24,
// temperature and eps_avg, so they cannot be mistaken for data.
struct BurnResult {
  View<double*> x12;         // 12C mass fraction at dt
  View<double*> x24;         // 24Mg mass fraction at dt
  View<double*> temperature; // K, at dt
  View<double*> eps_avg;     // erg/g/s: energy released over the step / dt
  StiffCounts counts;        // status (StiffStatus), accepted steps, rejections per zone
  StiffSummary summary;      // failed zones, total steps and rejections
};

// Burns every zone z from (density(z) g/cm^3, temperature(z) K, X12 = x12(z), X24 = 1 -
// x12(z)) for dt seconds. The three Views have one entry per zone. Throws
// std::invalid_argument when their extents differ or dt is not positive and finite; a zone
// with unusable conditions (NaN, density <= 0, T <= 0, X12 outside [0, 1]) is flagged
// (StiffStatus::invalid_input), not thrown.
BurnResult burn(const ExecSpace& space, const View<const double*>& density, const View<const double*>& temperature,
                const View<const double*>& x12, double dt, const BurnSettings& settings);
BurnResult burn(const View<const double*>& density, const View<const double*>& temperature,
                const View<const double*>& x12, double dt, const BurnSettings& settings);

} // namespace tessera::nn
