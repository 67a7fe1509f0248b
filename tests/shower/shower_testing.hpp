// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared set-up of the parton-shower tests: parameters from the input schema (so tests run
// what users run) and one batch of showered events copied to the host.

#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/shower/generator.hpp"
#include "tessera/shower/simulation.hpp"

namespace tessera::shower::testing {

inline Params test_params(const std::vector<std::string>& overrides = {})
{
  return params_for<Simulation>(overrides);
}

struct HostEvents {
  View<Parton**>::host_mirror_type partons; // the device layout: index as (event, parton)
  View<int*>::host_mirror_type n, status, flavour, trials;
  View<double*>::host_mirror_type weight, cos_theta, first_t, first_z;
};

// Events [first, first + count) of the input keys `overrides` as one batch, showered (not
// analysed): the shower's pieces, for tests of single events.
inline HostEvents shower_events(std::vector<std::string> overrides, std::int64_t first, std::int64_t count)
{
  overrides.push_back(fmt::format("events.batch={}", count));
  const auto p = test_params(overrides);
  Generator generator(p.generator, HistogramBook(standard_histograms()));
  generator.start(first, count);
  generator.shower(count);
  const auto& b = generator.batch();
  return {host_copy(b.partons), host_copy(b.n),         host_copy(b.status),  host_copy(b.flavour), host_copy(b.trials),
          host_copy(b.weight),  host_copy(b.cos_theta), host_copy(b.first_t), host_copy(b.first_z)};
}

} // namespace tessera::shower::testing
