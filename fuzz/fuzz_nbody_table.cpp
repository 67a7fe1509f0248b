// SPDX-License-Identifier: Apache-2.0
// N-body text table of initial conditions (m x y z vx vy vz per line): counted, read into a
// state and moved to standard units, as tessera-nbody does with ic.kind = "text".
#include "fuzz_common.hpp"
#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/simulation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace tessera;
  const Comm& comm = fuzz::world();
  const auto params =
      params_for<nbody::Simulation>({"ic.kind=text", "ic.file=" + fuzz::write_input(data, size, ".txt").string()});
  fuzz::expect_clean_refusal([&] { (void)nbody::initial_state(comm, params); });
  return 0;
}
