// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lattice split over MPI ranks: a 4-D Cartesian rank grid (core CartComm), this rank's
// Geometry, and the face buffers of the halo exchange (halo.hpp), kept between calls.

#include <array>
#include <memory>

#include "tessera/core/cart.hpp"
#include "tessera/lqcd/lattice.hpp"

namespace tessera::lqcd {

class Decomposition {
public:
  // ranks[mu] = 0 lets Tessera choose (the longest local extents are split first, time
  // before space). pad_everywhere gives every direction ghost layers even when it is not
  // split, so that tests can run the halo exchange on one rank.
  Decomposition(const Comm& comm, const std::array<int, dims>& global, std::array<int, dims> ranks,
                bool pad_everywhere = false);

  const Geometry& geometry() const { return geometry_; }
  const Comm& comm() const { return cart_->comm(); }
  const CartComm& cart() const { return *cart_; }
  std::array<int, dims> rank_grid() const;

  // Halo buffer k (0..3: send lower, send upper, receive lower, receive upper) with room for
  // at least `bytes`; grown on demand, shared by all exchanges of this decomposition.
  void* buffer(int k, std::size_t bytes) const;

private:
  std::unique_ptr<CartComm> cart_;
  Geometry geometry_;
  mutable std::array<View<double*>, 4> buffers_;
};

// The rank grid Tessera picks for `ranks` MPI ranks (entries of `fixed` > 0 are kept).
std::array<int, dims> choose_rank_grid(const std::array<int, dims>& global, int ranks, std::array<int, dims> fixed);

} // namespace tessera::lqcd
