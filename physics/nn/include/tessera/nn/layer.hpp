// SPDX-License-Identifier: Apache-2.0
#pragma once
// The interface every layer of an MLP implements. Matrices are column-major with one
// column per sample: a layer maps x (inputs x n) to y (outputs x n), n up to the capacity
// it was sized for. Parameters and their gradients live in the model's two contiguous
// buffers (one optimiser kernel, one all-reduce per step); a layer holds views into them.

#include <cstdint>
#include <string>

#include "tessera/core/gemm.hpp"
#include "tessera/nn/activation.hpp"

namespace tessera::nn {

// He (normal, std sqrt(2 / fan_in)) for the ReLU family, Xavier/Glorot (uniform,
// +-sqrt(6 / (fan_in + fan_out))) otherwise, or one of them for every layer.
enum class Initialiser { automatic, he, xavier };

// The first n columns of a work matrix (still column-major: columns are contiguous).
template <class T>
Matrix<T> first_columns(const Matrix<T>& m, Index n)
{
  return Kokkos::subview(m, Kokkos::ALL, Kokkos::pair<Index, Index>(0, n));
}

template <class T>
class Layer {
public:
  virtual ~Layer() = default;
  virtual int inputs() const = 0;
  virtual int outputs() const = 0;
  virtual std::size_t parameter_count() const = 0;
  // The share of the buffers at [offset, offset + parameter_count()).
  virtual void bind(T* parameters, T* gradients) = 0;
  // Weights from the counter-based RNG (stream = first_stream + k for the k-th matrix),
  // biases zero; returns the next free stream.
  virtual std::uint32_t initialise(const ExecSpace& space, std::uint64_t seed, std::uint32_t first_stream,
                                   Initialiser initialiser) = 0;
  // Flags 1 for weights, 0 for biases (weight penalties apply to weights only).
  virtual void mark_weights(const Kokkos::View<T*, MemSpace>& mask, std::size_t offset) const = 0;
  // Work space for up to `samples` columns.
  virtual void reserve(Index samples) = 0;
  // y for the n columns of x; the view stays valid until the next forward().
  virtual Matrix<T> forward(const ExecSpace& space, const ConstMatrix<T>& x) = 0;
  // Gradients of the parameters (overwritten) from dL/dy (dL/dz when `dy_is_dz`: the loss
  // folded the output activation in), and dL/dx into `dx` unless it is empty (first layer).
  virtual void backward(const ExecSpace& space, const ConstMatrix<T>& x, const ConstMatrix<T>& dy, bool dy_is_dz,
                        const Matrix<T>& dx) = 0;
  // "dense 256 relu": the layer as the architecture string writes it.
  virtual std::string spec() const = 0;
};

} // namespace tessera::nn
