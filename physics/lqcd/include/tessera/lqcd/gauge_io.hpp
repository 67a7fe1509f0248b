// SPDX-License-Identifier: Apache-2.0
#pragma once
// The gauge field in files: the whole lattice gathered into NERSC order (HostGauge) and
// scattered back, NERSC configurations (nersc.hpp) written by rank 0 and read by every rank,
// and HDF5 checkpoints (the links in NERSC order plus the chain's state, chain.hpp) that a
// restart on any rank grid continues exactly.
//
// The gather sums every rank's part into a whole-lattice array on every rank (one
// allreduce): simple and exact, but it holds the whole lattice (576 B per site) on each rank.

#include <cstdint>
#include <filesystem>

#include "tessera/core/checkpoint.hpp"
#include "tessera/lqcd/chain.hpp"
#include "tessera/lqcd/gauge.hpp"
#include "tessera/lqcd/nersc.hpp"

namespace tessera::lqcd {

HostGauge gather_gauge(const Decomposition& d, const Links& u);
// Every rank takes its part of `whole` (which must have the global extents).
void scatter_gauge(const Decomposition& d, const HostGauge& whole, const Links& u);

void save_nersc(const Decomposition& d, const Links& u, const std::filesystem::path& path,
                const NerscWriteOptions& options);
// Reads a configuration into u; InputError when its extents are not the lattice's.
NerscInfo load_nersc(const Decomposition& d, const std::filesystem::path& path, const Links& u);

// A checkpoint of the chain: the links in NERSC order (dataset "links") and the chain's
// state (root attributes), into the run loop's checkpoint.
void write_checkpoint(CheckpointWriter& writer, const Decomposition& d, const Links& u, const ChainState& chain);
// Reads links and chain state; IoError for a file whose links do not fit the lattice or
// whose counters make no sense (the run loop has checked lattice.size and the other fixed
// keys before).
ChainState read_checkpoint(CheckpointReader& reader, const Decomposition& d, const Links& u);

} // namespace tessera::lqcd
