// SPDX-License-Identifier: Apache-2.0
// tessera-shower: e+ e- -> q qbar at the Z pole with a dipole parton shower (docs/shower.md).
#include "tessera/core/run_loop.hpp"
#include "tessera/shower/simulation.hpp"

int main(int argc, char** argv)
{
  return tessera::simulation_main<tessera::shower::Simulation>(argc, argv);
}
