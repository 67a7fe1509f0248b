// SPDX-License-Identifier: Apache-2.0
// Learning problems: XOR is learnt, a 1-D regression reaches a loss threshold, SGD and Adam
// lower the loss at every step of a convex problem (linear least squares, full batch).
#include <gtest/gtest.h>

#include <cmath>

#include "nn_testing.hpp"
#include "tessera/nn/samples.hpp"
#include "tessera/nn/trainer.hpp"

namespace {

using namespace tessera::nn::testing;
using tessera::Comm;
using tessera::nn::DeviceSamples;
using tessera::nn::Loss;
using tessera::nn::Model;
using tessera::nn::Optimizer;
using tessera::nn::Samples;
using tessera::nn::Trainer;

DeviceSamples<double> device_samples(int inputs, int outputs, const std::vector<double>& x,
                                     const std::vector<double>& y)
{
  Samples s;
  s.inputs = inputs;
  s.outputs = outputs;
  s.count = static_cast<tessera::Index>(y.size()) / outputs;
  s.x = x;
  s.y = y;
  return tessera::nn::to_device<double>(s);
}

TEST(Learning, XorIsLearnt)
{
  const auto data = device_samples(2, 1, {0, 0, 0, 1, 1, 0, 1, 1}, {0, 1, 1, 0});
  Model<double> model(architecture(2, "dense 8 tanh, dense 1 sigmoid"));
  model.initialise(tessera::ExecSpace{}, 3);
  const auto p = keys({"training.learning_rate=0.05", "training.batch=4"});
  Optimizer<double> adam(p.optimizer, model.parameter_count());
  const Comm comm;
  Trainer<double> trainer(comm, model, adam, Loss::bce, train_settings(p));
  for (int epoch = 0; epoch < 400; ++epoch)
    trainer.train_epoch(data, epoch);
  const auto result = trainer.evaluate(data);
  EXPECT_EQ(result.accuracy, 1.0);
  EXPECT_LT(result.loss, 0.05);
}

TEST(Learning, SineRegressionReachesTheLossThreshold)
{
  std::vector<double> x, y;
  for (int k = 0; k < 256; ++k) {
    x.push_back(-M_PI + 2 * M_PI * (k + 0.5) / 256);
    y.push_back(std::sin(x.back()));
  }
  const auto data = device_samples(1, 1, x, y);
  Model<double> model(architecture(1, "dense 32 tanh, dense 32 tanh, dense 1 linear"));
  model.initialise(tessera::ExecSpace{}, 5);
  const auto p = keys({"training.learning_rate=0.01", "training.batch=32"});
  Optimizer<double> adam(p.optimizer, model.parameter_count());
  const Comm comm;
  Trainer<double> trainer(comm, model, adam, Loss::mse, train_settings(p));
  const double initial = trainer.evaluate(data).loss;
  for (int epoch = 0; epoch < 300; ++epoch)
    trainer.train_epoch(data, epoch);
  const double final_loss = trainer.evaluate(data).loss;
  EXPECT_GT(initial, 0.1);
  EXPECT_LT(final_loss, 1e-3);
}

// y = 0.5 x0 - 2 x1 + x2 + 0.3 on 64 random points: a linear layer with mse is a convex
// quadratic; with small steps the full-batch loss must fall at every step.
void expect_monotone_descent(const std::string& optimizer, double learning_rate)
{
  const auto xm = random_matrix<double>(3, 64, 17);
  auto xh = tessera::host_copy(xm);
  std::vector<double> x(xh.data(), xh.data() + xh.span()), y;
  for (int j = 0; j < 64; ++j)
    y.push_back(0.5 * x[3 * j] - 2 * x[3 * j + 1] + x[3 * j + 2] + 0.3);
  const auto data = device_samples(3, 1, x, y);
  Model<double> model(architecture(3, "dense 1 linear"));
  model.initialise(tessera::ExecSpace{}, 7);
  const auto p = keys({"training.optimizer=" + optimizer, "training.learning_rate=" + std::to_string(learning_rate),
                       "training.batch=64", "training.shuffle=false"});
  Optimizer<double> descent(p.optimizer, model.parameter_count());
  const Comm comm;
  Trainer<double> trainer(comm, model, descent, Loss::mse, train_settings(p));
  double previous = trainer.evaluate(data).loss;
  const double initial = previous;
  for (int step = 0; step < 60; ++step) {
    trainer.train_epoch(data, step);
    const double loss = trainer.evaluate(data).loss;
    EXPECT_LT(loss, previous) << "step " << step;
    previous = loss;
  }
  EXPECT_LT(previous, 0.5 * initial);
}

TEST(Learning, SgdLowersAConvexLossAtEveryStep)
{
  expect_monotone_descent("sgd", 0.1);
}

TEST(Learning, AdamLowersAConvexLossAtEveryStep)
{
  expect_monotone_descent("adam", 0.01);
}

} // namespace
