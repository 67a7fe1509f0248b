// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared set-up of the neural-network tests: models from an architecture string, random
// column-major data, parameter access from the host, the params of the keys.

#include <string>
#include <vector>

#include "tessera/core/rng.hpp"
#include "tessera/nn/mlp_simulation.hpp"
#include "tessera/nn/model.hpp"

namespace tessera::nn::testing {

// What tessera-mlp reads from these keys (and the defaults): the optimiser and trainer
// settings of a test come from the same keys as a run's.
inline MlpParams keys(const std::vector<std::string>& overrides)
{
  return params_for<MlpSimulation>(overrides);
}

inline Architecture architecture(int inputs, const std::string& layers)
{
  Architecture a;
  a.inputs = inputs;
  a.layers = parse_layers(layers, "test");
  return a;
}

// A rows x cols matrix of uniform numbers in (lo, hi) drawn from (seed, item).
template <class T>
Matrix<T> random_matrix(Index rows, Index cols, std::uint64_t item, double lo = -1, double hi = 1)
{
  Matrix<T> m("random", rows, cols);
  auto host = Kokkos::create_mirror_view(m);
  RandomDraws rng(99, 3, item);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i)
      host(i, j) = static_cast<T>(rng.uniform(lo, hi));
  Kokkos::deep_copy(m, host);
  return m;
}

// Columns that are probability vectors (for cce and kl targets).
template <class T>
Matrix<T> random_distributions(Index rows, Index cols, std::uint64_t item)
{
  auto m = random_matrix<T>(rows, cols, item, 0.05, 1.0);
  auto host = host_copy(m);
  for (Index j = 0; j < cols; ++j) {
    T sum = 0;
    for (Index i = 0; i < rows; ++i)
      sum += host(i, j);
    for (Index i = 0; i < rows; ++i)
      host(i, j) /= sum;
  }
  Kokkos::deep_copy(m, host);
  return m;
}

template <class T>
std::vector<T> host_vector(const Kokkos::View<T*, MemSpace>& v)
{
  auto h = host_copy(v);
  return std::vector<T>(h.data(), h.data() + h.extent(0));
}

template <class T>
void set_parameter(Model<T>& model, std::size_t i, T value)
{
  Kokkos::deep_copy(Kokkos::subview(model.parameters(), i), value);
}

} // namespace tessera::nn::testing
