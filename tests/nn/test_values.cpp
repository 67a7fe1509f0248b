// SPDX-License-Identifier: Apache-2.0
// A fixed tiny network with given weights: outputs, loss and gradients worked out by hand
// (all exact in binary), then one Adam and one SGD step from those gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "nn_testing.hpp"
#include "tessera/nn/loss.hpp"
#include "tessera/nn/optimizer.hpp"

namespace {

using namespace tessera::nn::testing;
using tessera::ExecSpace;
using tessera::Matrix;
using tessera::nn::Loss;
using tessera::nn::Model;

// 2 inputs -> dense 2 relu -> dense 1 linear, parameters in buffer order (W column-major,
// then b, per layer): W1 = [[1, -1], [0.5, 2]], b1 = (0.5, -1), W2 = [2, -1], b2 = 0.25.
Model<double> tiny_network()
{
  Model<double> model(architecture(2, "dense 2 relu, dense 1 linear"));
  const double parameters[] = {1, 0.5, -1, 2, 0.5, -1, 2, -1, 0.25};
  for (std::size_t i = 0; i < 9; ++i)
    set_parameter(model, i, parameters[i]);
  return model;
}

Matrix<double> column(std::initializer_list<double> values)
{
  Matrix<double> m("column", values.size(), 1);
  auto host = Kokkos::create_mirror_view(m);
  std::size_t i = 0;
  for (const double v : values)
    host(i++, 0) = v;
  Kokkos::deep_copy(m, host);
  return m;
}

// For x = (1, 2), t = 1:
//   z1 = W1 x + b1 = (1 - 2 + 0.5, 0.5 + 4 - 1) = (-0.5, 3.5), h = relu(z1) = (0, 3.5)
//   y = 2 * 0 - 3.5 + 0.25 = -3.25, L = (y - t)^2 = 18.0625, dL/dy = 2 (y - t) = -8.5
//   dW2 = dL/dy h = (0, -29.75), db2 = -8.5, dh = W2^T dL/dy = (-17, 8.5)
//   dz1 = dh * relu'(z1) = (0, 8.5), dW1 = dz1 x^T = [[0, 0], [8.5, 17]], db1 = (0, 8.5)
const double expected_gradient[] = {0, 8.5, 0, 17, 0, 8.5, 0, -29.75, -8.5};

std::vector<double> gradient_of_tiny_network(Model<double>& model)
{
  const auto x = column({1, 2}), t = column({1});
  const auto y = model.forward(ExecSpace{}, x);
  Matrix<double> dy("dy", 1, 1);
  Kokkos::View<double, tessera::MemSpace> loss("loss");
  tessera::nn::loss_and_gradient<double>(ExecSpace{}, Loss::mse, tessera::nn::Activation::linear, y, t, 1.0, dy, loss);
  model.backward(ExecSpace{}, x, dy, false);
  EXPECT_EQ(tessera::host_copy(y)(0, 0), -3.25);
  double host_loss = 0;
  Kokkos::deep_copy(host_loss, loss);
  EXPECT_EQ(host_loss, 18.0625);
  return host_vector(model.gradients());
}

TEST(HandComputed, TinyNetworkOutputLossAndGradients)
{
  auto model = tiny_network();
  const auto gradient = gradient_of_tiny_network(model);
  for (std::size_t i = 0; i < 9; ++i)
    EXPECT_EQ(gradient[i], expected_gradient[i]) << "parameter " << i;
}

// Adam's first step moves every parameter with a non-zero gradient by lr * sign(g) (m and v
// are g/10 and g^2/1000, and the bias corrections cancel both factors), up to eps / |g|.
TEST(HandComputed, FirstAdamStepMovesByTheLearningRate)
{
  auto model = tiny_network();
  const auto before = host_vector(model.parameters());
  gradient_of_tiny_network(model);
  const auto settings = keys({"training.optimizer=adam", "training.learning_rate=0.01"}).optimizer;
  tessera::nn::Optimizer<double> adam(settings, model.parameter_count());
  adam.step(ExecSpace{}, model.parameters(), model.gradients(), model.weight_mask());
  const auto after = host_vector(model.parameters());
  for (std::size_t i = 0; i < 9; ++i) {
    const double g = expected_gradient[i];
    const double step = g == 0 ? 0 : (g > 0 ? 0.01 : -0.01);
    EXPECT_NEAR(after[i], before[i] - step, 1e-9) << "parameter " << i;
  }
}

// SGD with momentum 0.5 and an L2 penalty 0.1 on weights (not biases), two steps with the
// same gradient g: v1 = g + 0.1 w0, w1 = w0 - lr v1; v2 = 0.5 v1 + g + 0.1 w1, w2 = w1 - lr v2.
TEST(HandComputed, SgdWithMomentumAndWeightPenalty)
{
  auto model = tiny_network();
  const auto w0 = host_vector(model.parameters());
  gradient_of_tiny_network(model);
  const auto settings =
      keys({"training.optimizer=sgd", "training.learning_rate=0.125", "training.momentum=0.5", "training.l2=0.1"})
          .optimizer;
  tessera::nn::Optimizer<double> sgd(settings, model.parameter_count());
  sgd.step(ExecSpace{}, model.parameters(), model.gradients(), model.weight_mask());
  sgd.step(ExecSpace{}, model.parameters(), model.gradients(), model.weight_mask());
  const auto w2 = host_vector(model.parameters());
  const bool is_weight[] = {true, true, true, true, false, false, true, true, false};
  for (std::size_t i = 0; i < 9; ++i) {
    const double penalty = is_weight[i] ? 0.1 : 0.0, g = expected_gradient[i];
    const double v1 = g + penalty * w0[i], w1 = w0[i] - 0.125 * v1;
    const double v2 = 0.5 * v1 + g + penalty * w1;
    EXPECT_NEAR(w2[i], w1 - 0.125 * v2, 1e-14) << "parameter " << i;
  }
}

// Softmax + categorical cross-entropy: with W = 0 and b = (0, ln 3) the output is
// (1/4, 3/4) for any input; t = (0, 1) gives L = ln(4/3) and dL/dz = p - t = (1/4, -1/4).
TEST(HandComputed, SoftmaxCrossEntropy)
{
  Model<double> model(architecture(1, "dense 2 softmax"));
  set_parameter(model, 3, std::log(3.0));
  const auto x = column({0.7}), t = column({0, 1});
  const auto y = model.forward(ExecSpace{}, x);
  Matrix<double> dz("dz", 2, 1);
  Kokkos::View<double, tessera::MemSpace> loss("loss");
  tessera::nn::loss_and_gradient<double>(ExecSpace{}, Loss::cce, tessera::nn::Activation::softmax, y, t, 1.0, dz, loss);
  const auto yh = tessera::host_copy(y), dzh = tessera::host_copy(dz);
  EXPECT_NEAR(yh(0, 0), 0.25, 1e-15);
  EXPECT_NEAR(yh(1, 0), 0.75, 1e-15);
  double host_loss = 0;
  Kokkos::deep_copy(host_loss, loss);
  EXPECT_NEAR(host_loss, std::log(4.0 / 3.0), 1e-15);
  EXPECT_NEAR(dzh(0, 0), 0.25, 1e-15);
  EXPECT_NEAR(dzh(1, 0), -0.25, 1e-15);
}

} // namespace
