// N-body text table of initial conditions (m x y z vx vy vz per line): counted, read into a
// state and moved to standard units, as tessera-nbody does with ic.kind = "text".
#include "fuzz_common.hpp"
#include "tessera/nbody/initial_conditions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace tessera;
  const Comm& comm = fuzz::world();
  nbody::Params params;
  params.ic = "text";
  params.ic_file = fuzz::write_input(data, size, ".txt");
  fuzz::expect_clean_refusal([&] { (void)nbody::initial_state(comm, params); });
  return 0;
}
