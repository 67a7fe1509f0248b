// SPDX-License-Identifier: Apache-2.0
#pragma once
// A two-dimensional convolution with periodic ("circular") padding on a lattice,
// y = f(W * x + b), as PyTorch's Conv2d(padding_mode="circular") computes it (a
// cross-correlation: y(c, s) = b(c) + sum_{c', a, b} W(c, c', a, b) x(c', s + (a - p, b - p)),
// p = (k - 1) / 2).
//
// It is a Layer whose columns are lattice sites: a block of n fields is a (channels x n V)
// matrix, column sample * V + site (lattice_field.hpp), so it stacks with the other layers in
// a Sequential. The product is done as im2col + one matrix product (core gemm): the columns
// of every tap are gathered once into a (channels k^2 x n V) matrix, which the backward pass
// reuses for dW; dx gathers the products W^T dz back from the shifted sites (no atomics, so
// the sums are the same on every backend).

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/nn/dense.hpp"
#include "tessera/nn/lattice_field.hpp"

namespace tessera::nn {

namespace detail {

// columns(c' k^2 + a k + b, j) = x(c', shifted site of j by (a - p, b - p)).
template <class T>
struct GatherTaps {
  ConstMatrix<T> x;
  Matrix<T> columns;
  LatticeShape shape;
  int kernel, taps_per_channel, rows;
  KOKKOS_INLINE_FUNCTION void operator()(const Index e) const
  {
    const Index r = e % rows, j = e / rows;
    const Index sites = shape.sites();
    const Index sample = j / sites, site = j % sites;
    const int channel = static_cast<int>(r / taps_per_channel), tap = static_cast<int>(r % taps_per_channel);
    const int half = kernel / 2;
    columns(r, j) = x(channel, sample * sites + shape.shifted(site, tap / kernel - half, tap % kernel - half));
  }
};

// dx(c', j) = sum over taps of d columns(c' k^2 + tap, j') with j' the site that read j
// through that tap (shifted the other way).
template <class T>
struct ScatterTaps {
  ConstMatrix<T> column_gradient;
  Matrix<T> dx;
  LatticeShape shape;
  int kernel, taps_per_channel, channels;
  KOKKOS_INLINE_FUNCTION void operator()(const Index e) const
  {
    const Index channel = e % channels, j = e / channels;
    const Index sites = shape.sites();
    const Index sample = j / sites, site = j % sites;
    const int half = kernel / 2;
    T sum = 0;
    for (int tap = 0; tap < taps_per_channel; ++tap) {
      const Index reader = sample * sites + shape.shifted(site, half - tap / kernel, half - tap % kernel);
      sum += column_gradient(channel * taps_per_channel + tap, reader);
    }
    dx(channel, j) = sum;
  }
};

// dW(c, r) = sum_j dz(c, j) taps(r, j) and db(c) = sum_j dz(c, j) (r = taps), a team per
// output reducing over the columns: the portable gemm tiles only M x N, which for a
// convolution's weight gradient (M x N = channels x channels k^2, K = n V) is a single tile,
// i.e. a single thread.
template <class T>
struct WeightGradient {
  ConstMatrix<T> dz, taps;
  Matrix<T> weight_gradient, bias_gradient;
  KOKKOS_INLINE_FUNCTION void operator()(const TeamMember& team) const
  {
    const Index rows = dz.extent(0), w = team.league_rank();
    const Index c = w % rows, r = w / rows;
    const bool bias = r == static_cast<Index>(taps.extent(0));
    T sum = 0;
    Kokkos::parallel_reduce(
        Kokkos::TeamThreadRange(team, static_cast<Index>(dz.extent(1))),
        [&](const Index j, T& partial) { partial += dz(c, j) * (bias ? T(1) : taps(r, j)); }, sum);
    Kokkos::single(Kokkos::PerTeam(team), [&] {
      if (bias) {
        bias_gradient(c, 0) = sum;
      } else {
        weight_gradient(c, r) = sum;
      }
    });
  }
};

} // namespace detail

template <class T>
class Conv2d final : public Layer<T> {
public:
  Conv2d(LatticeShape shape, int in_channels, int out_channels, int kernel, Activation activation,
         T leaky_slope = T(0.01), GemmPath gemm_path = GemmPath::library)
      : shape_(shape), in_(in_channels), out_(out_channels), kernel_(kernel), activation_(activation),
        slope_(leaky_slope), gemm_path_(gemm_path)
  {
    if (kernel % 2 == 0 || kernel > shape.extent_x || kernel > shape.extent_y)
      throw InputError(fmt::format("a convolution's kernel size must be odd and at most the lattice's extent "
                                   "({} x {}); got {}",
                                   shape.extent_x, shape.extent_y, kernel));
    if (activation == Activation::softmax || activation == Activation::gelu)
      throw InputError("a convolution's activation cannot be softmax or gelu");
  }

  int inputs() const override { return in_; }
  int outputs() const override { return out_; }
  int kernel() const { return kernel_; }
  const LatticeShape& shape() const { return shape_; }
  std::size_t parameter_count() const override
  {
    return static_cast<std::size_t>(out_) * taps() + static_cast<std::size_t>(out_);
  }

  void bind(T* parameters, T* gradients) override
  {
    weights_ = Matrix<T>(parameters, out_, taps());
    bias_ = Kokkos::View<T*, MemSpace>(parameters + weights_.span(), out_);
    weight_gradient_ = Matrix<T>(gradients, out_, taps());
    bias_gradient_ = Matrix<T>(gradients + weights_.span(), out_, 1);
  }

