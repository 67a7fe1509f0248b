// SPDX-License-Identifier: Apache-2.0
#pragma once
// Batches of real fields on a periodic two-dimensional lattice, and the interface a target
// density exp(-S) offers to the flows that learn it (flow.hpp, reverse_kl.hpp). Nothing here
// knows a physical theory: physics modules implement LatticeAction.
//
// A batch of n fields with `c` real components per sample is one contiguous array, sample
// after sample: element (sample * c + k). A scalar field has one component per site,
// site = x * extent_y + y (y fastest); the same order, seen as a 1 x (n * sites) column-major
// matrix, is what the convolution layers (conv2d.hpp) read, with one column per site.

#include <cstdint>

#include "tessera/core/loops.hpp"

namespace tessera::nn {

template <class T>
using FieldBatch = Kokkos::View<T*, MemSpace>;
template <class T>
using ConstFieldBatch = Kokkos::View<const T*, MemSpace>;
// One value per sample (actions, log-densities, log-Jacobians).
template <class T>
using SampleValues = Kokkos::View<T*, MemSpace>;

// An extent_x x extent_y periodic lattice.
struct LatticeShape {
  int extent_x = 0, extent_y = 0;
  KOKKOS_INLINE_FUNCTION Index sites() const { return static_cast<Index>(extent_x) * extent_y; }
  KOKKOS_INLINE_FUNCTION Index site(int x, int y) const { return static_cast<Index>(x) * extent_y + y; }
  // The neighbour of `site` shifted by (dx, dy), periodic; |dx| < extent_x, |dy| < extent_y.
  KOKKOS_INLINE_FUNCTION Index shifted(Index site, int dx, int dy) const
  {
    int x = static_cast<int>(site / extent_y) + dx, y = static_cast<int>(site % extent_y) + dy;
    x += x < 0 ? extent_x : (x >= extent_x ? -extent_x : 0);
    y += y < 0 ? extent_y : (y >= extent_y ? -extent_y : 0);
    return this->site(x, y);
  }
  // 0 on the sites with x + y even, 1 on the others.
  KOKKOS_INLINE_FUNCTION int parity(Index site) const
  {
    return static_cast<int>((site / extent_y + site % extent_y) % 2);
  }
  bool operator==(const LatticeShape&) const = default;
};

// A target density p(phi) proportional to exp(-S(phi)) over batches of fields with
// components() reals per sample.
template <class T>
class LatticeAction {
public:
  virtual ~LatticeAction() = default;
  virtual Index components() const = 0;
  // S of each of the n = phi.extent(0) / components() samples of phi into action(0..n).
  virtual void evaluate(const ExecSpace& space, const ConstFieldBatch<T>& phi, const SampleValues<T>& action) const = 0;
  // S into action and dS/dphi into force (same shape as phi).
  virtual void gradient(const ExecSpace& space, const ConstFieldBatch<T>& phi, const SampleValues<T>& action,
                        const FieldBatch<T>& force) const = 0;
};

} // namespace tessera::nn
