// SPDX-License-Identifier: Apache-2.0
#pragma once
// Snapshots (HDF5 + XDMF sidecar) and checkpoints (bit-for-bit restart) of the particles.

#include <filesystem>

#include "tessera/core/checkpoint.hpp"
#include "tessera/nbody/params.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

// <dir>/snapshot_<number>.h5 with x, v, m, id and the time; <dir>/snapshot_<number>.xdmf.
void write_snapshot(const Comm& comm, const State& state, const Params& params, const std::filesystem::path& dir,
                    int number);

// Everything needed to continue exactly: particles, Hermite state, time, counters, and the
// initial energy (for dE/E0 after a restart).
void write_checkpoint(CheckpointWriter& writer, const State& state, double initial_energy);
// Allocates and fills `state` from a checkpoint (split over this run's ranks); returns the
// initial energy.
double read_checkpoint(CheckpointReader& reader, State& state);

} // namespace tessera::nbody
