// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a normalizing flow on a lattice offers its trainer (reverse_kl.hpp) and its sampler:
// a prior r(z) it can draw from, a map phi = f(z) with the exact model density
//   log q(phi) = log r(z) - log |det df/dz|,
// its inverse, and back-propagation through both. Real-NVP flows of real fields
// (affine_flow.hpp) and gauge-equivariant flows of link angles (physics modules) implement it.
//
// All of a flow's parameters live in one buffer (and their gradients in another), so one
// optimiser kernel and one all-reduce serve the whole flow; FlowParameters hands each part
// its share.

#include <cstdint>
#include <vector>

#include "tessera/nn/lattice_field.hpp"

namespace tessera::nn {

// The RNG stream of the prior draws (core/rng.hpp: streams separate uses).
inline constexpr std::uint32_t prior_stream = 0x5052;

template <class T>
class LatticeFlow {
public:
  virtual ~LatticeFlow() = default;
  // Reals per sample (V for a scalar field, 2V for the links of a 2-D gauge field).
  virtual Index components() const = 0;
  virtual std::size_t parameter_count() const = 0;
  virtual const Kokkos::View<T*, MemSpace>& parameters() const = 0;
  virtual const Kokkos::View<T*, MemSpace>& gradients() const = 0;
  // Every network's weights from (seed, stream, element); biases zero.
  virtual void initialise(const ExecSpace& space, std::uint64_t seed) = 0;
  // The prior draws of global samples first_sample ... into z, with log r(z): keyed by
  // (seed, sample * components() + component), the same on any backend and rank count.
  virtual void draw_prior(const ExecSpace& space, std::uint64_t seed, std::uint64_t first_sample,
                          const FieldBatch<T>& z, const SampleValues<T>& log_density) const = 0;
  // phi = f(z) (valid until the next forward or inverse) and log q(phi), given log r(z) in
  // log_density on entry. Keeps what backward() needs.
  virtual ConstFieldBatch<T> forward(const ExecSpace& space, const ConstFieldBatch<T>& z,
                                     const SampleValues<T>& log_density) = 0;
  // z = f^-1(phi) (valid until the next forward or inverse) and log q(phi).
  virtual ConstFieldBatch<T> inverse(const ExecSpace& space, const ConstFieldBatch<T>& phi,
                                     const SampleValues<T>& log_density) = 0;
  // After forward(z): the gradients of every parameter (overwritten) of
  //   L = sum over samples of [ <phi_gradient, phi> + density_weight(sample) log q(phi) ].
  virtual void backward(const ExecSpace& space, const ConstFieldBatch<T>& phi_gradient,
                        const Kokkos::View<const T*, MemSpace>& density_weight) = 0;
  // dL/dz of the last backward (for tests).
  virtual ConstFieldBatch<T> input_gradient() const = 0;
};

// One parameter buffer and one gradient buffer shared out over a flow's parts (anything with
// parameter_count() and bind(parameters, gradients)), in order.
template <class T>
class FlowParameters {
public:
  template <class Parts>
  void allocate_and_bind(const Parts& parts)
  {
    std::size_t count = 0;
    for (const auto& part : parts)
      count += part->parameter_count();
    parameters_ = Kokkos::View<T*, MemSpace>("tessera::nn::flow::parameters", count);
    gradients_ = Kokkos::View<T*, MemSpace>("tessera::nn::flow::gradients", count);
    std::size_t offset = 0;
    for (const auto& part : parts) {
      part->bind(parameters_.data() + offset, gradients_.data() + offset);
      offset += part->parameter_count();
    }
  }
  const Kokkos::View<T*, MemSpace>& parameters() const { return parameters_; }
  const Kokkos::View<T*, MemSpace>& gradients() const { return gradients_; }

private:
  Kokkos::View<T*, MemSpace> parameters_, gradients_;
};

} // namespace tessera::nn
