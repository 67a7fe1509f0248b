// Checkpoints of tessera-lqcd (lqcd::read_checkpoint: links in NERSC order and the chain's
// state) and tessera-shower (shower::read_checkpoint: histogram sums and event totals), read
// through core's CheckpointReader (completeness flag, dataset checksums). The same bytes go
// to both readers, set up as the seed corpus was written: a 2^4 lattice on one rank, and the
// shipped Z-pole shower input.
#include <cstdint>
#include <optional>

#include "fuzz_common.hpp"
#include "tessera/core/config.hpp"
#include "tessera/lqcd/gauge_io.hpp"
#include "tessera/shower/checkpoint.hpp"

namespace {

using namespace tessera;

struct Readers {
  lqcd::Decomposition lattice{fuzz::world(), {2, 2, 2, 2}, {1, 1, 1, 1}};
  lqcd::Links links = lqcd::cold_start(lattice);
  shower::Params shower_params =
      shower::params_from(Config::load(shower::schema(), TESSERA_SOURCE_DIR "/inputs/shower/zpole.toml"), ".");
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
  fuzz::expect_clean_refusal([&] { (void)lqcd::read_checkpoint(r.lattice, path, r.links); });
  fuzz::expect_clean_refusal([&] { (void)shower::read_checkpoint(fuzz::world(), path, r.shower_params, r.book); });
  return 0;
}
