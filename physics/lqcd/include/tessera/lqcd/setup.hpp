// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every mode of tessera-lqcd starts with: the lattice over the ranks, checked to fit in
// memory, and its first links.

#include <nlohmann/json.hpp>

#include "tessera/lqcd/gauge.hpp"
#include "tessera/lqcd/params.hpp"

namespace tessera::lqcd {

// Refuses (InputError) a lattice whose fields would not fit in the memory of every rank,
// then logs how it is split over the ranks.
void check_lattice(const Decomposition& d, const Params& p);

// The first links: unit (gauge.start = cold), Haar-random (hot, from hmc.seed) or read from
// gauge.file (start = file, and always in the measure and invert modes).
Links initial_links(const Decomposition& d, const Params& p);

// The mode, the lattice and the rank grid, for the summary of every mode.
nlohmann::json describe(const Decomposition& d, const Params& p);

} // namespace tessera::lqcd
