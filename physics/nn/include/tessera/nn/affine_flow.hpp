// SPDX-License-Identifier: Apache-2.0
#pragma once
// A normalizing flow on a periodic lattice: a unit-Gaussian prior r(z) and a stack of affine
// coupling layers of alternating checkerboard parity (affine_coupling.hpp), phi = f(z), with
// the exact model density
//   log q(phi) = log r(z) - sum over layers of log |det df_l/dx|.
// All networks' parameters share one buffer (and one gradient buffer), so one optimiser
// kernel and one all-reduce serve the whole flow.
//
// The prior's draws are keyed by (seed, prior_stream, global sample index * V + site): the
// same proposals on any backend and any number of ranks, and a restarted run continues the
// sequence.

#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include "tessera/core/rng.hpp"
#include "tessera/nn/affine_coupling.hpp"
#include "tessera/nn/lattice_flow.hpp"

namespace tessera::nn {

struct AffineFlowSpec {
  int coupling_layers = 16;
  CouplingNetSpec net;
};

namespace detail {

template <class T>
struct DrawPrior {
  FieldBatch<T> z;
  std::uint64_t seed, first_item;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    RandomDraws rng(seed, prior_stream, first_item + static_cast<std::uint64_t>(j));
    z(j) = static_cast<T>(rng.normal());
  }
};

// log r(z) = -(1/2) sum z^2 - (V/2) log(2 pi) per sample.
template <class T>
struct PriorLogDensity {
  ConstFieldBatch<T> z;
  SampleValues<T> log_density;
  Index sites;
  KOKKOS_INLINE_FUNCTION void operator()(const Index sample) const
  {
    T sum = 0;
    for (Index site = 0; site < sites; ++site) {
      const T value = z(sample * sites + site);
      sum += value * value;
    }
    log_density(sample) = T(-0.5) * sum - T(0.91893853320467274178) * static_cast<T>(sites);
  }
};

// values = sign * values + added (added may be empty).
template <class T>
struct ScaleAdd {
  SampleValues<T> values;
  Kokkos::View<const T*, MemSpace> added;
  T sign;
  KOKKOS_INLINE_FUNCTION void operator()(const Index i) const
  {
    values(i) = sign * values(i) + (added.extent(0) > 0 ? added(i) : T(0));
  }
};

} // namespace detail

template <class T>
class AffineFlow final : public LatticeFlow<T> {
public:
  AffineFlow(const LatticeShape& shape, const AffineFlowSpec& spec, GemmPath gemm_path = GemmPath::library)
      : shape_(shape), spec_(spec)
  {
    if (spec.coupling_layers < 1) throw InputError("a flow needs at least one coupling layer");
    for (int l = 0; l < spec.coupling_layers; ++l)
      layers_.push_back(std::make_unique<AffineCoupling<T>>(shape, l % 2, spec.net, gemm_path));
    buffers_.allocate_and_bind(layers_);
    fields_.resize(layers_.size() + 1);
  }

  const LatticeShape& shape() const { return shape_; }
  const AffineFlowSpec& spec() const { return spec_; }
  std::size_t layer_count() const { return layers_.size(); }
  AffineCoupling<T>& layer(std::size_t l) { return *layers_[l]; }
  Index components() const override { return shape_.sites(); }
  std::size_t parameter_count() const override { return buffers_.parameters().extent(0); }
  const Kokkos::View<T*, MemSpace>& parameters() const override { return buffers_.parameters(); }
  const Kokkos::View<T*, MemSpace>& gradients() const override { return buffers_.gradients(); }

  void initialise(const ExecSpace& space, std::uint64_t seed) override
  {
    std::uint32_t stream = 0;
    for (auto& layer : layers_)
      stream = layer->initialise(space, seed, stream);
  }

  // Unit gaussians.
  void draw_prior(const ExecSpace& space, std::uint64_t seed, std::uint64_t first_sample, const FieldBatch<T>& z,
                  const SampleValues<T>& log_density) const override
  {
    const Index sites = shape_.sites();
    par_for("tessera::nn::flow::draw_prior", space, 0, static_cast<Index>(z.extent(0)),
            detail::DrawPrior<T>{z, seed, first_sample * static_cast<std::uint64_t>(sites)});
    prior_log_density(space, z, log_density);
  }

  void prior_log_density(const ExecSpace& space, const ConstFieldBatch<T>& z, const SampleValues<T>& log_density) const
  {
    const Index sites = shape_.sites();
    par_for("tessera::nn::flow::prior_log_density", space, 0, static_cast<Index>(z.extent(0)) / sites,
            detail::PriorLogDensity<T>{z, log_density, sites});
  }

