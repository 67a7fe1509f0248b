// SPDX-License-Identifier: Apache-2.0
#pragma once
// A residual (skip) block of width w, as in the ResNet-style surrogates of Fan et al. (2022):
//   y = x + W2 f(W1 x + b1) + b2
// two dense layers (the second linear) and the identity added back. Its input must have w
// features.

#include <memory>

#include "tessera/nn/dense.hpp"

namespace tessera::nn {

namespace detail {
template <class T>
struct AddInto {
  Matrix<T> out;
  ConstMatrix<T> a, b;
  Index rows;
  KOKKOS_INLINE_FUNCTION void operator()(const Index e) const
  {
    const Index i = e % rows, j = e / rows;
    out(i, j) = a(i, j) + b(i, j);
  }
};
} // namespace detail

template <class T>
class Residual final : public Layer<T> {
public:
  Residual(int width, Activation activation, T leaky_slope = T(0.01), GemmPath gemm_path = GemmPath::library)
      : width_(width), inner_(width, width, activation, leaky_slope, gemm_path),
        outer_(width, width, Activation::linear, leaky_slope, gemm_path)
  {
  }

  int inputs() const override { return width_; }
  int outputs() const override { return width_; }
  std::size_t parameter_count() const override { return inner_.parameter_count() + outer_.parameter_count(); }

  void bind(T* parameters, T* gradients) override
  {
    inner_.bind(parameters, gradients);
    outer_.bind(parameters + inner_.parameter_count(), gradients + inner_.parameter_count());
  }

  std::uint32_t initialise(const ExecSpace& space, std::uint64_t seed, std::uint32_t stream,
                           Initialiser initialiser) override
  {
    return outer_.initialise(space, seed, inner_.initialise(space, seed, stream, initialiser), initialiser);
  }

  void mark_weights(const Kokkos::View<T*, MemSpace>& mask, std::size_t offset) const override
  {
    inner_.mark_weights(mask, offset);
    outer_.mark_weights(mask, offset + inner_.parameter_count());
  }

  void reserve(Index samples) override
  {
    inner_.reserve(samples);
    outer_.reserve(samples);
    if (static_cast<Index>(y_.extent(1)) >= samples) return;
    y_ = Matrix<T>(Kokkos::view_alloc("tessera::nn::residual::y", Kokkos::WithoutInitializing), width_, samples);
    dh_ = Matrix<T>(Kokkos::view_alloc("tessera::nn::residual::dh", Kokkos::WithoutInitializing), width_, samples);
    dx_inner_ =
        Matrix<T>(Kokkos::view_alloc("tessera::nn::residual::dx", Kokkos::WithoutInitializing), width_, samples);
  }

  Matrix<T> forward(const ExecSpace& space, const ConstMatrix<T>& x) override
  {
    const Index n = x.extent(1);
    reserve(n);
    const auto h = inner_.forward(space, x);
    const auto branch = outer_.forward(space, h);
    const auto y = first_columns(y_, n);
    par_for("tessera::nn::residual::add", space, 0, n * width_, detail::AddInto<T>{y, x, branch, width_});
    hidden_ = h;
    return y;
  }

  // dL/dx = dy + (the branch's dL/dx).
  void backward(const ExecSpace& space, const ConstMatrix<T>& x, const ConstMatrix<T>& dy, bool,
                const Matrix<T>& dx) override
  {
    const Index n = x.extent(1);
    const auto dh = first_columns(dh_, n);
    outer_.backward(space, hidden_, dy, false, dh);
    if (dx.span() == 0) {
      inner_.backward(space, x, dh, false, Matrix<T>());
      return;
    }
    const auto dx_inner = first_columns(dx_inner_, n);
    inner_.backward(space, x, dh, false, dx_inner);
    par_for("tessera::nn::residual::add_gradient", space, 0, n * width_, detail::AddInto<T>{dx, dy, dx_inner, width_});
  }

  std::string spec() const override
  {
    return fmt::format("residual {} {}", width_, activation_name(inner_.activation()));
  }

private:
  int width_;
  Dense<T> inner_, outer_;
  Matrix<T> y_, dh_, dx_inner_, hidden_;
};

} // namespace tessera::nn
