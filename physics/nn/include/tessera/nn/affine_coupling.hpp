// SPDX-License-Identifier: Apache-2.0
#pragma once
// A real-NVP affine coupling layer with a checkerboard mask on a periodic lattice (Albergo,
// Kanwar and Shanahan, PRD 100, 034515 (2019)): the frozen sites pass unchanged and feed a
// convolutional network whose two output channels are s and t on every site; the active
// sites become
//   y = x exp(s) + t,   log |det dy/dx| = sum over active sites of s,
// and the inverse is x = (y - t) exp(-s). The frozen sites of layer `parity` are the sites
// whose parity (x + y mod 2) differs from it, as in the 2021 tutorial's make_checker_mask.
//
// backward() takes dL/dy and dL/d(log det) per sample and gives the network's parameter
// gradients (overwritten) and dL/dx, which is what a reverse-KL trainer (reverse_kl.hpp)
// chains through a flow.

#include <memory>
#include <vector>

#include "tessera/nn/coupling_net.hpp"

namespace tessera::nn {

namespace detail {

KOKKOS_INLINE_FUNCTION bool frozen_site(const LatticeShape& shape, int parity, Index j)
{
  return shape.parity(j % shape.sites()) != parity;
}

template <class T>
struct FrozenPart {
  ConstFieldBatch<T> x;
  Matrix<T> frozen;
  LatticeShape shape;
  int parity;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    frozen(0, j) = frozen_site(shape, parity, j) ? x(j) : T(0);
  }
};

// direction +1: y = x exp(s) + t on the active sites; -1: x = (y - t) exp(-s).
template <class T>
struct ApplyCoupling {
  ConstFieldBatch<T> in;
  FieldBatch<T> out;
  ConstMatrix<T> scale_shift;
  LatticeShape shape;
  int parity, direction;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    if (frozen_site(shape, parity, j)) {
      out(j) = in(j);
    } else if (direction > 0) {
      out(j) = in(j)*Kokkos::exp(scale_shift(0, j)) + scale_shift(1, j);
    } else {
      out(j) = (in(j)-scale_shift(1, j)) * Kokkos::exp(-scale_shift(0, j));
    }
  }
};

// log_jacobian(sample) += sign * (sum of s over the sample's active sites).
template <class T>
struct AddLogJacobian {
  ConstMatrix<T> scale_shift;
  SampleValues<T> log_jacobian;
  LatticeShape shape;
  int parity;
  T sign;
  KOKKOS_INLINE_FUNCTION void operator()(const Index sample) const
  {
    const Index sites = shape.sites();
    T sum = 0;
    for (Index site = 0; site < sites; ++site)
      if (shape.parity(site) == parity) sum += scale_shift(0, sample * sites + site);
    log_jacobian(sample) += sign * sum;
  }
};

// From dL/dy and dL/d(log det): dL/ds and dL/dt on the active sites (zero on the frozen
// ones, whose s and t are not used) and the direct part of dL/dx.
template <class T>
struct CouplingGradient {
  ConstFieldBatch<T> x, dy;
  Kokkos::View<const T*, MemSpace> jacobian_weight;
  ConstMatrix<T> scale_shift;
  Matrix<T> d_scale_shift;
  FieldBatch<T> dx;
  LatticeShape shape;
  int parity;
  T jacobian_sign;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    if (frozen_site(shape, parity, j)) {
      d_scale_shift(0, j) = T(0);
      d_scale_shift(1, j) = T(0);
      dx(j) = dy(j);
      return;
    }
    const T growth = Kokkos::exp(scale_shift(0, j));
    d_scale_shift(0, j) = dy(j) * x(j) * growth + jacobian_sign * jacobian_weight(j / shape.sites());
    d_scale_shift(1, j) = dy(j);
    dx(j) = dy(j) * growth;
  }
};

// dx += dL/d(frozen input) on the frozen sites.
template <class T>
struct AddFrozenGradient {
  ConstMatrix<T> d_frozen;
  FieldBatch<T> dx;
  LatticeShape shape;
  int parity;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    if (frozen_site(shape, parity, j)) dx(j) += d_frozen(0, j);
  }
};

