// SPDX-License-Identifier: Apache-2.0
// Data-parallel training (run at 1 and 2 ranks): each rank trains the same model alone
// (MPI_COMM_SELF, the whole global batch) and together with the others (its share of every
// global batch); the weights must agree to 1e-12 relative in double precision. Model files:
// save then load reproduces predictions bit for bit, and training continued from a saved
// model (optimiser state included) matches training that never stopped. The simulation
// tessera-mlp runs: a restart from its checkpoint (written by all ranks, as the run loop
// does) continues bit for bit; early stopping ends it after training.patience epochs and the
// model file holds the best epoch's weights; an interrupted run writes no model file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "nn_testing.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/nn/model_file.hpp"
#include "tessera/nn/samples.hpp"
#include "tessera/nn/trainer.hpp"

namespace {

using namespace tessera::nn::testing;
using tessera::Comm;
using tessera::ExecSpace;
using tessera::nn::DeviceSamples;
using tessera::nn::Loss;
using tessera::nn::Model;
using tessera::nn::Optimizer;

template <class T>
DeviceSamples<T> regression_data(tessera::Index n)
{
  return {random_matrix<T>(4, n, 21), random_matrix<T>(2, n, 22)};
}

const char* layers = "dense 16 tanh, residual 16 relu, dense 2 linear";

template <class T>
std::vector<T> train(const Comm& comm, int epochs, tessera::Index batch)
{
  const auto data = regression_data<T>(100);
  Model<T> model(architecture(4, layers));
  model.initialise(ExecSpace{}, 11);
  const auto p = keys({fmt::format("training.batch={}", batch), "model.seed=5"});
  Optimizer<T> adam(p.optimizer, model.parameter_count());
  tessera::nn::Trainer<T> trainer(comm, model, adam, Loss::mse, train_settings(p));
  for (int epoch = 0; epoch < epochs; ++epoch)
    trainer.train_epoch(data, epoch);
  return host_vector(model.parameters());
}

TEST(DataParallel, SameWeightsAsOneRankWithTheSameGlobalBatch)
{
  const Comm world, self(MPI_COMM_SELF);
  // 24 does not divide 100: the last global batch has 4 samples (2 per rank at 2 ranks).
  for (const tessera::Index batch : {24, 100, 3}) {
    SCOPED_TRACE(::testing::Message() << "global batch " << batch);
    const auto alone = train<double>(self, 3, batch);
    const auto together = train<double>(world, 3, batch);
    ASSERT_EQ(alone.size(), together.size());
    double worst = 0;
    for (std::size_t i = 0; i < alone.size(); ++i)
      worst = std::max(worst, std::fabs(alone[i] - together[i]) / std::max(std::fabs(alone[i]), 1e-3));
    EXPECT_LT(worst, 1e-12);
  }
}

TEST(DataParallel, EvaluationIsTheSameOnAnyNumberOfRanks)
{
  const Comm world, self(MPI_COMM_SELF);
  const auto data = regression_data<double>(37);
  Model<double> model(architecture(4, layers));
  model.initialise(ExecSpace{}, 2);
  const auto p = keys({"training.batch=8"});
  Optimizer<double> adam(p.optimizer, model.parameter_count());
  tessera::nn::Trainer<double> alone(self, model, adam, Loss::mse, train_settings(p));
  tessera::nn::Trainer<double> together(world, model, adam, Loss::mse, train_settings(p));
  EXPECT_NEAR(alone.evaluate(data).loss, together.evaluate(data).loss, 1e-14);
}

template <class T>
void expect_saved_model_predicts_the_same()
{
  const Comm world;
  const auto path = std::filesystem::path("nn_test_model_") += tessera::nn::precision_name<T>();
  const auto data = regression_data<T>(50);
  Model<T> model(architecture(4, layers));
  model.initialise(ExecSpace{}, 4);
  const auto p = keys({"training.batch=10"});
  Optimizer<T> adam(p.optimizer, model.parameter_count());
  tessera::nn::Trainer<T> trainer(world, model, adam, Loss::mse, train_settings(p));
  trainer.train_epoch(data, 0);
  tessera::nn::Scaler inputs;
  inputs.fit({1, 2, 3, 4, 5, 6, 7, 9}, 2, 4);
  tessera::nn::TrainingProgress<T> progress;
  progress.epochs = 1;
  tessera::nn::save_model(world, path.string() + ".h5", model, adam, Loss::mse, inputs, {}, progress);

  const auto file = tessera::nn::load_model(path.string() + ".h5");
  EXPECT_EQ(file.architecture.text(), model.architecture().text());
  EXPECT_EQ(file.precision, tessera::nn::precision_name<T>());
  EXPECT_EQ(file.epochs, 1);
  EXPECT_EQ(file.optimizer_steps, 5);
  EXPECT_EQ(file.input_scaler.mean, inputs.mean);
  EXPECT_TRUE(file.target_scaler.empty());
  Model<T> loaded(file.architecture);
  tessera::nn::restore(file, loaded);
  const auto expected = tessera::host_copy(model.forward(ExecSpace{}, data.inputs));
  const auto got = tessera::host_copy(loaded.forward(ExecSpace{}, data.inputs));
  for (std::size_t k = 0; k < expected.span(); ++k)
    ASSERT_EQ(expected.data()[k], got.data()[k]) << "output " << k;
}

TEST(ModelFiles, SaveThenLoadPredictsBitForBit)
{
  expect_saved_model_predicts_the_same<double>();
  expect_saved_model_predicts_the_same<float>();
}

TEST(ModelFiles, TrainingContinuesWhereTheSavedModelStopped)
{
  const Comm world;
  const auto data = regression_data<double>(60);
  const auto p = keys({"training.batch=16", "model.seed=3"});
  const auto run = [&](bool save_after_first) {
    Model<double> model(architecture(4, layers));
    model.initialise(ExecSpace{}, 8);
    Optimizer<double> adam(p.optimizer, model.parameter_count());
    tessera::nn::Trainer<double> trainer(world, model, adam, Loss::mse, train_settings(p));
    trainer.train_epoch(data, 0);
    if (!save_after_first) {
      trainer.train_epoch(data, 1);
      return host_vector(model.parameters());
    }
    tessera::nn::TrainingProgress<double> progress;
    progress.epochs = 1;
    tessera::nn::save_model(world, "nn_test_continue.h5", model, adam, Loss::mse, {}, {}, progress);
    const auto file = tessera::nn::load_model("nn_test_continue.h5");
    Model<double> resumed(file.architecture);
    Optimizer<double> resumed_adam(file.optimizer, resumed.parameter_count());
    tessera::nn::restore(file, resumed, &resumed_adam);
    tessera::nn::Trainer<double> again(world, resumed, resumed_adam, Loss::mse, train_settings(p));
    again.train_epoch(data, 1);
    return host_vector(resumed.parameters());
  };
  EXPECT_EQ(run(false), run(true));
}

TEST(ModelFiles, ADamagedFileIsRefused)
{
  const Comm world;
  EXPECT_THROW(tessera::nn::load_model("no_such_model.h5"), tessera::IoError);
  if (world.is_root()) {
    std::FILE* f = std::fopen("nn_test_not_a_model.h5", "w");
    std::fputs("not hdf5", f);
    std::fclose(f);
  }
  world.barrier();
  EXPECT_THROW(tessera::nn::load_model("nn_test_not_a_model.h5"), tessera::Error);
}

// y = sin(2 x0) + x0 x1 on 120 random points, as tessera-mlp reads it (rank 0 writes it; one
// file per rank count, since the 1- and 2-rank tests may run at the same time).
std::filesystem::path regression_csv(const Comm& comm)
{
  const auto path = std::filesystem::path(fmt::format("nn_test_regression_np{}.csv", comm.size()));
  if (comm.is_root()) {
    std::ofstream out(path);
    out << "x0,x1,y\n";
    tessera::RandomDraws rng(5, 1, 0);
    for (int i = 0; i < 120; ++i) {
      const double x0 = rng.uniform(-1.0, 1.0), x1 = rng.uniform(-1.0, 1.0);
      out << fmt::format("{:.17g},{:.17g},{:.17g}\n", x0, x1, std::sin(2 * x0) + x0 * x1);
    }
  }
  comm.barrier();
  return path;
}

tessera::nn::MlpParams regression_run(const Comm& comm, std::vector<std::string> more)
{
  more.insert(more.begin(), {"data.file=" + regression_csv(comm).string(),
                             "model.layers=dense 16 tanh, residual 16 relu, dense 1 linear", "model.precision=float64",
                             "training.batch=16", "training.epochs=4", "training.patience=0"});
  return keys(more);
}

// (train_loss, validation_loss) of the table row after each advance.
std::vector<std::pair<double, double>> losses(tessera::nn::MlpSimulation& sim, int epochs)
{
  std::vector<std::pair<double, double>> out;
  for (int e = 0; e < epochs; ++e) {
    sim.advance(sim.end());
    const auto row = sim.diagnostics();
    out.emplace_back(std::get<double>(row.cells.at(1).second), std::get<double>(row.cells.at(2).second));
  }
  return out;
}

std::vector<double> parameters(tessera::nn::MlpSimulation& sim)
{
  return sim.training().visit([](auto& run) {
    const auto host = tessera::host_copy(run.model().parameters());
    return std::vector<double>(host.data(), host.data() + host.extent(0));
  });
}

TEST(Simulation, RestartFromItsCheckpointContinuesBitForBit)
{
  const Comm world;
  const auto p = regression_run(world, {});
  const tessera::RunContext context{world};
  tessera::nn::MlpSimulation whole(context, p);
  const auto uninterrupted = losses(whole, 4);

  tessera::nn::MlpSimulation first(context, p);
  losses(first, 2);
  const auto path = std::filesystem::path(fmt::format("nn_test_mlp_np{}.chk.h5", world.size()));
  {
    tessera::CheckpointWriter writer(world, path);
    first.write_checkpoint(writer);
    writer.commit();
  }
  tessera::CheckpointReader reader(world, path);
  tessera::nn::MlpSimulation again(context, p, reader);
  EXPECT_EQ(again.position(), 2.0);
  EXPECT_TRUE(again.diagnostics().empty()); // no epoch of its own yet
  const auto continued = losses(again, 2);
  EXPECT_EQ(continued[0], uninterrupted[2]);
  EXPECT_EQ(continued[1], uninterrupted[3]);
  EXPECT_EQ(parameters(again), parameters(whole));
  EXPECT_EQ(again.position(), again.end());
}

TEST(Simulation, EarlyStoppingKeepsTheBestEpochInTheModelFile)
{
  const Comm world;
  // No later epoch improves on the first by more than 1e9: stop after epoch 1 + patience.
  const auto p = regression_run(world, {"training.epochs=10", "training.patience=2", "training.min_delta=1e9"});
  const auto dir = std::filesystem::path(fmt::format("nn_test_early_np{}", world.size()));
  if (world.is_root()) std::filesystem::create_directories(dir);
  world.barrier();
  tessera::nn::MlpSimulation sim(tessera::RunContext{world, dir}, p);
  losses(sim, 1);
  const auto best = parameters(sim);
  while (!sim.finished())
    losses(sim, 1);
  EXPECT_EQ(sim.position(), 3.0);
  EXPECT_NE(parameters(sim), best);
  sim.write_output({0, true, false});
  const auto file = tessera::nn::load_model(dir / "model.h5");
  EXPECT_EQ(file.epochs, 3);
  EXPECT_EQ(file.best_epoch, 1);
  EXPECT_EQ(file.parameters, best);
  const auto results = sim.results();
  EXPECT_TRUE(results.json.at("stopped_early").get<bool>());
  EXPECT_EQ(results.json.at("model_file").get<std::string>(), (dir / "model.h5").string());
}

TEST(Simulation, AnInterruptedRunWritesNoModelFile)
{
  const Comm world;
  const auto dir = std::filesystem::path(fmt::format("nn_test_interrupted_np{}", world.size()));
  if (world.is_root()) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  world.barrier();
  tessera::nn::MlpSimulation sim(tessera::RunContext{world, dir}, regression_run(world, {}));
  losses(sim, 1);
  sim.write_output({0, true, true});
  EXPECT_FALSE(std::filesystem::exists(dir / "model.h5"));
  EXPECT_EQ(sim.results().json.at("model_file").get<std::string>(), "");
}

} // namespace
