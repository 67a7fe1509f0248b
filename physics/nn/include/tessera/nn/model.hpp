// SPDX-License-Identifier: Apache-2.0
#pragma once
// A multi-layer perceptron: its layers, one contiguous buffer of parameters and one of
// gradients (views of which the layers hold), and the forward and backward passes over a
// block of samples, all on the device.

#include <memory>
#include <vector>

#include "tessera/nn/architecture.hpp"
#include "tessera/nn/dense.hpp"
#include "tessera/nn/residual.hpp"

namespace tessera::nn {

template <class T>
class Model {
public:
  explicit Model(const Architecture& architecture, GemmPath gemm_path = GemmPath::library) : architecture_(architecture)
  {
    check_architecture(architecture, "model.layers");
    int width = architecture.inputs;
    const T slope = static_cast<T>(architecture.leaky_slope);
    for (const auto& spec : architecture.layers) {
      if (spec.kind == LayerSpec::Kind::dense) {
        layers_.push_back(std::make_unique<Dense<T>>(width, spec.width, spec.activation, slope, gemm_path));
      } else {
        layers_.push_back(std::make_unique<Residual<T>>(spec.width, spec.activation, slope, gemm_path));
      }
      width = spec.width;
    }
    std::size_t count = 0;
    for (const auto& layer : layers_)
      count += layer->parameter_count();
    parameters_ = Kokkos::View<T*, MemSpace>("tessera::nn::parameters", count);
    gradients_ = Kokkos::View<T*, MemSpace>("tessera::nn::gradients", count);
    weight_mask_ = Kokkos::View<T*, MemSpace>("tessera::nn::weight_mask", count);
    std::size_t offset = 0;
    for (const auto& layer : layers_) {
      layer->bind(parameters_.data() + offset, gradients_.data() + offset);
      layer->mark_weights(weight_mask_, offset);
      offset += layer->parameter_count();
    }
    outputs_.resize(layers_.size());
    input_gradients_.resize(layers_.size());
  }

  const Architecture& architecture() const { return architecture_; }
  int inputs() const { return architecture_.inputs; }
  int outputs() const { return architecture_.outputs(); }
  std::size_t parameter_count() const { return parameters_.extent(0); }
  const Kokkos::View<T*, MemSpace>& parameters() const { return parameters_; }
  const Kokkos::View<T*, MemSpace>& gradients() const { return gradients_; }
  const Kokkos::View<T*, MemSpace>& weight_mask() const { return weight_mask_; }
  std::size_t layer_count() const { return layers_.size(); }
  Layer<T>& layer(std::size_t l) { return *layers_[l]; }

  // Weights from (seed, layer matrix, element), biases zero: the same everywhere.
  void initialise(const ExecSpace& space, std::uint64_t seed)
  {
    std::uint32_t stream = 0;
    for (auto& layer : layers_)
      stream = layer->initialise(space, seed, stream, architecture_.initialiser);
  }

  void reserve(Index samples)
  {
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      layers_[l]->reserve(samples);
      if (l > 0 && static_cast<Index>(input_gradients_[l].extent(1)) < samples) {
        input_gradients_[l] = Matrix<T>(Kokkos::view_alloc("tessera::nn::input_gradient", Kokkos::WithoutInitializing),
                                        layers_[l]->inputs(), samples);
      }
    }
  }

  // The network's output for the columns of x (inputs x n); valid until the next forward.
  ConstMatrix<T> forward(const ExecSpace& space, const ConstMatrix<T>& x)
  {
    reserve(x.extent(1));
    ConstMatrix<T> in = x;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      outputs_[l] = layers_[l]->forward(space, in);
      in = outputs_[l];
    }
    return in;
  }

  // Gradients of the parameters, after forward(x), from dL/d(output) (or dL/dz of the output
  // layer when the loss folded its activation in).
  void backward(const ExecSpace& space, const ConstMatrix<T>& x, const ConstMatrix<T>& output_gradient,
                bool gradient_is_preactivation)
  {
    const Index n = x.extent(1);
    reserve(n);
    ConstMatrix<T> dy = output_gradient;
    for (std::size_t l = layers_.size(); l-- > 0;) {
      const ConstMatrix<T> in = l == 0 ? x : ConstMatrix<T>(outputs_[l - 1]);
      const Matrix<T> dx = l == 0 ? Matrix<T>() : first_columns(input_gradients_[l], n);
      layers_[l]->backward(space, in, dy, gradient_is_preactivation && l + 1 == layers_.size(), dx);
      dy = dx;
    }
  }

private:
  Architecture architecture_;
  std::vector<std::unique_ptr<Layer<T>>> layers_;
  Kokkos::View<T*, MemSpace> parameters_, gradients_, weight_mask_;
  std::vector<Matrix<T>> outputs_, input_gradients_;
};

} // namespace tessera::nn