template <class T>
std::vector<std::unique_ptr<Layer<T>>> coupling_net_layers(const LatticeShape& shape, const CouplingNetSpec& spec,
                                                           GemmPath gemm_path)
{
  return conv_net_layers<T>(shape, 1, 2, spec, gemm_path);
}

} // namespace detail

template <class T>
class AffineCoupling : public CouplingNetwork<T> {
public:
  AffineCoupling(const LatticeShape& shape, int parity, const CouplingNetSpec& spec,
                 GemmPath gemm_path = GemmPath::library)
      : CouplingNetwork<T>(1, detail::coupling_net_layers<T>(shape, spec, gemm_path)), shape_(shape), parity_(parity)
  {
  }

  const LatticeShape& shape() const { return shape_; }
  int parity() const { return parity_; }

  // y = f(x) for a batch of fields; log_jacobian(sample) += log |det df/dx|.
  void forward(const ExecSpace& space, const ConstFieldBatch<T>& x, const FieldBatch<T>& y,
               const SampleValues<T>& log_jacobian)
  {
    apply(space, x, y, log_jacobian, +1);
  }

  // x = f^-1(y); log_jacobian(sample) += log |det df^-1/dy| = -(that of f at x).
  void inverse(const ExecSpace& space, const ConstFieldBatch<T>& y, const FieldBatch<T>& x,
               const SampleValues<T>& log_jacobian)
  {
    apply(space, y, x, log_jacobian, -1);
  }

  // After forward(x): the network's parameter gradients (overwritten) and dL/dx, from dL/dy
  // and jacobian_sign * jacobian_weight(sample) = dL/d(log det) of that sample (a flow passes
  // its density weights with sign -1: log q falls by the log det).
  void backward(const ExecSpace& space, const ConstFieldBatch<T>& x, const ConstFieldBatch<T>& dy,
                const Kokkos::View<const T*, MemSpace>& jacobian_weight, const FieldBatch<T>& dx,
                T jacobian_sign = T(1))
  {
    const Index n = x.extent(0);
    reserve(n);
    const auto d_scale_shift = first_columns(d_scale_shift_, n);
    par_for("tessera::nn::coupling::gradient", space, 0, n,
            detail::CouplingGradient<T>{x, dy, jacobian_weight, scale_shift_, d_scale_shift, dx, shape_, parity_,
                                        jacobian_sign});
    const ConstMatrix<T> frozen = first_columns(frozen_, n);
    const ConstMatrix<T> d_frozen = this->net_.backward(space, frozen, d_scale_shift, false, true);
    par_for("tessera::nn::coupling::frozen_gradient", space, 0, n,
            detail::AddFrozenGradient<T>{d_frozen, dx, shape_, parity_});
  }

private:
  void reserve(Index n)
  {
    if (static_cast<Index>(frozen_.extent(1)) >= n) return;
    frozen_ = Matrix<T>(Kokkos::view_alloc("tessera::nn::coupling::frozen", Kokkos::WithoutInitializing), 1, n);
    d_scale_shift_ =
        Matrix<T>(Kokkos::view_alloc("tessera::nn::coupling::d_scale_shift", Kokkos::WithoutInitializing), 2, n);
  }

  void apply(const ExecSpace& space, const ConstFieldBatch<T>& in, const FieldBatch<T>& out,
             const SampleValues<T>& log_jacobian, int direction)
  {
    const Index n = in.extent(0);
    reserve(n);
    const auto frozen = first_columns(frozen_, n);
    par_for("tessera::nn::coupling::frozen_part", space, 0, n, detail::FrozenPart<T>{in, frozen, shape_, parity_});
    scale_shift_ = this->net_.forward(space, frozen);
    par_for("tessera::nn::coupling::apply", space, 0, n,
            detail::ApplyCoupling<T>{in, out, scale_shift_, shape_, parity_, direction});
    par_for("tessera::nn::coupling::log_jacobian", space, 0, n / shape_.sites(),
            detail::AddLogJacobian<T>{scale_shift_, log_jacobian, shape_, parity_, T(direction)});
  }

  LatticeShape shape_;
  int parity_;
  Matrix<T> frozen_, d_scale_shift_;
  ConstMatrix<T> scale_shift_;
};

} // namespace tessera::nn
