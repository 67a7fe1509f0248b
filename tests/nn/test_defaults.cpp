// SPDX-License-Identifier: Apache-2.0
// Defaults live only in the schema: the Params of an empty input deck carry exactly the
// defaults docs/nn.md documents (tessera-mlp and tessera-reactions --help-input print the
// same tables), the run loop's keys count epochs, and a restart must keep what the training
// continues (data, model, loss, optimiser, batches) but not how long it runs or when it
// stops.
#include <set>

#include <gtest/gtest.h>

#include "tessera/nn/mlp_simulation.hpp"
#include "tessera/nn/reactions_simulation.hpp"

namespace tessera::nn {
namespace {

template <class S>
Config empty_deck()
{
  return Config::parse(S::schema(), "", "(empty)");
}

// The model.* and training.* defaults both drivers share (but the layers).
void expect_shared_defaults(const MlpParams& p)
{
  EXPECT_EQ(p.initialiser, Initialiser::automatic);
  EXPECT_EQ(p.leaky_slope, 0.01);
  EXPECT_EQ(p.seed, 1u);
  EXPECT_EQ(p.loss, Loss::mse);
  EXPECT_EQ(p.optimizer.kind, OptimizerKind::adam);
  EXPECT_EQ(p.optimizer.learning_rate, 1e-3);
  EXPECT_EQ(p.optimizer.momentum, 0.0);
  EXPECT_EQ(p.optimizer.beta1, 0.9);
  EXPECT_EQ(p.optimizer.beta2, 0.999);
  EXPECT_EQ(p.optimizer.epsilon, 1e-8);
  EXPECT_EQ(p.optimizer.l1, 0.0);
  EXPECT_EQ(p.optimizer.l2, 0.0);
  EXPECT_EQ(p.epochs, 100);
  EXPECT_EQ(p.batch, 256);
  EXPECT_EQ(p.patience, 10);
  EXPECT_EQ(p.min_delta, 0.0);
  EXPECT_TRUE(p.shuffle);
  EXPECT_TRUE(p.restore_best);
  EXPECT_EQ(p.history_file, "history.csv");
  EXPECT_EQ(p.data.validation_fraction, 0.2);
  EXPECT_TRUE(p.data.scale_inputs);
  EXPECT_TRUE(p.data.scale_targets);
}

TEST(Defaults, MlpParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const MlpParams p = MlpSimulation::params(empty_deck<MlpSimulation>());
  EXPECT_EQ(p.data.file, "");
  EXPECT_EQ(p.data.target_columns, 1);
  EXPECT_EQ(p.data.inputs_dataset, "inputs");
  EXPECT_EQ(p.data.targets_dataset, "targets");
  EXPECT_EQ(p.layers, "dense 64 relu, dense 64 relu, dense 1 linear");
  EXPECT_EQ(p.precision, "float32");
  expect_shared_defaults(p);
  EXPECT_EQ(p.model_file, "model.h5");
  EXPECT_EQ(p.predict_model, "");
  EXPECT_EQ(p.predict_data, "");
  EXPECT_EQ(p.predict_targets, 0);
  EXPECT_EQ(p.predictions_file, "predictions.csv");
  const auto t = train_settings(p);
  EXPECT_EQ(t.batch, 256);
  EXPECT_EQ(t.seed, 1u);
  EXPECT_TRUE(t.shuffle);
}

TEST(Defaults, ReactionsParamsOfAnEmptyDeckAreTheDocumentedDefaults)
{
  const ReactionsParams p = ReactionsSimulation::params(empty_deck<ReactionsSimulation>());
  EXPECT_EQ(p.zones, 50000);
  EXPECT_EQ(p.test_zones, 10000);
  EXPECT_EQ(p.density_min, 1e8);
  EXPECT_EQ(p.density_max, 1e9);
  EXPECT_EQ(p.temperature_min, 1.2e9);
  EXPECT_EQ(p.temperature_max, 1.4e9);
  EXPECT_EQ(p.x12_min, 0.3);
  EXPECT_EQ(p.x12_max, 1.0);
  EXPECT_EQ(p.dt, 1e-3);
  EXPECT_EQ(p.burn.rtol, 1e-8);
  EXPECT_EQ(p.burn.atol, 1e-12);
  EXPECT_EQ(p.burn.max_steps, 20000);
  EXPECT_EQ(p.data_file, "reactions_data.h5");
  EXPECT_EQ(p.mlp.layers, "dense 64 gelu, residual 64 gelu, residual 64 gelu, dense 2 linear");
  EXPECT_EQ(p.mlp.precision, "float32");
  expect_shared_defaults(p.mlp);
  EXPECT_EQ(p.mlp.model_file, "surrogate.h5");
}

template <class S>
void expect_run_loop_keys_in_epochs()
{
  const auto c = empty_deck<S>();
  EXPECT_EQ(c.get_int("output.checkpoint_interval"), 10);
  EXPECT_EQ(c.get_real("output.checkpoint_wall_seconds"), 0.0);
  EXPECT_EQ(c.get_int("output.table_interval"), 1);
  EXPECT_EQ(c.get_int("output.log_interval"), 1);
  EXPECT_EQ(c.schema().find("output.interval"), nullptr); // the model file is written once, at the end
  EXPECT_EQ(c.schema().new_name_of("output.checkpoint_every"), "output.checkpoint_interval");
  EXPECT_EQ(c.schema().new_name_of("training.log_every"), "output.log_interval");
  const auto info = S::info();
  EXPECT_EQ(info.unit.name, "epoch");
  EXPECT_FALSE(info.unit.continuous);
  EXPECT_EQ(info.table_key, "output.history"); // the table is the file output.history names
  EXPECT_EQ(info.table_style, TableStyle::csv);
  EXPECT_FALSE(info.final_checkpoint);
}

TEST(Defaults, RunLoopKeysCountEpochs)
{
  expect_run_loop_keys_in_epochs<MlpSimulation>();
  expect_run_loop_keys_in_epochs<ReactionsSimulation>();
}

// What a restart continues: the same optimisation of the same model on the same data.
const std::set<std::string> fixed_training_keys = {"model.layers",
                                                   "model.precision",
                                                   "model.init",
                                                   "model.leaky_slope",
                                                   "model.seed",
                                                   "training.loss",
                                                   "training.optimizer",
                                                   "training.learning_rate",
                                                   "training.momentum",
                                                   "training.beta1",
                                                   "training.beta2",
                                                   "training.epsilon",
                                                   "training.l1",
                                                   "training.l2",
                                                   "training.batch",
                                                   "training.shuffle",
                                                   "data.validation_fraction"};

template <class S>
void expect_fixed_keys(const std::set<std::string>& more)
{
  const auto schema = S::schema();
  for (const auto& key : schema.keys()) {
    const bool fixed = fixed_training_keys.count(key.name) > 0 || more.count(key.name) > 0;
    EXPECT_EQ(key.fixed_on_restart, fixed) << key.name;
  }
}

TEST(Defaults, ARestartMustKeepTheDataModelAndOptimiserOnly)
{
  expect_fixed_keys<MlpSimulation>({"data.file", "data.targets", "data.inputs_dataset", "data.targets_dataset",
                                    "data.scale_inputs", "data.scale_targets"});
  expect_fixed_keys<ReactionsSimulation>({"network.zones", "network.density_min", "network.density_max",
                                          "network.temperature_min", "network.temperature_max", "network.x12_min",
                                          "network.x12_max", "network.dt", "network.rtol", "network.atol",
                                          "network.max_steps"});
}

TEST(Defaults, TheFilesARunReadsAreFlagged)
{
  const auto schema = MlpSimulation::schema();
  for (const auto& key : schema.keys()) {
    const bool reads = key.name == "data.file" || key.name == "predict.model" || key.name == "predict.data";
    EXPECT_EQ(key.reads_file, reads) << key.name;
  }
}

TEST(Defaults, TheFilesARunWritesAreFlagged)
{
  EXPECT_EQ(params_for<MlpSimulation>({"output.history="}).history_file, "");
  EXPECT_EQ(params_for<MlpSimulation>({"output.history=metrics.csv"}).history_file, "metrics.csv");
  const auto schema = MlpSimulation::schema();
  for (const auto* key : {"output.history", "output.model", "predict.output"})
    EXPECT_TRUE(schema.find(key)->writes_file) << key;
  const auto reactions = ReactionsSimulation::schema();
  for (const auto* key : {"output.history", "output.model", "output.data"})
    EXPECT_TRUE(reactions.find(key)->writes_file) << key;
}

} // namespace
} // namespace tessera::nn
