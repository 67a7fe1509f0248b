// SPDX-License-Identifier: Apache-2.0
// HDF5 files that tessera-nbody reads: initial conditions (ic.kind = "hdf5") and checkpoints
// (--restart, checksummed). The same bytes go to both readers.
#include "fuzz_common.hpp"
#include "tessera/core/checkpoint.hpp"
#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/io.hpp"
#include "tessera/nbody/simulation.hpp"
#include "tessera/nbody/state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace tessera;
  const Comm& comm = fuzz::world();
  const auto path = fuzz::write_input(data, size, ".h5");
  const auto params = params_for<nbody::Simulation>({"ic.kind=hdf5", "ic.file=" + path.string()});
  fuzz::expect_clean_refusal([&] { (void)nbody::initial_state(comm, params); });
  fuzz::expect_clean_refusal([&] {
    CheckpointReader reader(comm, path);
    const std::int64_t n = reader.attribute_int("n");
    if (n < 1 || n > 4096) return; // a state that large is refused by the driver's own checks
    nbody::State state;
    (void)nbody::read_checkpoint(reader, state);
  });
  return 0;
}
