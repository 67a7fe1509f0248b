// SPDX-License-Identifier: Apache-2.0
#pragma once
// A dense layer y = f(W x + b): one matrix product (core gemm) and one fused kernel for the
// bias and the activation; backwards one fused kernel for f' and three products
// (dW = dz x^T, db = dz 1, dx = W^T dz).

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/rng.hpp"
#include "tessera/nn/layer.hpp"

namespace tessera::nn {

namespace detail {

// y = f(z + b) from the product z = W x; z + b is kept only when f' needs it (GELU): for
// the others z and y are one matrix, overwritten in place, and f' is taken from y.
template <class T>
struct BiasActivation {
  Matrix<T> z, y;
  Kokkos::View<const T*, MemSpace> bias;
  Activation activation;
  T slope;
  Index rows;
  bool keep_z;
  KOKKOS_INLINE_FUNCTION void operator()(const Index e) const
  {
    const Index i = e % rows, j = e / rows;
    const T zz = z(i, j) + bias(i);
    if (keep_z) z(i, j) = zz;
    y(i, j) = activate(activation, zz, slope);
  }
};

// Softmax over the outputs of each sample (one column per thread), shifted by the maximum.
template <class T>
struct BiasSoftmax {
  Matrix<T> z, y;
  Kokkos::View<const T*, MemSpace> bias;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const Index rows = z.extent(0);
    T largest = z(0, j) + bias(0);
    for (Index i = 0; i < rows; ++i) {
      z(i, j) += bias(i);
      largest = z(i, j) > largest ? z(i, j) : largest;
    }
    T sum = 0;
    for (Index i = 0; i < rows; ++i) {
      y(i, j) = Kokkos::exp(z(i, j) - largest);
      sum += y(i, j);
    }
    for (Index i = 0; i < rows; ++i)
      y(i, j) /= sum;
  }
};

template <class T>
struct ActivationGradient {
  ConstMatrix<T> z, y, dy;
  Matrix<T> dz;
  Activation activation;
  T slope;
  Index rows;
  KOKKOS_INLINE_FUNCTION void operator()(const Index e) const
  {
    const Index i = e % rows, j = e / rows;
    dz(i, j) = dy(i, j) * activation_derivative(activation, z(i, j), y(i, j), slope);
  }
};

// dz_i = y_i (dy_i - sum_k dy_k y_k): the softmax Jacobian applied to dy.
template <class T>
struct SoftmaxGradient {
  ConstMatrix<T> y, dy;
  Matrix<T> dz;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const Index rows = y.extent(0);
    T projection = 0;
    for (Index i = 0; i < rows; ++i)
      projection += dy(i, j) * y(i, j);
    for (Index i = 0; i < rows; ++i)
      dz(i, j) = y(i, j) * (dy(i, j) - projection);
  }
};

// Weights from (seed, stream, element): the same on every backend and rank count.
template <class T>
struct InitialiseWeights {
  Matrix<T> w;
  std::uint64_t seed;
  std::uint32_t stream;
  bool normal;
  double scale; // std (normal) or half-width (uniform)
  KOKKOS_INLINE_FUNCTION void operator()(const Index e) const
  {
    const Index i = e % static_cast<Index>(w.extent(0)), l = e / static_cast<Index>(w.extent(0));
    RandomDraws rng(seed, stream, static_cast<std::uint64_t>(e));
    w(i, l) = static_cast<T>(normal ? scale * rng.normal() : rng.uniform(-scale, scale));
  }
};

} // namespace detail

template <class T>
class Dense final : public Layer<T> {
public:
  Dense(int inputs, int outputs, Activation activation, T leaky_slope = T(0.01), GemmPath gemm_path = GemmPath::library)
      : inputs_(inputs), outputs_(outputs), activation_(activation), slope_(leaky_slope), gemm_path_(gemm_path)
  {
  }

  int inputs() const override { return inputs_; }
  int outputs() const override { return outputs_; }
  Activation activation() const { return activation_; }
  std::size_t parameter_count() const override
  {
    return static_cast<std::size_t>(outputs_) * inputs_ + static_cast<std::size_t>(outputs_);
  }

  void bind(T* parameters, T* gradients) override
  {
    weights_ = Matrix<T>(parameters, outputs_, inputs_);
    bias_ = Kokkos::View<T*, MemSpace>(parameters + weights_.span(), outputs_);
    weight_gradient_ = Matrix<T>(gradients, outputs_, inputs_);
    bias_gradient_ = Matrix<T>(gradients + weights_.span(), outputs_, 1);
  }

