// SPDX-License-Identifier: Apache-2.0
#pragma once
// An independence Metropolis-Hastings chain on proposals drawn from a model q of a target
// p ~ exp(-S): proposal phi' replaces the current phi with probability
//   min(1, q(phi) exp(-S(phi')) / (q(phi') exp(-S(phi)))) = min(1, w(phi') / w(phi)),
// w = exp(-S) / q, so the chain samples p exactly whatever the quality of q. The first
// proposal is always taken. The uniform draw of proposal k is keyed by (seed, stream, k):
// the chain is the same on any backend and rank count, and a restart continues it.
//
// The chain sees only the log weights, in proposal order; it answers, for each proposal,
// which proposal the chain stands on after it (the observables of a chain are those of the
// proposals it stands on, repeated while it rejects).

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tessera/core/rng.hpp"

namespace tessera::nn {

inline constexpr std::uint32_t independence_chain_stream = 0x4d48;

class IndependenceChain {
public:
  explicit IndependenceChain(std::uint64_t seed) : seed_(seed) {}

  // Feeds the log weights of proposals proposals() ... proposals() + size - 1; returns, for
  // each, the global index of the proposal the chain stands on after it.
  std::vector<std::int64_t> advance(const std::vector<double>& log_weights)
  {
    std::vector<std::int64_t> state(log_weights.size());
    for (std::size_t i = 0; i < log_weights.size(); ++i) {
      const double log_w = log_weights[i];
      RandomDraws rng(seed_, independence_chain_stream, static_cast<std::uint64_t>(proposals_));
      const double u = rng.uniform();
      // u < w'/w, written so that a first proposal or w' >= w is taken without the draw mattering.
      const bool take = current_ < 0 || log_w >= current_log_weight_ || std::log(u) < log_w - current_log_weight_;
      if (take) {
        if (current_ >= 0) ++accepted_;
        current_ = proposals_;
        current_log_weight_ = log_w;
      }
      state[i] = current_;
      ++proposals_;
    }
    return state;
  }

  std::int64_t proposals() const { return proposals_; }
  // Accepted proposals after the first (the first is the chain's start, not a move).
  std::int64_t accepted() const { return accepted_; }
  double acceptance() const
  {
    return proposals_ > 1 ? static_cast<double>(accepted_) / static_cast<double>(proposals_ - 1) : 0.0;
  }
  std::int64_t current() const { return current_; }
  double current_log_weight() const { return current_log_weight_; }

  // State for checkpoints.
  void restore(std::int64_t proposals, std::int64_t accepted, std::int64_t current, double current_log_weight)
  {
    proposals_ = proposals;
    accepted_ = accepted;
    current_ = current;
    current_log_weight_ = current_log_weight;
  }

private:
  std::uint64_t seed_;
  std::int64_t proposals_ = 0, accepted_ = 0, current_ = -1;
  double current_log_weight_ = -std::numeric_limits<double>::infinity();
};

} // namespace tessera::nn
