// SPDX-License-Identifier: Apache-2.0
// The building blocks of normalizing flows on a lattice, in double precision: the periodic
// convolution against a direct host sum and its gradients against finite differences; a
// coupling layer and a whole flow inverted to 1e-12; the flow's log-density against the
// log-determinant of its Jacobian by finite differences; the reverse-KL gradient against
// finite differences of the loss.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "jacobian_testing.hpp"
#include "nn_testing.hpp"
#include "tessera/nn/affine_flow.hpp"
#include "tessera/nn/conv2d.hpp"
#include "tessera/nn/independence_chain.hpp"
#include "tessera/nn/reverse_kl.hpp"

namespace {

using namespace tessera::nn::testing;
using tessera::Comm;
using tessera::ConstMatrix;
using tessera::ExecSpace;
using tessera::host_copy;
using tessera::Index;
using tessera::Matrix;
using tessera::MemSpace;
using tessera::nn::Activation;
using tessera::nn::AffineFlow;
using tessera::nn::AffineFlowSpec;
using tessera::nn::Conv2d;
using tessera::nn::FieldBatch;
using tessera::nn::LatticeShape;
using tessera::nn::SampleValues;

std::vector<double> to_host(const Kokkos::View<const double*, MemSpace>& v)
{
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace{}, v);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

FieldBatch<double> from_host(const std::vector<double>& values)
{
  FieldBatch<double> v("field", values.size());
  auto host = Kokkos::create_mirror_view(v);
  std::copy(values.begin(), values.end(), host.data());
  Kokkos::deep_copy(v, host);
  return v;
}

// A conv2d layer with its own parameter buffers.
struct ConvSetup {
  Conv2d<double> layer;
  Kokkos::View<double*, MemSpace> parameters, gradients;
  ConvSetup(LatticeShape shape, int in, int out, Activation activation)
      : layer(shape, in, out, 3, activation, 0.1), parameters("p", layer.parameter_count()),
        gradients("g", layer.parameter_count())
  {
    layer.bind(parameters.data(), gradients.data());
    layer.initialise(ExecSpace{}, 5, 0, tessera::nn::Initialiser::automatic);
  }
};

TEST(Conv2d, MatchesADirectPeriodicSum)
{
  const LatticeShape shape{5, 4};
  const int in = 2, out = 3, samples = 2;
  const Index columns = samples * shape.sites();
  ConvSetup conv(shape, in, out, Activation::linear);
  const auto x = random_matrix<double>(in, columns, 1);
  const auto y = host_copy(Matrix<double>(conv.layer.forward(ExecSpace{}, x)));
  const auto xh = host_copy(x);
  const auto w = host_copy(conv.layer.weights());
  const auto b = host_copy(conv.layer.bias());
  double worst = 0;
  for (int s = 0; s < samples; ++s)
    for (int c = 0; c < out; ++c)
      for (int px = 0; px < shape.extent_x; ++px)
        for (int py = 0; py < shape.extent_y; ++py) {
          long double sum = b(c);
          for (int ci = 0; ci < in; ++ci)
            for (int a = 0; a < 3; ++a)
              for (int bb = 0; bb < 3; ++bb) {
                const int qx = (px + a - 1 + shape.extent_x) % shape.extent_x;
                const int qy = (py + bb - 1 + shape.extent_y) % shape.extent_y;
                sum += static_cast<long double>(w(c, ci * 9 + a * 3 + bb)) *
                       xh(ci, s * shape.sites() + shape.site(qx, qy));
              }
          worst = std::max(worst, std::abs(static_cast<double>(sum) - y(c, s * shape.sites() + shape.site(px, py))));
        }
  EXPECT_LT(worst, 1e-14);
}

// sum_ij c_ij y_ij for fixed random c: its gradients against central differences.
TEST(Conv2d, GradientsMatchFiniteDifferences)
{
  for (const Activation activation : {Activation::leaky_relu, Activation::tanh}) {
    const LatticeShape shape{4, 5};
    const int in = 2, out = 2;
    const Index columns = 2 * shape.sites();
    ConvSetup conv(shape, in, out, activation);
    const auto x = random_matrix<double>(in, columns, 2);
    const auto c = random_matrix<double>(out, columns, 3);
    const auto ch = host_copy(c);
    const auto loss = [&] {
      const auto y = host_copy(Matrix<double>(conv.layer.forward(ExecSpace{}, x)));
      double sum = 0;
      for (Index j = 0; j < columns; ++j)
        for (int i = 0; i < out; ++i)
          sum += ch(i, j) * y(i, j);
      return sum;
    };
    loss();
    Matrix<double> dx("dx", in, columns);
    conv.layer.backward(ExecSpace{}, x, c, false, dx);
    const auto grad = to_host(conv.gradients);
    const auto dxh = host_copy(dx);
    const double h = 1e-6;
    double worst = 0;
    for (std::size_t p = 0; p < conv.layer.parameter_count(); p += 3) {
      const double saved = to_host(conv.parameters)[p];
      Kokkos::deep_copy(Kokkos::subview(conv.parameters, p), saved + h);
      const double up = loss();
      Kokkos::deep_copy(Kokkos::subview(conv.parameters, p), saved - h);
      const double down = loss();
      Kokkos::deep_copy(Kokkos::subview(conv.parameters, p), saved);
      worst = std::max(worst, std::abs((up - down) / (2 * h) - grad[p]) / std::max(std::abs(grad[p]), 1e-3));
    }
    auto xh = host_copy(x);
    for (Index j = 0; j < columns; j += 3)
      for (int i = 0; i < in; ++i) {
        const double saved = xh(i, j);
        Kokkos::deep_copy(Kokkos::subview(x, i, j), saved + h);
        const double up = loss();
        Kokkos::deep_copy(Kokkos::subview(x, i, j), saved - h);
        const double down = loss();
        Kokkos::deep_copy(Kokkos::subview(x, i, j), saved);
        worst = std::max(worst, std::abs((up - down) / (2 * h) - dxh(i, j)) / std::max(std::abs(dxh(i, j)), 1e-3));
      }
    EXPECT_LT(worst, 1e-6) << tessera::nn::activation_name(activation);
  }
}

AffineFlowSpec small_flow(int layers)
{
  AffineFlowSpec spec;
  spec.coupling_layers = layers;
  spec.net.hidden_channels = {4, 4};
  return spec;
}

// The flow with its parameters scaled up so that the couplings are far from the identity.
AffineFlow<double> random_flow(const LatticeShape& shape, int layers, std::uint64_t seed)
{
  AffineFlow<double> flow(shape, small_flow(layers));
  flow.initialise(ExecSpace{}, seed);
  auto p = to_host(flow.parameters());
  for (auto& v : p)
    v *= 3;
  Kokkos::deep_copy(flow.parameters(), from_host(p));
  return flow;
}

TEST(Flow, InvertsToRoundingAndItsDensitiesAgree)
{
  const LatticeShape shape{6, 4};
  const Index samples = 3, n = samples * shape.sites();
  auto flow = random_flow(shape, 6, 21);
  FieldBatch<double> z("z", n);
  SampleValues<double> log_q("log_q", samples), log_q_inverse("log_q_inverse", samples);
  flow.draw_prior(ExecSpace{}, 3, 0, z, log_q);
  const auto phi = to_host(flow.forward(ExecSpace{}, z, log_q));
  const auto back = to_host(flow.inverse(ExecSpace{}, from_host(phi), log_q_inverse));
  const auto zh = to_host(z);
  double worst = 0, moved = 0;
  for (Index j = 0; j < n; ++j) {
    worst = std::max(worst, std::abs(back[j] - zh[j]));
    moved = std::max(moved, std::abs(phi[j] - zh[j]));
  }
  EXPECT_LT(worst, 1e-12);
  EXPECT_GT(moved, 0.1); // the flow is not the identity
  const auto a = to_host(log_q), b = to_host(log_q_inverse);
  for (Index s = 0; s < samples; ++s)
    EXPECT_NEAR(a[s], b[s], 1e-11 * std::abs(a[s]));
}

TEST(Flow, LogDensityIsThePriorsMinusTheJacobiansLogDeterminant)
{
  const LatticeShape shape{4, 4};
  const std::size_t v = shape.sites();
  auto flow = random_flow(shape, 4, 8);
  FieldBatch<double> z("z", v);
  SampleValues<double> log_r("log_r", 1), log_q("log_q", 1);
  flow.draw_prior(ExecSpace{}, 4, 0, z, log_r);
  const double prior = to_host(log_r)[0];
  Kokkos::deep_copy(log_q, log_r);
  flow.forward(ExecSpace{}, z, log_q);
  const double model = to_host(log_q)[0];
  const auto z0 = to_host(z);
  const auto image = [&](std::vector<double> zz) {
    SampleValues<double> scratch("scratch", 1);
    return to_host(flow.forward(ExecSpace{}, from_host(zz), scratch));
  };
  // Jacobian dphi_i / dz_j by central differences.
  std::vector<long double> jacobian(v * v);
  const double h = 1e-5;
  for (std::size_t j = 0; j < v; ++j) {
    auto up = z0, down = z0;
    up[j] += h;
    down[j] -= h;
    const auto a = image(up), b = image(down);
    for (std::size_t i = 0; i < v; ++i)
      jacobian[i * v + j] = (static_cast<long double>(a[i]) - b[i]) / (2 * h);
  }
  const double log_det = static_cast<double>(tessera::testing::log_abs_determinant(jacobian, v));
  EXPECT_GT(std::abs(log_det), 0.5); // a volume change worth testing
  EXPECT_NEAR(prior - model, log_det, 1e-7);
}

// S = sum_x [ phi^2 / 2 + phi^4 / 4 + 0.3 phi(x) phi(x + e_y) ]: a local action with
// non-trivial couplings, for the gradient test.
class TestAction final : public tessera::nn::LatticeAction<double> {
public:
  explicit TestAction(LatticeShape shape) : shape_(shape) {}
  Index components() const override { return shape_.sites(); }
  void evaluate(const ExecSpace& space, const tessera::nn::ConstFieldBatch<double>& phi,
                const SampleValues<double>& action) const override
  {
    FieldBatch<double> force("force", phi.extent(0));
    gradient(space, phi, action, force);
  }
  void gradient(const ExecSpace&, const tessera::nn::ConstFieldBatch<double>& phi, const SampleValues<double>& action,
                const FieldBatch<double>& force) const override
  {
    const auto p = to_host(phi);
    const Index v = shape_.sites(), samples = static_cast<Index>(p.size()) / v;
    std::vector<double> s(samples, 0.0), f(p.size(), 0.0);
    for (Index n = 0; n < samples; ++n)
      for (Index x = 0; x < v; ++x) {
        const double a = p[n * v + x], up = p[n * v + shape_.shifted(x, 0, 1)],
                     down = p[n * v + shape_.shifted(x, 0, -1)];
        s[n] += a * a / 2 + a * a * a * a / 4 + 0.3 * a * up;
        f[n * v + x] = a + a * a * a + 0.3 * (up + down);
      }
    Kokkos::deep_copy(action, from_host(s));
    Kokkos::deep_copy(force, from_host(f));
  }

private:
  LatticeShape shape_;
};

TEST(ReverseKl, GradientMatchesFiniteDifferencesOfTheLoss)
{
  const LatticeShape shape{4, 4};
  auto flow = random_flow(shape, 2, 13);
  const TestAction action(shape);
  tessera::nn::OptimizerSettings adam{tessera::nn::OptimizerKind::adam, 1e-3, 0, 0.9, 0.999, 1e-8, 0, 0};
  tessera::nn::Optimizer<double> optimizer(adam, flow.parameter_count());
  const Comm comm;
  tessera::nn::ReverseKlTrainer<double> trainer(comm, flow, action, optimizer, {5, 17});
  trainer.gradient(0);
  const auto gradient = to_host(flow.gradients());
  const double h = 1e-6;
  double worst = 0;
  for (std::size_t p = 0; p < flow.parameter_count(); p += 5) {
    const double saved = to_host(flow.parameters())[p];
    Kokkos::deep_copy(Kokkos::subview(flow.parameters(), p), saved + h);
    const double up = trainer.gradient(0).loss;
    Kokkos::deep_copy(Kokkos::subview(flow.parameters(), p), saved - h);
    const double down = trainer.gradient(0).loss;
    Kokkos::deep_copy(Kokkos::subview(flow.parameters(), p), saved);
    worst = std::max(worst, std::abs((up - down) / (2 * h) - gradient[p]) / std::max(std::abs(gradient[p]), 1e-3));
  }
  EXPECT_LT(worst, 1e-5);
}

// A few hundred Adam steps on a Gaussian-like target raise the batch's effective sample size.
TEST(ReverseKl, TrainingRaisesTheEffectiveSampleSize)
{
  const LatticeShape shape{4, 4};
  AffineFlow<double> flow(shape, small_flow(4));
  flow.initialise(ExecSpace{}, 2);
  const TestAction action(shape);
  tessera::nn::OptimizerSettings adam{tessera::nn::OptimizerKind::adam, 3e-3, 0, 0.9, 0.999, 1e-8, 0, 0};
  tessera::nn::Optimizer<double> optimizer(adam, flow.parameter_count());
  const Comm comm;
  tessera::nn::ReverseKlTrainer<double> trainer(comm, flow, action, optimizer, {32, 3});
  double first = 0, last = 0;
  for (int s = 0; s < 120; ++s) {
    const auto step = trainer.step();
    if (s < 20) first += step.ess / 20;
    if (s >= 100) last += step.ess / 20;
  }
  EXPECT_GT(last, first + 0.1) << first << " -> " << last;
  std::printf("ess %g -> %g\n", first, last);
}

} // namespace

