// SPDX-License-Identifier: Apache-2.0
#pragma once
// Team-scratch tiles: a team stages a block of "source" elements (GraCCA's j-particles, a
// stencil's neighbours) in fast scratch memory once, and all of its threads reuse it.
//
//   auto policy = team_policy(space, n_teams, team_size, tile_scratch_bytes<Source>(tile));
//   par_for_team("label", policy, KOKKOS_LAMBDA(const TeamMember& team) {
//     for_each_tile<Source>(team, n_sources, tile,
//         [&](Index j) { return load_source(j); },              // global -> tile
//         [&](const ScratchView<Source*>& t, Index first, int count) { ... use t(0..count) ... });
//   });

#include "tessera/core/loops.hpp"

namespace tessera {

// Scratch bytes for a tile of `tile_size` elements of T.
template <class T>
std::size_t tile_scratch_bytes(int tile_size)
{
  return ScratchView<T*>::shmem_size(tile_size);
}

// Walks [0, n_sources) in tiles of tile_size: load(j) fills element j of the current tile
// (threads of the team share the loads), then body(tile, first, count) runs with the tile
// complete. Both are separated by team barriers, so body sees the whole tile and the next
// load never overwrites a tile still in use.
template <class T, class Load, class Body>
KOKKOS_INLINE_FUNCTION void for_each_tile(const TeamMember& team, Index n_sources, int tile_size, const Load& load,
                                          const Body& body)
{
  ScratchView<T*> tile(team.team_scratch(0), tile_size);
  for (Index first = 0; first < n_sources; first += tile_size) {
    const int count = static_cast<int>(n_sources - first < tile_size ? n_sources - first : tile_size);
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, count), [&](const int k) { tile(k) = load(first + k); });
    team.team_barrier();
    body(tile, first, count);
    team.team_barrier();
  }
}

} // namespace tessera
