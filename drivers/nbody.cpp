// tessera-nbody: direct N-body with 4th-order Hermite and block steps (docs/nbody.md).
#include "tessera/core/driver.hpp"
#include "tessera/nbody/params.hpp"
#include "tessera/nbody/run.hpp"

int main(int argc, char** argv)
{
  static const auto schema = tessera::nbody::schema();
  const tessera::DriverInfo info{"nbody",
                                 "Tessera direct N-body: 4th-order Hermite with block time steps (or leapfrog), "
                                 "Plummer initial conditions, all pairs on the device",
                                 &schema};
  return tessera::run_driver(info, argc, argv, [](const tessera::DriverContext& ctx) {
    const auto params = tessera::nbody::params_from(ctx.config, ctx.options.output_dir);
    return tessera::nbody::run(ctx.comm, params, ctx.options.restart, ctx.timers);
  });
}