  std::uint32_t initialise(const ExecSpace& space, std::uint64_t seed, std::uint32_t stream,
                           Initialiser initialiser) override
  {
    const bool relu_family =
        activation_ == Activation::relu || activation_ == Activation::leaky_relu || activation_ == Activation::gelu;
    const bool he = initialiser == Initialiser::he || (initialiser == Initialiser::automatic && relu_family);
    const double scale = he ? std::sqrt(2.0 / inputs_) : std::sqrt(6.0 / (inputs_ + outputs_));
    par_for("tessera::nn::initialise_weights", space, 0, static_cast<Index>(weights_.span()),
            detail::InitialiseWeights<T>{weights_, seed, stream, he, scale});
    Kokkos::deep_copy(space, bias_, T(0));
    return stream + 1;
  }

  void mark_weights(const Kokkos::View<T*, MemSpace>& mask, std::size_t offset) const override
  {
    Kokkos::deep_copy(Kokkos::subview(mask, Kokkos::pair<std::size_t, std::size_t>(offset, offset + weights_.span())),
                      T(1));
  }

  void reserve(Index samples) override
  {
    if (static_cast<Index>(z_.extent(1)) >= samples) return;
    y_ = Matrix<T>(Kokkos::view_alloc("tessera::nn::dense::y", Kokkos::WithoutInitializing), outputs_, samples);
    // ReLU, leaky ReLU (slope >= 0), sigmoid, tanh, softmax and linear have f' as a function of
    // y; GELU needs z.
    z_ = keeps_preactivation()
             ? Matrix<T>(Kokkos::view_alloc("tessera::nn::dense::z", Kokkos::WithoutInitializing), outputs_, samples)
             : y_;
    dz_ = Matrix<T>(Kokkos::view_alloc("tessera::nn::dense::dz", Kokkos::WithoutInitializing), outputs_, samples);
    ones_ = Matrix<T>("tessera::nn::dense::ones", samples, 1);
    Kokkos::deep_copy(ones_, T(1));
  }

  Matrix<T> forward(const ExecSpace& space, const ConstMatrix<T>& x) override
  {
    const Index n = x.extent(1);
    reserve(n);
    const auto z = first_columns(z_, n), y = first_columns(y_, n);
    gemm(space, Trans::no, Trans::no, T(1), weights_, x, T(0), z, gemm_path_);
    if (activation_ == Activation::softmax) {
      par_for("tessera::nn::dense::bias_softmax", space, 0, n, detail::BiasSoftmax<T>{z, y, bias_});
    } else {
      par_for("tessera::nn::dense::bias_activation", space, 0, n * outputs_,
              detail::BiasActivation<T>{z, y, bias_, activation_, slope_, outputs_, keeps_preactivation()});
    }
    return y;
  }

  void backward(const ExecSpace& space, const ConstMatrix<T>& x, const ConstMatrix<T>& dy, bool dy_is_dz,
                const Matrix<T>& dx) override
  {
    const Index n = x.extent(1);
    ConstMatrix<T> dz = dy;
    if (!dy_is_dz && activation_ != Activation::linear) {
      const auto out = first_columns(dz_, n);
      if (activation_ == Activation::softmax) {
        par_for("tessera::nn::dense::softmax_gradient", space, 0, n,
                detail::SoftmaxGradient<T>{first_columns(y_, n), dy, out});
      } else {
        par_for("tessera::nn::dense::activation_gradient", space, 0, n * outputs_,
                detail::ActivationGradient<T>{first_columns(z_, n), first_columns(y_, n), dy, out, activation_, slope_,
                                              outputs_});
      }
      dz = out;
    }
    gemm(space, Trans::no, Trans::yes, T(1), dz, x, T(0), weight_gradient_, gemm_path_);
    gemm(space, Trans::no, Trans::no, T(1), dz, Matrix<T>(ones_.data(), n, 1), T(0), bias_gradient_, gemm_path_);
    if (dx.span() > 0) gemm(space, Trans::yes, Trans::no, T(1), weights_, dz, T(0), dx, gemm_path_);
  }

  std::string spec() const override { return fmt::format("dense {} {}", outputs_, activation_name(activation_)); }

  const Matrix<T>& weights() const { return weights_; }
  const Kokkos::View<T*, MemSpace>& bias() const { return bias_; }

private:
  bool keeps_preactivation() const { return activation_ == Activation::gelu; }
  int inputs_, outputs_;
  Activation activation_;
  T slope_;
  GemmPath gemm_path_;
  Matrix<T> weights_, weight_gradient_, bias_gradient_;
  Kokkos::View<T*, MemSpace> bias_;
  Matrix<T> z_, y_, dz_, ones_;
};

} // namespace tessera::nn
