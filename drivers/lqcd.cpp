// tessera-lqcd: lattice QCD with Wilson gauge and quark actions: HMC, observables, propagators
// (docs/lqcd.md).
#include "tessera/core/driver.hpp"
#include "tessera/lqcd/params.hpp"
#include "tessera/lqcd/run.hpp"

int main(int argc, char** argv)
{
  static const auto schema = tessera::lqcd::schema();
  const tessera::DriverInfo info{"lqcd",
                                 "Tessera lattice QCD: SU(3) Wilson gauge action, HMC with 0 or 2 flavours of "
                                 "Wilson quarks, Wilson flow and topological charge, pion correlators",
                                 &schema};
  return tessera::run_driver(info, argc, argv, [](const tessera::DriverContext& ctx) {
    const auto params = tessera::lqcd::params_from(ctx.config, ctx.options.output_dir);
    return tessera::lqcd::run(ctx.comm, params, ctx.options.restart, ctx.timers);
  });
}
