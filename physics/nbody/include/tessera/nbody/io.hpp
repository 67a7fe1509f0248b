// SPDX-License-Identifier: Apache-2.0
#pragma once
// Snapshots (HDF5, listed in one XDMF time series) and checkpoints (bit-for-bit restart) of
// the particles.

#include <filesystem>

#include "tessera/core/checkpoint.hpp"
#include "tessera/nbody/params.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

// <dir>/snapshot_<number>.h5: x, v, m, id, and the acceleration a (N,3) and potential pot (N)
// from a fresh direct sum at these positions (collective).
void write_snapshot(const Comm& comm, const State& state, const Params& params, const std::filesystem::path& dir,
                    int number);

// <dir>/snapshots.xdmf: one XDMF 3 temporal collection listing every snapshot of the run, for
// ParaView and VisIt. Rank 0 only, after the snapshot's file is complete. The first add() of a
// run writes the file anew from the snapshot files before `number` that are in dir (a fresh
// run starts at 0 with none; a restart continues the series of the run it continues, and
// snapshots a killed run wrote past its checkpoint are not listed twice); later add()s append
// one grid (the closing tags are rewritten, nothing else), so writing costs O(1) per snapshot.
class SnapshotSeries {
public:
  explicit SnapshotSeries(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void add(int number);
  std::filesystem::path path() const { return dir_ / file_name; }
  static constexpr const char* file_name = "snapshots.xdmf";

private:
  std::filesystem::path dir_;
  bool started_ = false;
};

// snapshot_<number>.h5 (the name of a snapshot's file in its folder).
std::string snapshot_name(int number);

// Everything needed to continue exactly: particles, Hermite state, time, counters, and the
// initial energy (for dE/E0 after a restart).
void write_checkpoint(CheckpointWriter& writer, const State& state, double initial_energy);
// Allocates and fills `state` from a checkpoint (split over this run's ranks); returns the
// initial energy.
double read_checkpoint(CheckpointReader& reader, State& state);

} // namespace tessera::nbody
