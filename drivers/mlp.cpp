// tessera-mlp: trains a multi-layer perceptron on a data set, or predicts with one (docs/nn.md).
#include "tessera/core/driver.hpp"
#include "tessera/nn/mlp_params.hpp"
#include "tessera/nn/mlp_run.hpp"

int main(int argc, char** argv)
{
  static const auto schema = tessera::nn::mlp_schema();
  const tessera::DriverInfo info{
      "mlp",
      "Tessera MLP: trains a multi-layer perceptron by back-propagation on the device, "
      "data-parallel over MPI ranks; --predict runs a saved model on new data",
      &schema,
      {{"predict", "predict with the model predict.model on predict.data instead of training"}}};
  return tessera::run_driver(info, argc, argv, [](const tessera::DriverContext& ctx) {
    const auto params = tessera::nn::mlp_params_from(ctx.config, ctx.options.output_dir);
    if (ctx.options.has_flag("predict")) return tessera::nn::run_mlp_prediction(ctx.comm, params, ctx.timers);
    return tessera::nn::run_mlp_training(ctx.comm, params, ctx.options.restart, ctx.timers);
  });
}
