// Data-parallel training (run at 1 and 2 ranks): each rank trains the same model alone
// (MPI_COMM_SELF, the whole global batch) and together with the others (its share of every
// global batch); the weights must agree to 1e-12 relative in double precision. Model files:
// save then load reproduces predictions bit for bit, and training continued from a saved
// model (optimiser state included) matches training that never stopped.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

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
  Optimizer<T> adam({}, model.parameter_count());
  tessera::nn::Trainer<T> trainer(comm, model, adam, Loss::mse, {batch, 5, true});
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
  Optimizer<double> adam({}, model.parameter_count());
  tessera::nn::Trainer<double> alone(self, model, adam, Loss::mse, {8, 1, true});
  tessera::nn::Trainer<double> together(world, model, adam, Loss::mse, {8, 1, true});
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
  Optimizer<T> adam({}, model.parameter_count());
  tessera::nn::Trainer<T> trainer(world, model, adam, Loss::mse, {10, 1, true});
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
  const auto run = [&](bool save_after_first) {
    Model<double> model(architecture(4, layers));
    model.initialise(ExecSpace{}, 8);
    Optimizer<double> adam({}, model.parameter_count());
    tessera::nn::Trainer<double> trainer(world, model, adam, Loss::mse, {16, 3, true});
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
    tessera::nn::Trainer<double> again(world, resumed, resumed_adam, Loss::mse, {16, 3, true});
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

} // namespace
