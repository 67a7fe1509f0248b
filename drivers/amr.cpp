// SPDX-License-Identifier: Apache-2.0
// tessera-amr: compressible hydrodynamics on an adaptive octree of mesh blocks (docs/amr.md).
#include "tessera/amr/simulation.hpp"
#include "tessera/core/run_loop.hpp"

int main(int argc, char** argv)
{
  return tessera::simulation_main<tessera::amr::Simulation>(argc, argv);
}
