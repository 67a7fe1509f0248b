// SPDX-License-Identifier: Apache-2.0
#pragma once
// Counter-based random numbers (Random123's Philox4x32-10), callable in kernels.
//
// A draw is a pure function of (seed, stream, item, n): no state is carried between threads,
// so a run gives the same numbers on Serial, OpenMP and CUDA, for any thread count and any
// number of MPI ranks, as long as each physical object (particle, event, site) uses its own
// global index as `item`. `stream` separates independent uses (e.g. positions vs velocities).
//
//   RandomDraws rng(seed, Stream::initial_conditions, particle_id);
//   double x = rng.uniform(), g = rng.normal();
//
// Integer and uniform draws are bit-identical everywhere; normal() goes through log and
// cos, so it agrees across backends to a few ulp (libm vs CUDA's maths library).

#include <cstdint>

#include <Kokkos_Core.hpp>
#include <Random123/philox.h>

namespace tessera {

class RandomDraws {
public:
  using Philox = r123::Philox4x32;

  KOKKOS_INLINE_FUNCTION RandomDraws(std::uint64_t seed, std::uint32_t stream, std::uint64_t item)
  {
    key_ = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    counter_ = {{static_cast<std::uint32_t>(item), static_cast<std::uint32_t>(item >> 32), stream, 0u}};
  }

  // The next 32 random bits.
  KOKKOS_INLINE_FUNCTION std::uint32_t next_u32()
  {
    if (used_ == 4) {
      Philox philox;
      block_ = philox(counter_, key_);
      ++counter_.v[3];
      used_ = 0;
    }
    return block_.v[used_++];
  }

  // How many 32-bit draws this generator has made. A generator built with the same (seed,
  // stream, item) and moved there with seek() continues with exactly the same numbers, so
  // work on one item can be split over several kernel launches without changing its draws.
  KOKKOS_INLINE_FUNCTION std::uint64_t position() const
  {
    return 4 * static_cast<std::uint64_t>(counter_.v[3]) + static_cast<std::uint64_t>(used_) - 4;
  }

  KOKKOS_INLINE_FUNCTION void seek(std::uint64_t position)
  {
    counter_.v[3] = static_cast<std::uint32_t>(position / 4);
    used_ = 4;
    if (const int within = static_cast<int>(position % 4); within != 0) {
      Philox philox;
      block_ = philox(counter_, key_);
      ++counter_.v[3];
      used_ = within;
    }
  }

  // Uniform in the open interval (0, 1), 53 random bits: safe to take a log of.
  KOKKOS_INLINE_FUNCTION double uniform()
  {
    const std::uint64_t hi = next_u32();
    const std::uint64_t lo = next_u32();
    const std::uint64_t bits = ((hi << 32) | lo) >> 11;
    return (static_cast<double>(bits) + 0.5) * 0x1.0p-53;
  }

  // Uniform in (a, b).
  KOKKOS_INLINE_FUNCTION double uniform(double a, double b) { return a + (b - a) * uniform(); }

  // Standard normal, Box-Muller (one of the pair; the other is dropped so that the n-th
  // normal depends only on n, not on earlier calls' parity).
  KOKKOS_INLINE_FUNCTION double normal()
  {
    const double r = Kokkos::sqrt(-2.0 * Kokkos::log(uniform()));
    return r * Kokkos::cos(2.0 * Kokkos::numbers::pi * uniform());
  }

  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift, negligible bias for n << 2^32).
  KOKKOS_INLINE_FUNCTION std::uint32_t below(std::uint32_t n)
  {
    return static_cast<std::uint32_t>((static_cast<std::uint64_t>(next_u32()) * n) >> 32);
  }

private:
  Philox::key_type key_;
  Philox::ctr_type counter_;
  Philox::ctr_type block_ = {{0u, 0u, 0u, 0u}};
  int used_ = 4;
};

} // namespace tessera
