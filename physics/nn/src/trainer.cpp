// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/trainer.hpp"

#include <numeric>

namespace tessera::nn {

std::vector<Index> epoch_order(Index n, std::uint64_t seed, std::int64_t epoch, bool shuffle)
{
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  if (!shuffle) return order;
  RandomDraws rng(seed, shuffle_stream, static_cast<std::uint64_t>(epoch));
  for (Index i = n - 1; i > 0; --i) {
    const auto j = static_cast<Index>(rng.below(static_cast<std::uint32_t>(i + 1)));
    std::swap(order[i], order[j]);
  }
  return order;
}

} // namespace tessera::nn
