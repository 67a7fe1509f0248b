// SPDX-License-Identifier: Apache-2.0
#pragma once
// A multi-layer perceptron: its layers (a Sequential stack), one contiguous buffer of
// parameters and one of gradients (views of which the layers hold), and the forward and
// backward passes over a block of samples, all on the device.

#include <memory>
#include <vector>

#include "tessera/nn/architecture.hpp"
#include "tessera/nn/dense.hpp"
#include "tessera/nn/residual.hpp"
#include "tessera/nn/sequential.hpp"

namespace tessera::nn {

namespace detail {
template <class T>
std::vector<std::unique_ptr<Layer<T>>> layers_of(const Architecture& architecture, GemmPath gemm_path)
{
  check_architecture(architecture, "model.layers");
  std::vector<std::unique_ptr<Layer<T>>> layers;
  int width = architecture.inputs;
  const T slope = static_cast<T>(architecture.leaky_slope);
  for (const auto& spec : architecture.layers) {
    if (spec.kind == LayerSpec::Kind::dense) {
      layers.push_back(std::make_unique<Dense<T>>(width, spec.width, spec.activation, slope, gemm_path));
    } else {
      layers.push_back(std::make_unique<Residual<T>>(spec.width, spec.activation, slope, gemm_path));
    }
    width = spec.width;
  }
  return layers;
}
} // namespace detail

template <class T>
class Model {
public:
  explicit Model(const Architecture& architecture, GemmPath gemm_path = GemmPath::library)
      : architecture_(architecture), stack_(architecture.inputs, detail::layers_of<T>(architecture, gemm_path))
  {
    const std::size_t count = stack_.parameter_count();
    parameters_ = Kokkos::View<T*, MemSpace>("tessera::nn::parameters", count);
    gradients_ = Kokkos::View<T*, MemSpace>("tessera::nn::gradients", count);
    weight_mask_ = Kokkos::View<T*, MemSpace>("tessera::nn::weight_mask", count);
    stack_.bind(parameters_.data(), gradients_.data());
    stack_.mark_weights(weight_mask_, 0);
  }

  const Architecture& architecture() const { return architecture_; }
  int inputs() const { return architecture_.inputs; }
  int outputs() const { return architecture_.outputs(); }
  std::size_t parameter_count() const { return parameters_.extent(0); }
  const Kokkos::View<T*, MemSpace>& parameters() const { return parameters_; }
  const Kokkos::View<T*, MemSpace>& gradients() const { return gradients_; }
  const Kokkos::View<T*, MemSpace>& weight_mask() const { return weight_mask_; }
  std::size_t layer_count() const { return stack_.layer_count(); }
  Layer<T>& layer(std::size_t l) { return stack_.layer(l); }

  // Weights from (seed, layer matrix, element), biases zero: the same everywhere.
  void initialise(const ExecSpace& space, std::uint64_t seed)
  {
    stack_.initialise(space, seed, 0, architecture_.initialiser);
  }

  void reserve(Index samples) { stack_.reserve(samples); }

  // The network's output for the columns of x (inputs x n); valid until the next forward.
  ConstMatrix<T> forward(const ExecSpace& space, const ConstMatrix<T>& x) { return stack_.forward(space, x); }

  // Gradients of the parameters, after forward(x), from dL/d(output) (or dL/dz of the output
  // layer when the loss folded its activation in).
  void backward(const ExecSpace& space, const ConstMatrix<T>& x, const ConstMatrix<T>& output_gradient,
                bool gradient_is_preactivation)
  {
    stack_.backward(space, x, output_gradient, gradient_is_preactivation);
  }

private:
  Architecture architecture_;
  Sequential<T> stack_;
  Kokkos::View<T*, MemSpace> parameters_, gradients_, weight_mask_;
};

} // namespace tessera::nn
