// SPDX-License-Identifier: Apache-2.0
// tessera-reactions: trains a neural-network surrogate of the carbon-burning network and
// measures its accuracy and speed against the stiff integrator (docs/nn.md, docs/reactions.md).
#include "tessera/core/run_loop.hpp"
#include "tessera/nn/reactions_simulation.hpp"

int main(int argc, char** argv)
{
  return tessera::simulation_main<tessera::nn::ReactionsSimulation>(argc, argv);
}
