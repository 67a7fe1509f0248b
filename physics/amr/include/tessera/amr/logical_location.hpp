// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where a mesh block sits in the octree: its level (0: the root grid) and its integer
// coordinates in units of blocks of that level. Ordering by Morton key (coordinates shifted
// to the finest level and bit-interleaved, x fastest), then level, puts a parent before its
// children and the leaves in depth-first tree order (AthenaK/Parthenon's ordering), so a
// contiguous range of leaves is a compact region: what the load balance cuts.

#include <array>
#include <compare>
#include <cstdint>

namespace tessera::amr {

inline constexpr int morton_bits = 21; // per axis in a 64-bit key (3-D)

struct LogicalLocation {
  int level = 0;
  std::array<std::int64_t, 3> lx{0, 0, 0};

  auto operator<=>(const LogicalLocation&) const = default;

  LogicalLocation parent() const { return {level - 1, {lx[0] >> 1, lx[1] >> 1, lx[2] >> 1}}; }
  // Child c (bits: x, y, z) on the next level; axes beyond `dims` stay 0.
  LogicalLocation child(int c, int dims) const
  {
    LogicalLocation out{level + 1, {2 * lx[0] + (c & 1), 0, 0}};
    if (dims > 1) out.lx[1] = 2 * lx[1] + ((c >> 1) & 1);
    if (dims > 2) out.lx[2] = 2 * lx[2] + ((c >> 2) & 1);
    return out;
  }
};

// Bits of the coordinates shifted to `finest_level`, interleaved (x lowest). The shifted
// coordinates must fit in morton_bits bits (BlockTree checks its root grid and depth).
std::uint64_t morton_key(const LogicalLocation& loc, int finest_level);

// The order of blocks along the space-filling curve (key, then level: parents first).
bool morton_less(const LogicalLocation& a, const LogicalLocation& b, int finest_level);

} // namespace tessera::amr
