// SPDX-License-Identifier: Apache-2.0
// tessera-nbody: direct N-body with 4th-order Hermite and block steps (docs/nbody.md).
#include "tessera/core/run_loop.hpp"
#include "tessera/nbody/simulation.hpp"

int main(int argc, char** argv)
{
  return tessera::simulation_main<tessera::nbody::Simulation>(argc, argv);
}
