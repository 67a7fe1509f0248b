// tessera-reactions: trains a neural-network surrogate of the carbon-burning network and
// measures its accuracy and speed against the stiff integrator (docs/reactions.md).
#include "tessera/core/driver.hpp"
#include "tessera/nn/reactions_run.hpp"

int main(int argc, char** argv)
{
  static const auto schema = tessera::nn::reactions_schema();
  const tessera::DriverInfo info{"reactions",
                                 "Tessera reaction-network surrogate: 12C + 12C -> 24Mg burnt by a stiff integrator "
                                 "on the device, an MLP trained on it, its error and speed-up on held-out zones",
                                 &schema};
  return tessera::run_driver(info, argc, argv, [](const tessera::DriverContext& ctx) {
    const auto params = tessera::nn::reactions_params_from(ctx.config, ctx.options.output_dir);
    return tessera::nn::run_reactions(ctx.comm, params, ctx.options.restart, ctx.timers);
  });
}
