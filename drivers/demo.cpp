// SPDX-License-Identifier: Apache-2.0
// tessera-demo: the core demo (see physics/demo and docs/demo.md).
#include "tessera/demo/demo.hpp"
#include "tessera/core/run_loop.hpp"

int main(int argc, char** argv)
{
  return tessera::simulation_main<tessera::demo::Simulation>(argc, argv);
}
