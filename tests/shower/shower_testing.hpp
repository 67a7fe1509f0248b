#pragma once
// Shared set-up of the parton-shower tests: parameters from the input schema (so tests run
// what users run) and one batch of showered events copied to the host.

#include <optional>
#include <string>
#include <vector>

#include "tessera/core/config.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/params.hpp"

namespace tessera::shower::testing {

inline Params test_params(const std::vector<std::string>& overrides = {})
{
  return params_from(Config::load(schema(), std::nullopt, overrides), ".");
}

struct HostEvents {
  View<Parton**>::host_mirror_type partons; // the device layout: index as (event, parton)
  View<int*>::host_mirror_type n, status, flavour, trials;
  View<double*>::host_mirror_type weight, cos_theta, first_t, first_z;
};

// Events [first, first + count) as one batch, showered (not analysed).
inline HostEvents shower_events(Params p, std::int64_t first, std::int64_t count)
{
  p.generator.batch_size = count;
  Generator generator(p.generator, HistogramBook(standard_histograms()));
  generator.start(first, count);
  generator.shower(count);
  const auto& b = generator.batch();
  return {host_copy(b.partons), host_copy(b.n),         host_copy(b.status),  host_copy(b.flavour), host_copy(b.trials),
          host_copy(b.weight),  host_copy(b.cos_theta), host_copy(b.first_t), host_copy(b.first_z)};
}

} // namespace tessera::shower::testing
