// SPDX-License-Identifier: Apache-2.0
// tessera-mlp: trains a multi-layer perceptron on a data set (core's run loop), or with
// --predict runs a saved model on new data (docs/nn.md).
#include "tessera/core/run_loop.hpp"
#include "tessera/nn/mlp_simulation.hpp"
#include "tessera/nn/predict.hpp"

int main(int argc, char** argv)
{
  using tessera::nn::MlpSimulation;
  static const auto schema = MlpSimulation::schema();
  const auto info = MlpSimulation::info();
  tessera::DriverInfo driver{info.name,
                             info.description,
                             &schema,
                             {{"predict", "predict with the model predict.model on predict.data instead of training"}}};
  // What simulation_main names for --summary's checks: the checkpoint and the table.
  driver.output_files = {tessera::checkpoint_path(".", info.name).filename().string(), info.table_file};
  driver.check_input = [](const tessera::Config& config, const tessera::DriverOptions& options) {
    (void)MlpSimulation::params(config);
    // Each mode's files read against the files it writes.
    const auto& out = options.output_dir;
    if (options.has_flag("predict")) {
      for (const auto* read : {"predict.model", "predict.data"})
        tessera::refuse_writing_over(config, out, "predict.output", read);
    } else {
      for (const auto* written : {"output.model", "output.history"})
        tessera::refuse_writing_over(config, out, written, "data.file");
    }
  };
  return tessera::run_driver(driver, argc, argv, [](const tessera::DriverContext& ctx) {
    if (!ctx.options.has_flag("predict")) return tessera::run_simulation<MlpSimulation>(ctx);
    return tessera::nn::run_prediction(ctx.comm, MlpSimulation::params(ctx.config), ctx.options.output_dir, ctx.timers);
  });
}
