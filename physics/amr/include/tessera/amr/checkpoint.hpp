#pragma once
// Checkpoints of an AMR run: the tree (every block's logical location), the interior cells
// of every block, and where the run stands (time, step, counters, the plots written so far).
// Written through core's CheckpointWriter (temporary file, checksums, rename), so a crash
// never destroys the last good one. Ghost cells are not stored: every stage refills them,
// so a restart continues bit for bit.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/amr/block_tree.hpp"
#include "tessera/amr/mesh.hpp"
#include "tessera/amr/plot_file.hpp"
#include "tessera/core/comm.hpp"

namespace tessera::amr {

struct RunState {
  double time = 0;
  std::int64_t step = 0;
  std::int64_t floors = 0;    // cells raised by a floor since the start
  std::int64_t regrids = 0;   // regrids that changed the mesh
  double next_plot = 0;       // not stored: the times follow from the intervals
  double next_checkpoint = 0; // of the (perhaps changed) input of a restart
  std::vector<PlotRecord> plots;
};

void write_checkpoint(const Comm& comm, const std::filesystem::path& path, const Mesh& mesh, const BlockData& u,
                      const RunState& state, const std::string& fingerprint);

struct RestoredRun {
  BlockTree tree;
  RunState state;
  BlockData interior; // (block, variable, k, j, i) without ghost cells, in the tree's Morton order
};

// Reads a checkpoint written under the same physics fingerprint (else InputError naming the
// file and the first differing key); throws IoError if it is damaged.
RestoredRun read_checkpoint(const Comm& comm, const std::filesystem::path& path, const MeshShape& shape,
                            const std::string& fingerprint);

// Copies restored interiors into the interior cells of u (a View of the same blocks).
void copy_interior(const BlockData& interior, const Mesh& mesh, const BlockData& u);

} // namespace tessera::amr
