// SPDX-License-Identifier: Apache-2.0
#pragma once
// A gauge-equivariant normalizing flow for 2-D U(1) gauge theory (Kanwar et al., PRL 125,
// 121601 (2020); the 2021 tutorial, arXiv:2101.08176, section 4): a uniform (Haar) prior on
// the link angles and a stack of coupling layers that act on plaquettes.
//
// Layer l has a direction mu = l mod 2 and an offset o = (l / 2) mod 4. With p the coordinate
// perpendicular to mu (y for mu = 0, x for mu = 1), the plaquettes are active where
// p = o (mod 4), frozen where p = o + 1, o + 2 and passive where p = o + 3. A circular coupling
// (nn/circular_coupling.hpp) whose network reads the frozen plaquettes moves each active
// plaquette P -> P', and the link theta_mu(x) at the active plaquette's site absorbs the move:
//   theta_0(x) -> theta_0(x) + (P' - P)   (mu = 0),     theta_1(x) -> theta_1(x) - (P' - P)   (mu = 1),
// reduced to [0, 2 pi). That link lies in the active plaquette (which becomes P') and in one
// passive one; no frozen plaquette contains an updated link, so the Jacobian is triangular and
// log |det| is that of the plaquette map. Plaquettes are gauge invariant and the links move by
// gauge-invariant amounts, so f(theta^alpha) = f(theta)^alpha and the density q is gauge
// invariant. Both extents must be multiples of 4.
//
// Layout of a batch: the links of U1Action (sample * 2V + mu * V + site).

#include <memory>
#include <vector>

#include "tessera/nn/circular_coupling.hpp"
#include "tessera/nn/lattice_flow.hpp"

namespace tessera::flow {

struct U1FlowSpec {
  int coupling_layers = 16;
  int mixture_components = 2;
  // The tutorial's U(1) nets: two hidden convolutions of 8 channels, 3 x 3, no final tanh.
  nn::CouplingNetSpec net{{8, 8}, 3, nn::Activation::leaky_relu, 0.01, false};
};

// The plaquette roles of layer (mu, offset) on `shape` (both extents multiples of 4).
std::vector<nn::SiteRole> u1_plaquette_roles(const nn::LatticeShape& shape, int mu, int offset);

template <class T>
class U1EquivariantFlow final : public nn::LatticeFlow<T> {
public:
  // Throws InputError when an extent is not a multiple of 4 or the spec is empty.
  U1EquivariantFlow(const nn::LatticeShape& shape, const U1FlowSpec& spec, GemmPath gemm_path = GemmPath::library);

  const nn::LatticeShape& shape() const { return shape_; }
  const U1FlowSpec& spec() const { return spec_; }
  std::size_t layer_count() const { return layers_.size(); }

  Index components() const override { return 2 * shape_.sites(); }
  std::size_t parameter_count() const override { return buffers_.parameters().extent(0); }
  const Kokkos::View<T*, MemSpace>& parameters() const override { return buffers_.parameters(); }
  const Kokkos::View<T*, MemSpace>& gradients() const override { return buffers_.gradients(); }
  void initialise(const ExecSpace& space, std::uint64_t seed) override;
  // Uniform angles in [0, 2 pi): log r = -2V log(2 pi).
  void draw_prior(const ExecSpace& space, std::uint64_t seed, std::uint64_t first_sample, const nn::FieldBatch<T>& z,
                  const nn::SampleValues<T>& log_density) const override;
  // z itself is the first layer's input that backward() reads: it must not change before then.
  nn::ConstFieldBatch<T> forward(const ExecSpace& space, const nn::ConstFieldBatch<T>& z,
                                 const nn::SampleValues<T>& log_density) override;
  nn::ConstFieldBatch<T> inverse(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta,
                                 const nn::SampleValues<T>& log_density) override;
  void backward(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta_gradient,
                const Kokkos::View<const T*, MemSpace>& density_weight) override;
  nn::ConstFieldBatch<T> input_gradient() const override { return input_gradient_; }

private:
  struct Layer {
    int mu;
    std::unique_ptr<nn::CircularCoupling<T>> plaquettes;
    Kokkos::View<const nn::SiteRole*, MemSpace> roles;
    // Layer-local alias so FlowParameters can bind it.
    std::size_t parameter_count() const { return plaquettes->parameter_count(); }
    void bind(T* p, T* g) { plaquettes->bind(p, g); }
  };

  void reserve(Index links);
  nn::ConstFieldBatch<T> layer_input(std::size_t l, Index links) const;

  nn::LatticeShape shape_;
  U1FlowSpec spec_;
  std::vector<std::unique_ptr<Layer>> layers_;
  nn::FlowParameters<T> buffers_;
  nn::ConstFieldBatch<T> input_;
  // links_[l + 1]: the links after layer l (links_.back(): phi); links_[0]: z from inverse()
  // (forward() reads z itself); plaquettes_[l]: the plaquettes layer l read in forward().
  std::vector<nn::FieldBatch<T>> links_, plaquettes_;
  nn::FieldBatch<T> moved_plaquettes_, plaquette_gradient_, moved_gradient_, gradient_a_, gradient_b_;
  nn::SampleValues<T> log_jacobian_;
  nn::ConstFieldBatch<T> input_gradient_;
};

extern template class U1EquivariantFlow<float>;
extern template class U1EquivariantFlow<double>;

} // namespace tessera::flow
