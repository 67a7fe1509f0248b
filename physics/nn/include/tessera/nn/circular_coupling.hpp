// SPDX-License-Identifier: Apache-2.0
#pragma once
// A coupling layer for a field of angles on a periodic lattice (the "NCP" coupling of
// Kanwar et al., PRL 125, 121601 (2020), and of the 2021 tutorial's U(1) flow): every site
// is frozen, active or passive. The frozen angles x_f feed a convolutional network as the
// two channels (cos x_f, sin x_f) (the other sites as (1, 0)); its K + 1 output channels are
// the K parameters s_k of a mixture of circle maps (circle_map.hpp) and a shift t on every
// site. An active angle becomes
//   y = (g_s(x mod 2 pi) + t) mod 2 pi,     log |det dy/dx| = sum over active sites of log g_s'(x),
// frozen and passive angles pass unchanged. Passive sites are those a caller changes itself
// in a way the network must not see (a gauge-equivariant flow's plaquettes next to the
// updated links); to this layer they are frozen sites hidden from the network.
//
// backward() takes dL/dy and dL/d(log det) per sample and gives the network's parameter
// gradients (overwritten) and dL/dx.

#include <cstdint>
#include <memory>
#include <vector>

#include "tessera/core/errors.hpp"
#include "tessera/nn/circle_map.hpp"
#include "tessera/nn/coupling_net.hpp"

namespace tessera::nn {

enum class SiteRole : std::uint8_t { frozen = 0, active = 1, passive = 2 };

namespace detail {

using RoleView = Kokkos::View<const SiteRole*, MemSpace>;

template <class T>
struct CircularNetInput {
  ConstFieldBatch<T> x;
  Matrix<T> input;
  RoleView roles;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const T angle = roles(j % roles.extent(0)) == SiteRole::frozen ? x(j) : T(0);
    input(0, j) = Kokkos::cos(angle);
    input(1, j) = Kokkos::sin(angle);
  }
};

// direction +1: y = g(x) + t on the active sites, with log g'(x) into local_log_jacobian;
// -1: x = g^-1(y - t), with -log g'(x).
template <class T>
struct ApplyCircularCoupling {
  ConstFieldBatch<T> in;
  FieldBatch<T> out, local_log_jacobian;
  ConstMatrix<T> net_output; // rows 0 ... K-1: s_k; row K: t
  RoleView roles;
  int components, direction;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    if (roles(j % roles.extent(0)) != SiteRole::active) {
      out(j) = in(j);
      local_log_jacobian(j) = T(0);
      return;
    }
    const MixtureTanMap<T, ConstMatrix<T>> map{net_output, j, components};
    const T shift = net_output(components, j);
    if (direction > 0) {
      const T x = wrap_angle(in(j));
      out(j) = wrap_angle(map.value(x) + shift);
      local_log_jacobian(j) = Kokkos::log(map.derivative(x));
    } else {
      const T x = map.inverse(wrap_angle(in(j)-shift));
      out(j) = x;
      local_log_jacobian(j) = -Kokkos::log(map.derivative(x));
    }
  }
};

// log_jacobian(sample) += sign * (sum of the sample's local log-Jacobians), one team a sample.
template <class T>
void add_site_sums(const ExecSpace& space, const ConstFieldBatch<T>& local, const SampleValues<T>& log_jacobian,
                   Index sites, T sign)
{
  const Index samples = local.extent(0) / sites;
  par_for_team(
      "tessera::nn::circular_coupling::log_jacobian", team_policy(space, samples, 0, 0),
      KOKKOS_LAMBDA(const TeamMember& team) {
        const Index sample = team.league_rank();
        T sum = 0;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, sites), [&](Index s, T& partial) { partial += local(sample * sites + s); },
            sum);
        Kokkos::single(Kokkos::PerTeam(team), [&] { log_jacobian(sample) += sign * sum; });
      });
}

// From dL/dy and dL/d(log det): dL/ds_k and dL/dt on the active sites (zero elsewhere) and
// the direct part of dL/dx.
template <class T>
struct CircularCouplingGradient {
  ConstFieldBatch<T> x, dy;
  Kokkos::View<const T*, MemSpace> jacobian_weight;
  ConstMatrix<T> net_output;
  Matrix<T> d_net_output;
  FieldBatch<T> dx;
  RoleView roles;
  int components;
  T jacobian_sign;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const Index sites = roles.extent(0);
    if (roles(j % sites) != SiteRole::active) {
      for (int k = 0; k <= components; ++k)
        d_net_output(k, j) = T(0);
      dx(j) = dy(j);
      return;
    }
    const MixtureTanMap<T, ConstMatrix<T>> map{net_output, j, components};
    d_net_output(components, j) = dy(j);
    dx(j) = map.backward(wrap_angle(x(j)), dy(j), jacobian_sign * jacobian_weight(j / sites), d_net_output);
  }
};

// dx += dL/d(x_f) through (cos x_f, sin x_f) on the frozen sites.
template <class T>
struct AddCircularFrozenGradient {
  ConstFieldBatch<T> x;
  ConstMatrix<T> d_input;
  FieldBatch<T> dx;
  RoleView roles;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    if (roles(j % roles.extent(0)) != SiteRole::frozen) return;
    dx(j) += Kokkos::cos(x(j)) * d_input(1, j) - Kokkos::sin(x(j)) * d_input(0, j);
  }
};

} // namespace detail

