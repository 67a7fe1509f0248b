// SPDX-License-Identifier: Apache-2.0
#pragma once
// A stack of layers applied one after another to a block of columns, and back-propagation
// through it. It owns the layers and their work matrices but not the parameters: bind() gives
// it its share of a parameter buffer and of a gradient buffer, so that one optimiser kernel
// and one all-reduce serve a whole model (model.hpp) or a flow of many coupling networks
// (flow.hpp).

#include <memory>
#include <utility>
#include <vector>

#include "tessera/nn/layer.hpp"

namespace tessera::nn {

template <class T>
class Sequential {
public:
  Sequential(int inputs, std::vector<std::unique_ptr<Layer<T>>> layers) : inputs_(inputs), layers_(std::move(layers))
  {
    outputs_.resize(layers_.size());
    input_gradients_.resize(layers_.size() + 1);
  }

  int inputs() const { return inputs_; }
  int outputs() const { return layers_.empty() ? inputs_ : layers_.back()->outputs(); }
  std::size_t layer_count() const { return layers_.size(); }
  Layer<T>& layer(std::size_t l) { return *layers_[l]; }
  const Layer<T>& layer(std::size_t l) const { return *layers_[l]; }

  std::size_t parameter_count() const
  {
    std::size_t count = 0;
    for (const auto& layer : layers_)
      count += layer->parameter_count();
    return count;
  }

  // The stack's parameters and gradients are [parameters, parameters + parameter_count()).
  void bind(T* parameters, T* gradients)
  {
    for (const auto& layer : layers_) {
      layer->bind(parameters, gradients);
      parameters += layer->parameter_count();
      gradients += layer->parameter_count();
    }
  }

  void mark_weights(const Kokkos::View<T*, MemSpace>& mask, std::size_t offset) const
  {
    for (const auto& layer : layers_) {
      layer->mark_weights(mask, offset);
      offset += layer->parameter_count();
    }
  }

  // Each layer draws from its own streams, from first_stream on; returns the next free one.
  std::uint32_t initialise(const ExecSpace& space, std::uint64_t seed, std::uint32_t first_stream,
                           Initialiser initialiser)
  {
    for (auto& layer : layers_)
      first_stream = layer->initialise(space, seed, first_stream, initialiser);
    return first_stream;
  }

  void reserve(Index columns)
  {
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      layers_[l]->reserve(columns);
      if (static_cast<Index>(input_gradients_[l].extent(1)) < columns) {
        input_gradients_[l] = Matrix<T>(Kokkos::view_alloc("tessera::nn::input_gradient", Kokkos::WithoutInitializing),
                                        layers_[l]->inputs(), columns);
      }
    }
  }

  // The stack's output for the columns of x; valid until the next forward.
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

  // After forward(x): the parameters' gradients (overwritten) from dL/d(output) (dL/dz of the
  // last layer when the loss folded its activation in). With `want_input_gradient` it also
  // returns dL/dx (valid until the next backward); otherwise an empty matrix.
  ConstMatrix<T> backward(const ExecSpace& space, const ConstMatrix<T>& x, const ConstMatrix<T>& output_gradient,
                          bool gradient_is_preactivation, bool want_input_gradient = false)
  {
    const Index n = x.extent(1);
    reserve(n);
    ConstMatrix<T> dy = output_gradient;
    for (std::size_t l = layers_.size(); l-- > 0;) {
      const ConstMatrix<T> in = l == 0 ? x : ConstMatrix<T>(outputs_[l - 1]);
      const bool needs_dx = l > 0 || want_input_gradient;
      const Matrix<T> dx = needs_dx ? first_columns(input_gradients_[l], n) : Matrix<T>();
      layers_[l]->backward(space, in, dy, gradient_is_preactivation && l + 1 == layers_.size(), dx);
      dy = dx;
    }
    return want_input_gradient ? dy : ConstMatrix<T>();
  }

private:
  int inputs_;
  std::vector<std::unique_ptr<Layer<T>>> layers_;
  std::vector<Matrix<T>> outputs_, input_gradients_;
};

} // namespace tessera::nn
