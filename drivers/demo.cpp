// tessera-demo: the core demo (see physics/demo and docs/demo.md).
#include "tessera/demo/demo.hpp"
#include "tessera/core/driver.hpp"

int main(int argc, char** argv)
{
  static const auto schema = tessera::demo::schema();
  const tessera::DriverInfo info{"demo",
                                 "Tessera core demo: heat diffusion with halo exchange and a tiled all-pairs "
                                 "potential, with checkpoints and HDF5 output",
                                 &schema};
  return tessera::run_driver(info, argc, argv, [](const tessera::DriverContext& ctx) {
    const auto params = tessera::demo::params_from(ctx.config, ctx.options.output_dir);
    const auto outcome = tessera::demo::run(ctx.comm, params, ctx.options.restart, ctx.timers);
    return outcome.results;
  });
}
