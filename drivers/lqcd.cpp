// SPDX-License-Identifier: Apache-2.0
// tessera-lqcd: lattice QCD with Wilson gauge and quark actions (docs/lqcd.md). run.mode =
// hmc is a simulation under core's run loop (lqcd::Simulation); measure and invert look at one
// stored configuration once and are plain driver bodies (no checkpoints, so no --restart).
#include "tessera/core/log.hpp"
#include "tessera/core/run_loop.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/lqcd/invert.hpp"
#include "tessera/lqcd/measure.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace {

using namespace tessera;

nlohmann::json run(const DriverContext& context)
{
  const auto mode = context.config.get_string("run.mode");
  if (mode == "hmc") return run_simulation<lqcd::Simulation>(context);
  const auto params = lqcd::Simulation::params(context.config);
  if (context.options.restart) throw InputError("--restart: only run.mode = hmc has checkpoints");
  const RunContext run{context.comm, context.options.output_dir, &context.timers};
  auto results = mode == "measure" ? lqcd::measure_configuration(run, params) : lqcd::invert_configuration(run, params);
  // No checkpoint to continue from: a stop signal does not cut these modes short, and a run
  // that finished must not exit 4 ("continue with --restart"), which a batch script obeys.
  if (stop_requested()) log::warn("a stop was requested; run.mode = {} has no checkpoints, so it ran to its end", mode);
  results["interrupted"] = false;
  return results;
}

} // namespace

int main(int argc, char** argv)
{
  static const ConfigSchema schema = lqcd::Simulation::schema();
  const SimulationInfo info = lqcd::Simulation::info();
  DriverInfo driver{info.name, info.description, &schema};
  driver.output_files = info.output_files;
  for (const auto& file : {checkpoint_path(".", info.name).filename().string(), info.table_file,
                           std::string("flow.dat"), std::string("pion.dat")})
    driver.output_files.push_back(file);
  driver.check_input = [](const Config& config, const DriverOptions&) { (void)lqcd::Simulation::params(config); };
  return run_driver(driver, argc, argv, run);
}