  // PyTorch's default for Conv2d: weights and biases uniform in +-1/sqrt(fan_in), fan_in =
  // in_channels k^2, whatever `initialiser` says (the flows of the 2019 paper use it).
  std::uint32_t initialise(const ExecSpace& space, std::uint64_t seed, std::uint32_t stream, Initialiser) override
  {
    const double bound = 1.0 / std::sqrt(static_cast<double>(taps()));
    par_for("tessera::nn::conv2d::initialise_weights", space, 0, static_cast<Index>(weights_.span()),
            detail::InitialiseWeights<T>{weights_, seed, stream, false, bound});
    const Matrix<T> bias(bias_.data(), out_, 1);
    par_for("tessera::nn::conv2d::initialise_bias", space, 0, static_cast<Index>(out_),
            detail::InitialiseWeights<T>{bias, seed, stream + 1, false, bound});
    return stream + 2;
  }

  void mark_weights(const Kokkos::View<T*, MemSpace>& mask, std::size_t offset) const override
  {
    Kokkos::deep_copy(Kokkos::subview(mask, Kokkos::pair<std::size_t, std::size_t>(offset, offset + weights_.span())),
                      T(1));
  }

  void reserve(Index columns) override
  {
    if (static_cast<Index>(y_.extent(1)) >= columns) return;
    const auto alloc = [&](const std::string& label, Index rows) {
      return Matrix<T>(Kokkos::view_alloc(label, Kokkos::WithoutInitializing), rows, columns);
    };
    taps_ = alloc("tessera::nn::conv2d::taps", taps());
    tap_gradient_ = alloc("tessera::nn::conv2d::tap_gradient", taps());
    y_ = alloc("tessera::nn::conv2d::y", out_);
    dz_ = alloc("tessera::nn::conv2d::dz", out_);
    ones_ = Matrix<T>("tessera::nn::conv2d::ones", columns, 1);
    Kokkos::deep_copy(ones_, T(1));
  }

  Matrix<T> forward(const ExecSpace& space, const ConstMatrix<T>& x) override
  {
    const Index n = x.extent(1);
    check_columns(n);
    reserve(n);
    const auto taps_n = first_columns(taps_, n), y = first_columns(y_, n);
    par_for("tessera::nn::conv2d::gather_taps", space, 0, n * taps(),
            detail::GatherTaps<T>{x, taps_n, shape_, kernel_, kernel_ * kernel_, taps()});
    gemm(space, Trans::no, Trans::no, T(1), weights_, taps_n, T(0), y, gemm_path_);
    par_for("tessera::nn::conv2d::bias_activation", space, 0, n * out_,
            detail::BiasActivation<T>{y, y, bias_, activation_, slope_, out_, false});
    return y;
  }

  // x must be the input of the last forward (its gathered taps are reused).
  void backward(const ExecSpace& space, const ConstMatrix<T>& x, const ConstMatrix<T>& dy, bool dy_is_dz,
                const Matrix<T>& dx) override
  {
    const Index n = x.extent(1);
    ConstMatrix<T> dz = dy;
    if (!dy_is_dz && activation_ != Activation::linear) {
      const auto out = first_columns(dz_, n), y = first_columns(y_, n);
      par_for("tessera::nn::conv2d::activation_gradient", space, 0, n * out_,
              detail::ActivationGradient<T>{y, y, dy, out, activation_, slope_, out_});
      dz = out;
    }
    const auto taps_n = first_columns(taps_, n);
    if (have_kokkos_kernels && gemm_path_ == GemmPath::library) {
      gemm(space, Trans::no, Trans::yes, T(1), dz, taps_n, T(0), weight_gradient_, gemm_path_);
      gemm(space, Trans::no, Trans::no, T(1), dz, Matrix<T>(ones_.data(), n, 1), T(0), bias_gradient_, gemm_path_);
    } else {
      par_for_team("tessera::nn::conv2d::weight_gradient",
                   team_policy(space, static_cast<Index>(out_) * (taps() + 1), 0, 0),
                   detail::WeightGradient<T>{dz, taps_n, weight_gradient_, bias_gradient_});
    }
    if (dx.span() == 0) return;
    const auto tap_gradient = first_columns(tap_gradient_, n);
    gemm(space, Trans::yes, Trans::no, T(1), weights_, dz, T(0), tap_gradient, gemm_path_);
    par_for("tessera::nn::conv2d::scatter_taps", space, 0, n * in_,
            detail::ScatterTaps<T>{tap_gradient, dx, shape_, kernel_, kernel_ * kernel_, in_});
  }

  std::string spec() const override
  {
    return fmt::format("conv2d {} {}x{} {}", out_, kernel_, kernel_, activation_name(activation_));
  }

  const Matrix<T>& weights() const { return weights_; }
  const Kokkos::View<T*, MemSpace>& bias() const { return bias_; }

private:
  int taps() const { return in_ * kernel_ * kernel_; }
  void check_columns(Index n) const
  {
    if (n % shape_.sites() != 0)
      throw Error(ExitCode::failure, fmt::format("conv2d: {} columns are not whole {} x {} lattices", n,
                                                 shape_.extent_x, shape_.extent_y));
  }

  LatticeShape shape_;
  int in_, out_, kernel_;
  Activation activation_;
  T slope_;
  GemmPath gemm_path_;
  Matrix<T> weights_, weight_gradient_, bias_gradient_;
  Kokkos::View<T*, MemSpace> bias_;
  Matrix<T> taps_, tap_gradient_, y_, dz_, ones_;
};

} // namespace tessera::nn
