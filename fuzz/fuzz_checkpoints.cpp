// SPDX-License-Identifier: Apache-2.0
// Checkpoints of tessera-lqcd (lqcd::read_checkpoint: links in NERSC order and the chain's
// state) and tessera-shower (shower::read_checkpoint: histogram sums and event totals), read
// through core's CheckpointReader (completeness flag, dataset checksums, attribute checksum).
// The same bytes go to both readers, set up as the seed corpus was written: a 2^4 lattice on
// one rank, and the shipped Z-pole shower input (all its events on this one rank).
#include <cstdint>
#include <optional>

#include "fuzz_common.hpp"
#include "tessera/core/checkpoint.hpp"
#include "tessera/core/config.hpp"
#include "tessera/lqcd/gauge_io.hpp"
#include "tessera/shower/checkpoint.hpp"
#include "tessera/shower/simulation.hpp"

namespace {

using namespace tessera;

struct Readers {
  lqcd::Decomposition lattice{fuzz::world(), {2, 2, 2, 2}, {1, 1, 1, 1}};
  lqcd::Links links = lqcd::cold_start(lattice);
  std::int64_t shower_events = shower::Simulation::params(Config::load(shower::Simulation::schema(),
                                                                       TESSERA_SOURCE_DIR "/inputs/shower/zpole.toml"))
                                   .events;
  shower::HistogramBook book{shower::standard_histograms()};
};

Readers& readers()
{
  static Readers instance;
  return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  auto& r = readers();
  const auto path = fuzz::write_input(data, size, ".h5");
  fuzz::expect_clean_refusal([&] {
    CheckpointReader reader(fuzz::world(), path);
    (void)lqcd::read_checkpoint(reader, r.lattice, r.links);
  });
  fuzz::expect_clean_refusal([&] {
    CheckpointReader reader(fuzz::world(), path);
    (void)shower::read_checkpoint(reader, r.book, r.shower_events);
  });
  return 0;
}
