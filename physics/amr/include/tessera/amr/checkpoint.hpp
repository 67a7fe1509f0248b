// SPDX-License-Identifier: Apache-2.0
#pragma once
// What an AMR run keeps in its checkpoint: the tree (every block's logical location), the
// interior cells of every block, and where the run stands (time, step, counters, the plots
// written so far). Written into core's CheckpointWriter (temporary file, checksums, rename;
// the run loop opens and commits it), so a crash never destroys the last good one. Ghost
// cells are not stored: every stage refills them, so a restart continues bit for bit.

#include <cstdint>
#include <vector>

#include "tessera/amr/block_tree.hpp"
#include "tessera/amr/mesh.hpp"
#include "tessera/amr/plot_file.hpp"
#include "tessera/core/checkpoint.hpp"

namespace tessera::amr {

struct RunState {
  double time = 0;
  std::int64_t step = 0;
  std::int64_t floors = 0;  // cells raised by a floor since the start
  std::int64_t regrids = 0; // regrids that changed the mesh
  std::vector<PlotRecord> plots;
};

void write_checkpoint(CheckpointWriter& writer, const Mesh& mesh, const BlockData& u, const RunState& state);

struct RestoredRun {
  BlockTree tree;
  RunState state;
  BlockData interior; // (block, variable, k, j, i) without ghost cells, in the tree's Morton order
};

// Reads a checkpoint of a mesh of this shape (the run loop has checked that the fixed keys
// match); throws IoError if its tree or cells do not fit the shape.
RestoredRun read_checkpoint(CheckpointReader& reader, const MeshShape& shape);

// Copies restored interiors into the interior cells of u (a View of the same blocks).
void copy_interior(const BlockData& interior, const Mesh& mesh, const BlockData& u);

} // namespace tessera::amr