template <class T>
class CircularCoupling : public CouplingNetwork<T> {
public:
  // roles: one per site of `shape`; mixture_components K >= 1.
  CircularCoupling(const LatticeShape& shape, const std::vector<SiteRole>& roles, int mixture_components,
                   const CouplingNetSpec& spec, GemmPath gemm_path = GemmPath::library)
      : CouplingNetwork<T>(2, conv_net_layers<T>(shape, 2, mixture_components + 1, spec, gemm_path)), shape_(shape),
        components_(mixture_components)
  {
    if (mixture_components < 1) throw InputError("a circular coupling needs at least one mixture component");
    if (static_cast<Index>(roles.size()) != shape.sites())
      throw std::invalid_argument("nn::CircularCoupling: one role per site");
    Kokkos::View<SiteRole*, MemSpace> roles_view("tessera::nn::circular_coupling::roles", roles.size());
    const auto host = Kokkos::create_mirror_view(roles_view);
    for (std::size_t s = 0; s < roles.size(); ++s)
      host(s) = roles[s];
    Kokkos::deep_copy(roles_view, host);
    roles_ = roles_view;
  }

  const LatticeShape& shape() const { return shape_; }
  int mixture_components() const { return components_; }
  const detail::RoleView& roles() const { return roles_; }

  // y = f(x) for a batch of angle fields; log_jacobian(sample) += log |det df/dx|.
  void forward(const ExecSpace& space, const ConstFieldBatch<T>& x, const FieldBatch<T>& y,
               const SampleValues<T>& log_jacobian)
  {
    apply(space, x, y, log_jacobian, +1);
  }

  // x = f^-1(y) (active angles in [0, 2 pi)); log_jacobian(sample) += log |det df^-1/dy|.
  void inverse(const ExecSpace& space, const ConstFieldBatch<T>& y, const FieldBatch<T>& x,
               const SampleValues<T>& log_jacobian)
  {
    apply(space, y, x, log_jacobian, -1);
  }

  // After forward(x): the network's parameter gradients (overwritten) and dL/dx, from dL/dy
  // and dL/d(log det) = jacobian_sign * jacobian_weight(sample).
  void backward(const ExecSpace& space, const ConstFieldBatch<T>& x, const ConstFieldBatch<T>& dy,
                const Kokkos::View<const T*, MemSpace>& jacobian_weight, const FieldBatch<T>& dx,
                T jacobian_sign = T(1))
  {
    const Index n = x.extent(0);
    reserve(n);
    const auto d_net_output = first_columns(d_net_output_, n);
    par_for("tessera::nn::circular_coupling::gradient", space, 0, n,
            detail::CircularCouplingGradient<T>{x, dy, jacobian_weight, net_output_, d_net_output, dx, roles_,
                                                components_, jacobian_sign});
    const ConstMatrix<T> input = first_columns(net_input_, n);
    const ConstMatrix<T> d_input = this->net_.backward(space, input, d_net_output, false, true);
    par_for("tessera::nn::circular_coupling::frozen_gradient", space, 0, n,
            detail::AddCircularFrozenGradient<T>{x, d_input, dx, roles_});
  }

private:
  void reserve(Index n)
  {
    if (static_cast<Index>(net_input_.extent(1)) >= n) return;
    net_input_ =
        Matrix<T>(Kokkos::view_alloc("tessera::nn::circular_coupling::input", Kokkos::WithoutInitializing), 2, n);
    d_net_output_ =
        Matrix<T>(Kokkos::view_alloc("tessera::nn::circular_coupling::d_output", Kokkos::WithoutInitializing),
                  components_ + 1, n);
    local_log_jacobian_ =
        FieldBatch<T>(Kokkos::view_alloc("tessera::nn::circular_coupling::local", Kokkos::WithoutInitializing), n);
  }

  void apply(const ExecSpace& space, const ConstFieldBatch<T>& in, const FieldBatch<T>& out,
             const SampleValues<T>& log_jacobian, int direction)
  {
    const Index n = in.extent(0);
    reserve(n);
    const auto input = first_columns(net_input_, n);
    par_for("tessera::nn::circular_coupling::input", space, 0, n, detail::CircularNetInput<T>{in, input, roles_});
    net_output_ = this->net_.forward(space, input);
    const auto local = Kokkos::subview(local_log_jacobian_, std::pair<Index, Index>(0, n));
    par_for("tessera::nn::circular_coupling::apply", space, 0, n,
            detail::ApplyCircularCoupling<T>{in, out, local, net_output_, roles_, components_, direction});
    detail::add_site_sums<T>(space, local, log_jacobian, shape_.sites(), T(1));
  }

  LatticeShape shape_;
  int components_;
  detail::RoleView roles_;
  Matrix<T> net_input_, d_net_output_;
  FieldBatch<T> local_log_jacobian_;
  ConstMatrix<T> net_output_;
};

} // namespace tessera::nn
