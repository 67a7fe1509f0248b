// SPDX-License-Identifier: Apache-2.0
// Every layer's and loss's gradient against central finite differences of the loss, in
// double precision on random inputs: dense layers with each activation, softmax with each
// loss that fits it (including the unfused path, softmax + mse), sigmoid + bce, residual
// blocks, and both matrix-product paths.
#include <gtest/gtest.h>

#include <cmath>

#include "nn_testing.hpp"
#include "tessera/nn/loss.hpp"

namespace {

using namespace tessera::nn::testing;
using tessera::ExecSpace;
using tessera::Index;
using tessera::Matrix;
using tessera::nn::Loss;
using tessera::nn::Model;

struct Problem {
  Model<double> model;
  Matrix<double> x, t;
  Loss loss;
};

double mean_loss(Problem& p)
{
  Kokkos::View<double, tessera::MemSpace> sum("sum");
  const auto y = p.model.forward(ExecSpace{}, p.x);
  tessera::nn::loss_sum<double>(ExecSpace{}, p.loss, y, p.t, sum);
  double host = 0;
  Kokkos::deep_copy(host, sum);
  return host / static_cast<double>(p.x.extent(1));
}

// Largest |analytic - numerical| / max(|numerical|, 1e-3) over every 7th parameter.
double worst_gradient_error(Problem& p)
{
  const Index n = p.x.extent(1);
  const auto y = p.model.forward(ExecSpace{}, p.x);
  Matrix<double> dy("dy", y.extent(0), n);
  Kokkos::View<double, tessera::MemSpace> sum("sum");
  const auto output = p.model.architecture().output_activation();
  tessera::nn::loss_and_gradient<double>(ExecSpace{}, p.loss, output, y, p.t, static_cast<double>(n), dy, sum);
  p.model.backward(ExecSpace{}, p.x, dy, tessera::nn::loss_gives_preactivation_gradient(p.loss, output));
  const auto analytic = host_vector(p.model.gradients());
  const auto parameters = host_vector(p.model.parameters());
  double worst = 0;
  for (std::size_t i = 0; i < parameters.size(); i += 7) {
    const double h = 1e-6 * std::max(1.0, std::fabs(parameters[i]));
    set_parameter(p.model, i, parameters[i] + h);
    const double up = mean_loss(p);
    set_parameter(p.model, i, parameters[i] - h);
    const double down = mean_loss(p);
    set_parameter(p.model, i, parameters[i]);
    const double numerical = (up - down) / (2 * h);
    worst = std::max(worst, std::fabs(analytic[i] - numerical) / std::max(std::fabs(numerical), 1e-3));
  }
  return worst;
}

Problem make(const std::string& layers, Loss loss, int inputs = 5, Index n = 9,
             tessera::GemmPath path = tessera::GemmPath::library)
{
  Problem p{Model<double>(architecture(inputs, layers), path), random_matrix<double>(inputs, n, 1), {}, loss};
  p.model.initialise(ExecSpace{}, 42);
  const int outputs = p.model.outputs();
  p.t = (loss == Loss::cce || loss == Loss::kl) ? random_distributions<double>(outputs, n, 2)
        : loss == Loss::bce                     ? random_matrix<double>(outputs, n, 2, 0.0, 1.0)
                                                : random_matrix<double>(outputs, n, 2);
  return p;
}

TEST(Gradients, DenseLayersWithEveryActivationMatchFiniteDifferences)
{
  for (const char* activation : {"linear", "relu", "leaky_relu", "sigmoid", "tanh", "gelu"}) {
    SCOPED_TRACE(activation);
    auto p = make(std::string("dense 7 ") + activation + ", dense 6 " + activation + ", dense 3 linear", Loss::mse);
    EXPECT_LT(worst_gradient_error(p), 1e-6);
  }
}

TEST(Gradients, EveryLossMatchesFiniteDifferences)
{
  struct Case {
    const char* layers;
    Loss loss;
  };
  for (const auto& c :
       {Case{"dense 6 tanh, dense 4 softmax", Loss::cce}, Case{"dense 6 tanh, dense 4 softmax", Loss::kl},
        Case{"dense 6 tanh, dense 4 softmax", Loss::mse}, Case{"dense 6 tanh, dense 3 sigmoid", Loss::bce},
        Case{"dense 6 tanh, dense 3 sigmoid", Loss::mse}, Case{"dense 6 gelu, dense 2 linear", Loss::mse}}) {
    SCOPED_TRACE(std::string(c.layers) + " " + tessera::nn::loss_name(c.loss));
    auto p = make(c.layers, c.loss);
    EXPECT_LT(worst_gradient_error(p), 1e-6);
  }
}

TEST(Gradients, ResidualBlocksMatchFiniteDifferences)
{
  auto first = make("residual 5 tanh, dense 4 relu, residual 4 gelu, dense 2 linear", Loss::mse);
  EXPECT_LT(worst_gradient_error(first), 1e-6);
  auto later = make("dense 6 relu, residual 6 sigmoid, residual 6 leaky_relu, dense 3 softmax", Loss::cce);
  EXPECT_LT(worst_gradient_error(later), 1e-6);
}

TEST(Gradients, PortableProductsGiveTheSameGradients)
{
  // Wider than one 64 x 64 tile of the portable kernel, so its edges are exercised too.
  auto library = make("dense 70 tanh, dense 3 linear", Loss::mse, 66, 130, tessera::GemmPath::library);
  auto portable = make("dense 70 tanh, dense 3 linear", Loss::mse, 66, 130, tessera::GemmPath::portable);
  EXPECT_LT(worst_gradient_error(portable), 1e-6);
  worst_gradient_error(library);
  const auto a = host_vector(library.model.gradients()), b = host_vector(portable.model.gradients());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_NEAR(a[i], b[i], 1e-13 * std::max(1.0, std::fabs(a[i]))) << "parameter " << i;
}

} // namespace