  // z itself is the first layer's input that backward() reads: it must not change before then.
  ConstFieldBatch<T> forward(const ExecSpace& space, const ConstFieldBatch<T>& z,
                             const SampleValues<T>& log_density) override
  {
    const Index n = z.extent(0);
    reserve(n);
    input_ = z;
    const Index samples = n / shape_.sites();
    negate(space, log_density, samples);
    for (std::size_t l = 0; l < layers_.size(); ++l)
      layers_[l]->forward(space, layer_input(l, n), field(l + 1, n), log_density);
    negate(space, log_density, samples);
    return field(layers_.size(), n);
  }

  ConstFieldBatch<T> inverse(const ExecSpace& space, const ConstFieldBatch<T>& phi,
                             const SampleValues<T>& log_density) override
  {
    const Index n = phi.extent(0);
    reserve(n);
    const Index samples = n / shape_.sites();
    const auto log_jacobian = Kokkos::subview(log_jacobian_, std::pair<Index, Index>(0, samples));
    Kokkos::deep_copy(space, log_jacobian, T(0));
    Kokkos::deep_copy(space, Kokkos::subview(fields_.back(), std::pair<Index, Index>(0, n)), phi);
    for (std::size_t l = layers_.size(); l-- > 0;)
      layers_[l]->inverse(space, field(l + 1, n), field(l, n), log_jacobian);
    input_ = ConstFieldBatch<T>();
    prior_log_density(space, field(0, n), log_density);
    // log q(phi) = log r(z) + log |det df^-1/dphi|.
    par_for("tessera::nn::flow::add_log_jacobian", space, 0, samples,
            detail::ScaleAdd<T>{log_density, log_jacobian, T(1)});
    return field(0, n);
  }

  void backward(const ExecSpace& space, const ConstFieldBatch<T>& phi_gradient,
                const Kokkos::View<const T*, MemSpace>& density_weight) override
  {
    const Index n = phi_gradient.extent(0);
    if (static_cast<Index>(input_.extent(0)) != n)
      throw std::logic_error("nn::AffineFlow::backward needs a forward() of the same batch first");
    FieldBatch<T> dy = Kokkos::subview(gradient_a_, std::pair<Index, Index>(0, n));
    FieldBatch<T> dx = Kokkos::subview(gradient_b_, std::pair<Index, Index>(0, n));
    Kokkos::deep_copy(space, dy, phi_gradient);
    // log q = log r(z) - sum log det: dL/d(log det) = -density_weight.
    for (std::size_t l = layers_.size(); l-- > 0;) {
      layers_[l]->backward(space, layer_input(l, n), dy, density_weight, dx, T(-1));
      std::swap(dy, dx);
    }
    input_gradient_ = dy;
  }

  ConstFieldBatch<T> input_gradient() const override { return input_gradient_; }

private:
  ConstFieldBatch<T> layer_input(std::size_t l, Index n) const { return l == 0 ? input_ : field(l, n); }

  FieldBatch<T> field(std::size_t l, Index n) const
  {
    return Kokkos::subview(fields_[l], std::pair<Index, Index>(0, n));
  }

  static void negate(const ExecSpace& space, const SampleValues<T>& values, Index n)
  {
    par_for("tessera::nn::flow::negate", space, 0, n, detail::ScaleAdd<T>{values, {}, T(-1)});
  }

  void reserve(Index n)
  {
    if (static_cast<Index>(gradient_a_.extent(0)) >= n) return;
    for (auto& field : fields_)
      field = FieldBatch<T>(Kokkos::view_alloc("tessera::nn::flow::field", Kokkos::WithoutInitializing), n);
    gradient_a_ = FieldBatch<T>(Kokkos::view_alloc("tessera::nn::flow::gradient", Kokkos::WithoutInitializing), n);
    gradient_b_ = FieldBatch<T>(Kokkos::view_alloc("tessera::nn::flow::gradient", Kokkos::WithoutInitializing), n);
    log_jacobian_ = SampleValues<T>("tessera::nn::flow::log_jacobian", n / shape_.sites() + 1);
  }

  LatticeShape shape_;
  AffineFlowSpec spec_;
  std::vector<std::unique_ptr<AffineCoupling<T>>> layers_;
  FlowParameters<T> buffers_;
  std::vector<FieldBatch<T>> fields_; // fields_[0]: the output of inverse() (forward() reads z itself)
  ConstFieldBatch<T> input_;
  FieldBatch<T> gradient_a_, gradient_b_;
  ConstFieldBatch<T> input_gradient_;
  SampleValues<T> log_jacobian_;
};

} // namespace tessera::nn
