// SPDX-License-Identifier: Apache-2.0
// The gauge-equivariant U(1) flow in double precision: its plaquette masks, the circle maps
// against finite differences, the flow inverted to 1e-12 (angles compared on the circle), its
// log-density against the log-determinant of a finite-difference Jacobian, gauge equivariance
// (f(theta^alpha) = f(theta)^alpha, same density), and the reverse-KL gradient against finite
// differences of the loss.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "../nn/jacobian_testing.hpp"
#include "flow_testing.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/flow/u1.hpp"
#include "tessera/flow/u1_flow.hpp"
#include "tessera/nn/reverse_kl.hpp"

namespace fl = tessera::flow;
namespace ft = tessera::flow::testing;
using tessera::Comm;
using tessera::ExecSpace;
using tessera::Index;
using tessera::nn::FieldBatch;
using tessera::nn::LatticeShape;
using tessera::nn::SampleValues;
using tessera::nn::SiteRole;

namespace {

constexpr double two_pi = 2 * std::numbers::pi;

// |a - b| on the circle.
double circle_distance(double a, double b)
{
  const double d = std::fmod(std::abs(a - b), two_pi);
  return std::min(d, two_pi - d);
}

fl::U1FlowSpec small_spec(int layers)
{
  fl::U1FlowSpec spec;
  spec.coupling_layers = layers;
  spec.mixture_components = 3;
  spec.net.hidden_channels = {4};
  return spec;
}

// A flow with its parameters scaled so that the plaquette maps are far from the identity.
fl::U1EquivariantFlow<double> random_flow(const LatticeShape& shape, int layers, std::uint64_t seed, double scale = 3)
{
  fl::U1EquivariantFlow<double> flow(shape, small_spec(layers));
  flow.initialise(ExecSpace{}, seed);
  auto p = ft::host_values(flow.parameters());
  for (auto& v : p)
    v *= scale;
  Kokkos::deep_copy(flow.parameters(), ft::device_batch(p));
  return flow;
}

TEST(U1FlowMasks, StripesOfFourWithTheActivePlaquettesOnTheUpdatedLinks)
{
  const LatticeShape shape{8, 4};
  const auto roles = fl::u1_plaquette_roles(shape, 0, 1);
  // mu = 0, offset 1: by y, active at 1, frozen at 2 and 3, passive at 0.
  const SiteRole expected[4] = {SiteRole::passive, SiteRole::active, SiteRole::frozen, SiteRole::frozen};
  for (int x = 0; x < 8; ++x)
    for (int y = 0; y < 4; ++y)
      EXPECT_EQ(roles[shape.site(x, y)], expected[y]) << x << " " << y;
  const auto across = fl::u1_plaquette_roles(shape, 1, 3);
  for (int x = 0; x < 8; ++x)
    EXPECT_EQ(across[shape.site(x, 2)], expected[(x + 2) % 4]) << x;
  EXPECT_THROW(fl::U1EquivariantFlow<double>(LatticeShape{6, 8}, small_spec(2)), tessera::InputError);
}

// A mixture of circle maps: monotone onto [0, 2 pi), its inverse, and the derivatives that
// back-propagation uses, against finite differences.
TEST(CircleMap, MixtureIsMonotoneInvertibleAndItsDerivativesMatchFiniteDifferences)
{
  tessera::Matrix<double> s_host_layout("s", 4, 1);
  auto s = Kokkos::create_mirror_view(s_host_layout);
  s(0, 0) = 1.3;
  s(1, 0) = -0.7;
  s(2, 0) = 0.2;
  using Map = tessera::nn::MixtureTanMap<double, decltype(s)>;
  const Map map{s, 0, 3};
  double previous = -1;
  for (int i = 0; i < 400; ++i) {
    const double x = two_pi * (i + 0.5) / 400;
    const double y = map.value(x);
    EXPECT_GT(y, previous);
    EXPECT_LT(y, two_pi);
    previous = y;
    EXPECT_NEAR(map.inverse(y), x, 1e-13);
    const double h = 1e-5;
    EXPECT_NEAR(map.derivative(x), (map.value(x + h) - map.value(x - h)) / (2 * h), 1e-8);
    // dL/dx and dL/ds_k of L = 0.7 g(x) - 1.9 log g'(x).
    decltype(s) ds("ds", 4, 1);
    const double dx = map.backward(x, 0.7, -1.9, ds);
    const auto loss = [&](double xx) { return 0.7 * map.value(xx) - 1.9 * std::log(map.derivative(xx)); };
    EXPECT_NEAR(dx, (loss(x + h) - loss(x - h)) / (2 * h), 1e-6 * std::max(1.0, std::abs(dx)));
    for (int k = 0; k < 3; ++k) {
      const double saved = s(k, 0);
      s(k, 0) = saved + h;
      const double up = loss(x);
      s(k, 0) = saved - h;
      const double down = loss(x);
      s(k, 0) = saved;
      EXPECT_NEAR(ds(k, 0), (up - down) / (2 * h), 1e-6 * std::max(1.0, std::abs(ds(k, 0))));
    }
  }
}

TEST(U1Flow, InvertsToRoundingAndItsDensitiesAgree)
{
  const LatticeShape shape{4, 8};
  const Index samples = 3;
  auto flow = random_flow(shape, 8, 21); // every (mu, offset) once
  const Index n = samples * flow.components();
  FieldBatch<double> z("z", n);
  SampleValues<double> log_q("log_q", samples), log_q_inverse("log_q_inverse", samples);
  flow.draw_prior(ExecSpace{}, 3, 0, z, log_q);
  const auto prior = ft::host_values(log_q);
  EXPECT_NEAR(prior[0], -static_cast<double>(flow.components()) * std::log(two_pi), 1e-12);
  const auto theta = ft::host_values(flow.forward(ExecSpace{}, z, log_q));
  const auto back = ft::host_values(flow.inverse(ExecSpace{}, ft::device_batch(theta), log_q_inverse));
  const auto zh = ft::host_values(z);
  double worst = 0, moved = 0;
  for (Index j = 0; j < n; ++j) {
    worst = std::max(worst, circle_distance(back[j], zh[j]));
    moved = std::max(moved, circle_distance(theta[j], zh[j]));
  }
  EXPECT_LT(worst, 1e-12);
  EXPECT_GT(moved, 0.1); // the flow is not the identity
  const auto a = ft::host_values(log_q), b = ft::host_values(log_q_inverse);
  for (Index s = 0; s < samples; ++s) {
    EXPECT_NEAR(a[s], b[s], 1e-11 * std::abs(a[s]));
    EXPECT_GT(std::abs(a[s] - prior[s]), 0.1); // the volume changes
  }
}

TEST(U1Flow, LogDensityIsThePriorsMinusTheJacobiansLogDeterminant)
{
  const LatticeShape shape{4, 4};
  auto flow = random_flow(shape, 4, 8, 2);
  const std::size_t links = flow.components();
  FieldBatch<double> z("z", links);
  SampleValues<double> log_r("log_r", 1), log_q("log_q", 1);
  flow.draw_prior(ExecSpace{}, 4, 0, z, log_r);
  const double prior = ft::host_values(log_r)[0];
  Kokkos::deep_copy(log_q, log_r);
  flow.forward(ExecSpace{}, z, log_q);
  const double model = ft::host_values(log_q)[0];
  const auto z0 = ft::host_values(z);
  const auto image = [&](std::vector<double> zz) {
    SampleValues<double> scratch("scratch", 1);
    return ft::host_values(flow.forward(ExecSpace{}, ft::device_batch(zz), scratch));
  };
  // d theta_i / d z_j by central differences; outputs are angles, differences taken on the circle.
  std::vector<long double> jacobian(links * links);
  const double h = 1e-6;
  for (std::size_t j = 0; j < links; ++j) {
    auto up = z0, down = z0;
    up[j] += h;
    down[j] -= h;
    const auto a = image(up), b = image(down);
    for (std::size_t i = 0; i < links; ++i) {
      const double difference = std::remainder(a[i] - b[i], two_pi);
      jacobian[i * links + j] = static_cast<long double>(difference) / (2 * h);
    }
  }
  const double log_det = static_cast<double>(tessera::testing::log_abs_determinant(jacobian, links));
  EXPECT_GT(std::abs(log_det), 0.5); // a volume change worth testing
  EXPECT_NEAR(prior - model, log_det, 1e-6);
}

// alpha(x) per site, theta_mu(x) -> theta_mu(x) + alpha(x) - alpha(x + e_mu): the flow's image
// moves by the same gauge transformation, its plaquettes, action and density do not change.
TEST(U1Flow, IsGaugeEquivariantAndItsDensityGaugeInvariant)
{
  const LatticeShape shape{8, 4};
  const Index samples = 2;
  auto flow = random_flow(shape, 8, 5);
  const Index n = samples * flow.components();
  FieldBatch<double> z("z", n);
  SampleValues<double> log_q("log_q", samples), log_q_transformed("log_q_transformed", samples);
  flow.draw_prior(ExecSpace{}, 6, 0, z, log_q);
  Kokkos::deep_copy(log_q_transformed, log_q);
  const auto alpha = ft::random_batch<double>(samples * shape.sites(), 77, 2.0);
  FieldBatch<double> z_transformed("z_transformed", n);
  Kokkos::deep_copy(z_transformed, z);
  fl::gauge_transform<double>(ExecSpace{}, shape, z_transformed, alpha);

  const auto image = ft::host_values(flow.forward(ExecSpace{}, z, log_q));
  // The gauge transformation of f(z) on the host, to compare with f(z^alpha).
  const auto alpha_host = ft::host_values(alpha);
  std::vector<double> expected = image;
  const Index v = shape.sites();
  for (Index s = 0; s < samples; ++s)
    for (int mu = 0; mu < 2; ++mu)
      for (Index site = 0; site < v; ++site)
        expected[s * 2 * v + mu * v + site] +=
            alpha_host[s * v + site] - alpha_host[s * v + shape.shifted(site, mu == 0 ? 1 : 0, mu == 0 ? 0 : 1)];
  const auto transformed_image = ft::host_values(flow.forward(ExecSpace{}, z_transformed, log_q_transformed));
  double worst = 0, moved = 0;
  for (Index j = 0; j < n; ++j) {
    worst = std::max(worst, circle_distance(transformed_image[j], expected[j]));
    moved = std::max(moved, circle_distance(transformed_image[j], image[j]));
  }
  EXPECT_LT(worst, 1e-12);
  EXPECT_GT(moved, 0.5); // the transformation did move the links
  const auto a = ft::host_values(log_q), b = ft::host_values(log_q_transformed);
  for (Index s = 0; s < samples; ++s)
    EXPECT_NEAR(a[s], b[s], 1e-11 * std::abs(a[s]));
  const fl::U1Action<double> action(shape, 2.0);
  SampleValues<double> s_image("s", samples), s_transformed("s_transformed", samples);
  action.evaluate(ExecSpace{}, ft::device_batch(image), s_image);
  action.evaluate(ExecSpace{}, ft::device_batch(transformed_image), s_transformed);
  const auto s1 = ft::host_values(s_image), s2 = ft::host_values(s_transformed);
  for (Index s = 0; s < samples; ++s)
    EXPECT_NEAR(s1[s], s2[s], 1e-11 * std::abs(s1[s]));
  const auto m1 = fl::measure_u1<double>(ExecSpace{}, shape, ft::device_batch(image));
  const auto m2 = fl::measure_u1<double>(ExecSpace{}, shape, ft::device_batch(transformed_image));
  EXPECT_EQ(m1.charge, m2.charge);
}

TEST(U1Flow, ReverseKlGradientMatchesFiniteDifferencesOfTheLoss)
{
  const LatticeShape shape{4, 4};
  auto flow = random_flow(shape, 3, 13, 1);
  const fl::U1Action<double> action(shape, 1.5);
  tessera::nn::OptimizerSettings adam{tessera::nn::OptimizerKind::adam, 1e-3, 0, 0.9, 0.999, 1e-8, 0, 0};
  tessera::nn::Optimizer<double> optimizer(adam, flow.parameter_count());
  const Comm comm;
  tessera::nn::ReverseKlTrainer<double> trainer(comm, flow, action, optimizer, {5, 17});
  trainer.gradient(0);
  const auto gradient = ft::host_values(flow.gradients());
  const double h = 1e-6;
  double worst = 0, largest = 0;
  for (std::size_t p = 0; p < flow.parameter_count(); p += 29) { // every net, weights and biases
    const double saved = ft::host_values(flow.parameters())[p];
    Kokkos::deep_copy(Kokkos::subview(flow.parameters(), p), saved + h);
    const double up = trainer.gradient(0).loss;
    Kokkos::deep_copy(Kokkos::subview(flow.parameters(), p), saved - h);
    const double down = trainer.gradient(0).loss;
    Kokkos::deep_copy(Kokkos::subview(flow.parameters(), p), saved);
    worst = std::max(worst, std::abs((up - down) / (2 * h) - gradient[p]) / std::max(std::abs(gradient[p]), 1e-3));
    largest = std::max(largest, std::abs(gradient[p]));
  }
  EXPECT_LT(worst, 1e-5);
  EXPECT_GT(largest, 1e-2); // a gradient worth testing
}

} // namespace
