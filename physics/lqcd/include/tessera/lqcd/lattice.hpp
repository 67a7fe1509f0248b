// SPDX-License-Identifier: Apache-2.0
#pragma once
// The 4-D lattice of one rank and how its sites are stored.
//
// Sites are stored by parity (even: x+y+z+t even in global coordinates), each parity in its
// own half of every field, so that even-odd preconditioned operators read and write whole
// contiguous arrays. Along a direction split over ranks the local box has one layer of
// ghost sites on each side (padding 1); along a direction held whole by the rank there is
// no padding and neighbours wrap around periodically. With P_mu the padded extents (all
// even, since the local extents are), a site with padded coordinates c has lexicographic
// index lex = c0 + P0 (c1 + P1 (c2 + P2 c3)) and is stored at lex / 2 within its parity:
// lex and lex + 1 differ only in c0, hence in parity, so lex / 2 is unique per parity.
// Without any padding the n-th interior site of a parity is stored at n.

#include <Kokkos_Core.hpp>

#include "tessera/core/loops.hpp"

namespace tessera::lqcd {

inline constexpr int dims = 4; // x, y, z, t
inline constexpr int time_direction = 3;

struct Coords {
  int c[dims];
};

// A trivially copyable description used inside kernels.
struct Geometry {
  int global[dims] = {};  // global extents
  int local[dims] = {};   // this rank's interior extents
  int origin[dims] = {};  // global coordinates of this rank's first interior site
  int pad[dims] = {};     // 1 along directions split over ranks, else 0
  int padded[dims] = {};  // local + 2 pad
  Index half_volume = 0;  // interior sites per parity
  Index storage_half = 0; // stored sites per parity (interior and ghosts)
  bool any_padding = false;

  Index local_volume() const { return 2 * half_volume; }
  Index global_volume() const { return static_cast<Index>(global[0]) * global[1] * global[2] * global[3]; }

  // Padded coordinates of the n-th interior site of `parity`, in storage order.
  KOKKOS_INLINE_FUNCTION Coords interior_coords(Index n, int parity) const { return sweep_coords(n, parity, local[2]); }

  // Padded coordinates of the n-th interior site of `parity` in the order of a sweep that
  // takes `chunk` z-planes (chunk divides local[2]) through every t before the next chunk:
  // n = xh + half_x (y + local[1] (z_in + chunk (t + local[3] z_chunk))). chunk = local[2]
  // is the storage order (interior_coords). Kernels that read the neighbours in t keep them
  // in the cache this way on large lattices (see sweep_chunk). 32-bit arithmetic (a rank's
  // box has fewer than 2^31 sites, which Decomposition checks): 64-bit division costs GPUs
  // dozens of instructions.
  KOKKOS_INLINE_FUNCTION Coords sweep_coords(Index n, int parity, int chunk) const
  {
    const int half_x = local[0] / 2;
    const int i = static_cast<int>(n);
    Coords x;
    int rest = i / half_x;
    const int xh = i - rest * half_x;
    int next = rest / local[1];
    x.c[1] = rest - next * local[1];
    rest = next;
    next = rest / chunk;
    const int z_in = rest - next * chunk;
    rest = next;
    next = rest / local[3];
    x.c[3] = rest - next * local[3];
    x.c[2] = next * chunk + z_in;
    x.c[0] = 2 * xh + ((parity + x.c[1] + x.c[2] + x.c[3]) & 1); // interior coords have origin parity 0
    for (int mu = 0; mu < dims; ++mu)
      x.c[mu] += pad[mu];
    return x;
  }

  // The n-th interior site of the whole local lattice, n in [0, 2 half_volume): the even
  // sites first, then the odd ones.
  struct Site {
    int parity;
    Coords x;
    Index index; // storage index within the parity
  };
  KOKKOS_INLINE_FUNCTION Site site(Index n) const
  {
    const int p = n >= half_volume ? 1 : 0;
    const Coords x = interior_coords(n - p * half_volume, p);
    return {p, x, storage_index(x)};
  }

  // Storage index (within its parity) of the site at padded coordinates x.
  KOKKOS_INLINE_FUNCTION Index storage_index(const Coords& x) const
  {
    const int lex = x.c[0] + padded[0] * (x.c[1] + padded[1] * (x.c[2] + padded[2] * x.c[3]));
    return lex / 2;
  }

  // Storage index of the n-th interior site of `parity`.
  KOKKOS_INLINE_FUNCTION Index interior_storage(Index n, int parity) const
  {
    return any_padding ? storage_index(interior_coords(n, parity)) : n;
  }

  // The parity of the site at padded coordinates x (global parity: origins are even).
  KOKKOS_INLINE_FUNCTION int parity(const Coords& x) const
  {
    return (x.c[0] + x.c[1] + x.c[2] + x.c[3] + pad[0] + pad[1] + pad[2] + pad[3]) & 1;
  }

  // One step along mu (+1 or -1), periodic within the padded box.
  KOKKOS_INLINE_FUNCTION Coords step(Coords x, int mu, int direction) const
  {
    int c = x.c[mu] + direction;
    if (c == padded[mu]) c = 0;
    if (c < 0) c = padded[mu] - 1;
    x.c[mu] = c;
    return x;
  }

  // Global coordinate along mu of an interior site (for boundary phases and sources).
  KOKKOS_INLINE_FUNCTION int global_coord(const Coords& x, int mu) const { return x.c[mu] - pad[mu] + origin[mu]; }
};

// The z-planes per chunk of a sweep (Geometry::sweep_coords) over one parity: the most,
// dividing local[2], whose sites of one parity number at most sweep_chunk_sites. A site's
// neighbours in t are read by the sites one slice before and one after it, so a sweep in
// storage order must keep two whole t-slices of traffic in the L2 cache to read each spinor
// from memory once; on the Hopper GPUs (50 MB) that held at 32^4 (2 x 16384 sites) and not
// at 48^3 x 96 (2 x 55296), where the double-precision dslash fell from 82% to 71% of copy
// bandwidth. The price is the chunk's two edge planes, read twice (2 / chunk of a spinor).
inline constexpr int sweep_chunk_sites = 16384;

inline int sweep_chunk(const Geometry& g)
{
  const long plane = static_cast<long>(g.local[0] / 2) * g.local[1];
  int chunk = 1;
  for (int c = 1; c <= g.local[2]; ++c)
    if (g.local[2] % c == 0 && plane * c <= sweep_chunk_sites) chunk = c;
  return chunk;
}

} // namespace tessera::lqcd
