#pragma once
// Snapshots (HDF5 + XDMF sidecar) and checkpoints (bit-for-bit restart) of the particles.

#include <filesystem>

#include "tessera/nbody/params.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

// <dir>/snapshot_<number>.h5 with x, v, m, id and the time; <dir>/snapshot_<number>.xdmf.
void write_snapshot(const Comm& comm, const State& state, const Params& params, int number);

// Everything needed to continue exactly: particles, Hermite state, time, counters, and the
// initial energy (for dE/E0 after a restart).
void write_checkpoint(const Comm& comm, const State& state, const std::filesystem::path& path, double initial_energy,
                      int next_snapshot);
struct Restart {
  double initial_energy = 0;
  int next_snapshot = 0;
};
Restart read_checkpoint(const Comm& comm, State& state, const std::filesystem::path& path);
std::int64_t checkpoint_particles(const std::filesystem::path& path);

} // namespace tessera::nbody
