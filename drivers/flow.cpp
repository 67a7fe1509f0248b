// SPDX-License-Identifier: Apache-2.0
// tessera-flow: a normalizing flow for 2-D phi^4 trained by reverse KL, sampled exactly with
// an independence Metropolis-Hastings chain, and HMC on the same theory (core's run loop;
// docs/flows.md).
#include "tessera/core/run_loop.hpp"
#include "tessera/flow/simulation.hpp"

int main(int argc, char** argv)
{
  return tessera::simulation_main<tessera::flow::Simulation>(argc, argv);
}