namespace {

// Proposals x ~ N(0, 1) for a target N(0, 1/2^2) on one variable (bounded weights: the
// chain is uniformly ergodic): the chain's <x^2> is 1/4, whereas the proposals' is 1.
TEST(IndependenceChain, SamplesTheTargetNotTheProposals)
{
  tessera::nn::IndependenceChain chain(12);
  const int n = 200000;
  std::vector<double> x(n), log_w(n);
  for (int i = 0; i < n; ++i) {
    tessera::RandomDraws rng(5, 1, static_cast<std::uint64_t>(i));
    x[i] = rng.normal();
    // log w = log p - log q = -2 x^2 + x^2 / 2 (+ const)
    log_w[i] = -2 * x[i] * x[i] + x[i] * x[i] / 2;
  }
  // In two batches: the chain carries its state across them.
  auto first = chain.advance(std::vector<double>(log_w.begin(), log_w.begin() + n / 2));
  const auto second = chain.advance(std::vector<double>(log_w.begin() + n / 2, log_w.end()));
  first.insert(first.end(), second.begin(), second.end());
  double sum = 0;
  for (const auto k : first)
    sum += x[k] * x[k];
  EXPECT_NEAR(sum / n, 0.25, 0.01);
  EXPECT_EQ(first[0], 0);
  EXPECT_GT(chain.acceptance(), 0.2);
  EXPECT_LT(chain.acceptance(), 0.8);
}

} // namespace
