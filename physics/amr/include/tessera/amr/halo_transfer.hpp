// SPDX-License-Identifier: Apache-2.0
#pragma once
// Copies of other ranks' cells into this rank's halo slots (mesh.hpp): each rank says once
// which boxes of which remote blocks it needs; then every transfer packs all boxes a rank
// sends into one buffer (one kernel), exchanges the buffers with the neighbouring ranks
// through core Comm, and unpacks all boxes it received (one kernel).

#include <array>
#include <cstdint>
#include <vector>

#include "tessera/amr/mesh.hpp"

namespace tessera::amr {

// A box of cells [lo, hi) (local indices with ghosts) of the remote leaf `source`, wanted in
// halo slot `slot` of array `array` (of up to three arrays moved together, e.g. the fluxes
// along x, y and z).
struct HaloNeed {
  LogicalLocation source;
  int slot = 0, array = 0;
  int lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
};

// One box in a transfer buffer: on the sender `block` is the source block, on the receiver
// the halo slot it fills. A team copies the box's elements [first, first + count) (all
// variables of the box are `variables` x its volume elements, variable slowest).
struct TransferBox {
  int block = 0, array = 0;
  int lo[3] = {0, 0, 0}, hi[3] = {1, 1, 1};
  std::int64_t offset = 0; // first element of the box in the buffer
  int first = 0, count = 0;
};

// Cells of a box that one team copies at most (larger boxes are cut): a face of a 128^3 block
// is 2 x 128 x 128 cells, which one team would copy as ~1000 dependent load-store pairs per
// thread while most of the GPU idles. Ghost boxes and boundary faces (ghost_exchange.hpp) and
// halo transfers are cut alike.
inline constexpr int ghost_cells_per_team = 512;

class HaloTransfer {
public:
  // Collective: every rank of the mesh's communicator calls it, in the same order. Needs of
  // one slot and array are merged into the box that covers them. cells_per_team: the most
  // cells of a box one team packs or unpacks (ghost_cells_per_team; tests cut finer).
  HaloTransfer(const Mesh& mesh, const std::vector<HaloNeed>& needs, int cells_per_team = ghost_cells_per_team);

  // Fills this rank's halo boxes from their owners (arrays[i] for boxes of array i). Ranks
  // that exchange nothing return at once.
  void run(const std::array<BlockData, 3>& arrays) const { run(arrays, arrays); }
  void run(const BlockData& u) const { run(std::array<BlockData, 3>{u, u, u}); }
  // The same, sending from `from` and receiving into `into` (e.g. old blocks to a new array).
  void run(const std::array<BlockData, 3>& from, const std::array<BlockData, 3>& into) const;

  // Elements this rank sends and receives per run.
  std::size_t sent() const { return send_buffer_.extent(0); }
  std::size_t received() const { return recv_buffer_.extent(0); }

private:
  Comm comm_;
  int variables_;
  View<TransferBox*> send_boxes_, recv_boxes_;
  View<double*> send_buffer_, recv_buffer_;
  std::vector<Comm::Segment> sends_, recvs_;
};

} // namespace tessera::amr
