// tessera-shower: e+ e- -> q qbar at the Z pole with a dipole parton shower (docs/shower.md).
#include "tessera/core/driver.hpp"
#include "tessera/shower/params.hpp"
#include "tessera/shower/run.hpp"

int main(int argc, char** argv)
{
  static const auto schema = tessera::shower::schema();
  const tessera::DriverInfo info{"shower",
                                 "Tessera parton shower: e+ e- -> q qbar at the Z pole, Catani-Seymour dipole shower "
                                 "(veto algorithm), event shapes and jet rates, all events on the device",
                                 &schema};
  return tessera::run_driver(info, argc, argv, [](const tessera::DriverContext& ctx) {
    const auto params = tessera::shower::params_from(ctx.config, ctx.options.output_dir);
    return tessera::shower::run(ctx.comm, params, ctx.options.restart, ctx.timers);
  });
}
