// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared set-up of the flow tests: random batches of fields, batches from host values and host
// copies of them.

#include <vector>

#include "tessera/core/rng.hpp"
#include "tessera/nn/lattice_field.hpp"

namespace tessera::flow::testing {

// n values ~ N(0, width^2) drawn from (seed, item = index), on the device.
template <class T>
nn::FieldBatch<T> random_batch(Index n, std::uint64_t seed, double width = 1)
{
  nn::FieldBatch<T> phi("random", static_cast<std::size_t>(n));
  auto host = Kokkos::create_mirror_view(phi);
  for (Index i = 0; i < n; ++i) {
    RandomDraws rng(seed, 9, static_cast<std::uint64_t>(i));
    host(i) = static_cast<T>(width * rng.normal());
  }
  Kokkos::deep_copy(phi, host);
  return phi;
}

// The values on the device, as T.
template <class T = double>
nn::FieldBatch<T> device_batch(const std::vector<double>& values)
{
  nn::FieldBatch<T> out("batch", values.size());
  auto host = Kokkos::create_mirror_view(out);
  for (std::size_t i = 0; i < values.size(); ++i)
    host(i) = static_cast<T>(values[i]);
  Kokkos::deep_copy(out, host);
  return out;
}

template <class V>
std::vector<double> host_values(const V& view)
{
  const auto host = host_copy(view);
  return std::vector<double>(host.data(), host.data() + host.size());
}

} // namespace tessera::flow::testing
