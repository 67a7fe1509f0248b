// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/u1_flow.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/flow/u1.hpp"

namespace tessera::flow {

namespace {

using nn::SiteRole;
using RoleView = Kokkos::View<const SiteRole*, MemSpace>;

// +1 for mu = 0, -1 for mu = 1: the sign of theta_mu(x) in theta_P(x).
KOKKOS_INLINE_FUNCTION int link_sign(int mu)
{
  return mu == 0 ? 1 : -1;
}

template <class T>
struct Plaquettes {
  nn::ConstFieldBatch<T> theta;
  nn::FieldBatch<T> plaquettes;
  nn::LatticeShape shape;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const Index sites = shape.sites();
    plaquettes(j) = plaquette_angle<T>(theta, (j / sites) * 2 * sites, shape, j % sites);
  }
};

// out = in, but on the active links theta_mu(x): out = (in + sign(mu) (after - before)) mod 2 pi,
// where after and before are the plaquettes at x.
template <class T>
struct MoveActiveLinks {
  nn::ConstFieldBatch<T> in;
  nn::FieldBatch<T> out;
  nn::ConstFieldBatch<T> after, before;
  RoleView roles;
  int mu;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const Index sites = roles.extent(0), k = j % (2 * sites), site = k % sites;
    if (k / sites != mu || roles(site) != SiteRole::active) {
      out(j) = in(j);
      return;
    }
    const Index plaquette = (j / (2 * sites)) * sites + site;
    out(j) = nn::wrap_angle(in(j) + link_sign(mu) * (after(plaquette) - before(plaquette)));
  }
};

// The link theta_mu(x) of an active plaquette x moved by sign(mu) (P' - P): through P', dL/dP'
// = sign(mu) dL/dtheta'_mu(x) there (zero at the other plaquettes, whose P' nothing reads)
// (`direct` false: overwrites); and directly, dL/dP -= sign(mu) dL/dtheta'_mu(x) (`direct`).
template <class T>
struct ActiveLinkGradient {
  nn::ConstFieldBatch<T> link_gradient;
  nn::FieldBatch<T> plaquette_gradient;
  RoleView roles;
  int mu;
  bool direct;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const Index sites = roles.extent(0), site = j % sites;
    const T through_link = roles(site) == SiteRole::active
                               ? link_sign(mu) * link_gradient((j / sites) * 2 * sites + mu * sites + site)
                               : T(0);
    if (direct) {
      plaquette_gradient(j) -= through_link;
    } else {
      plaquette_gradient(j) = through_link;
    }
  }
};

// dL/dtheta = dL/dtheta' (every link passes into the next layer) + the plaquettes' gradients:
// theta_0(x) is in P(x) and, negated, in P(x - e1); theta_1(x) in P(x - e0) and, negated, in P(x).
template <class T>
struct LinkGradient {
  nn::ConstFieldBatch<T> next_gradient, plaquette_gradient;
  nn::FieldBatch<T> gradient;
  nn::LatticeShape shape;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    const Index sites = shape.sites(), k = j % (2 * sites), site = k % sites;
    const Index base = (j / (2 * sites)) * sites;
    const T through_plaquettes =
        k < sites ? plaquette_gradient(base + site) - plaquette_gradient(base + shape.shifted(site, 0, -1))
                  : plaquette_gradient(base + shape.shifted(site, -1, 0)) - plaquette_gradient(base + site);
    gradient(j) = next_gradient(j) + through_plaquettes;
  }
};

template <class T>
struct DrawUniformAngles {
  nn::FieldBatch<T> z;
  std::uint64_t seed, first_item;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j) const
  {
    RandomDraws rng(seed, nn::prior_stream, first_item + static_cast<std::uint64_t>(j));
    z(j) = nn::wrap_angle(static_cast<T>(2 * Kokkos::numbers::pi * rng.uniform()));
  }
};

template <class T>
nn::FieldBatch<T> head(const nn::FieldBatch<T>& v, Index n)
{
  return Kokkos::subview(v, std::pair<Index, Index>(0, n));
}

} // namespace

std::vector<nn::SiteRole> u1_plaquette_roles(const nn::LatticeShape& shape, int mu, int offset)
{
  std::vector<SiteRole> roles(static_cast<std::size_t>(shape.sites()));
  for (int x = 0; x < shape.extent_x; ++x)
    for (int y = 0; y < shape.extent_y; ++y) {
      const int across = mu == 0 ? y : x;
      const int stripe = ((across - offset) % 4 + 4) % 4;
      roles[static_cast<std::size_t>(shape.site(x, y))] =
          stripe == 0 ? SiteRole::active : (stripe == 3 ? SiteRole::passive : SiteRole::frozen);
    }
  return roles;
}

template <class T>
U1EquivariantFlow<T>::U1EquivariantFlow(const nn::LatticeShape& shape, const U1FlowSpec& spec, GemmPath gemm_path)
    : shape_(shape), spec_(spec)
{
  if (shape.extent_x < 4 || shape.extent_y < 4 || shape.extent_x % 4 != 0 || shape.extent_y % 4 != 0)
    throw InputError(fmt::format("the gauge-equivariant U(1) flow needs lattice extents that are multiples of 4 "
                                 "(its plaquette masks repeat every 4 sites); got {} x {}",
                                 shape.extent_x, shape.extent_y));
  if (spec.coupling_layers < 1) throw InputError("a flow needs at least one coupling layer");
  for (int l = 0; l < spec.coupling_layers; ++l) {
    const int mu = l % 2, offset = (l / 2) % 4;
    const auto roles = u1_plaquette_roles(shape, mu, offset);
    auto layer = std::make_unique<Layer>();
    layer->mu = mu;
    layer->plaquettes =
        std::make_unique<nn::CircularCoupling<T>>(shape, roles, spec.mixture_components, spec.net, gemm_path);
    layer->roles = layer->plaquettes->roles();
    layers_.push_back(std::move(layer));
  }
  buffers_.allocate_and_bind(layers_);
  links_.resize(layers_.size() + 1);
  plaquettes_.resize(layers_.size());
}

template <class T>
void U1EquivariantFlow<T>::initialise(const ExecSpace& space, std::uint64_t seed)
{
  std::uint32_t stream = 0;
  for (auto& layer : layers_)
    stream = layer->plaquettes->initialise(space, seed, stream);
}

template <class T>
void U1EquivariantFlow<T>::draw_prior(const ExecSpace& space, std::uint64_t seed, std::uint64_t first_sample,
                                      const nn::FieldBatch<T>& z, const nn::SampleValues<T>& log_density) const
{
  const Index links = z.extent(0), per_sample = components();
  par_for("tessera::flow::u1_flow::draw_prior", space, 0, links,
          DrawUniformAngles<T>{z, seed, first_sample * static_cast<std::uint64_t>(per_sample)});
  Kokkos::deep_copy(space, Kokkos::subview(log_density, std::pair<Index, Index>(0, links / per_sample)),
                    static_cast<T>(-static_cast<double>(per_sample) * std::log(2 * std::numbers::pi)));
}

template <class T>
void U1EquivariantFlow<T>::reserve(Index links)
{
  if (static_cast<Index>(gradient_a_.extent(0)) >= links) return;
  const auto alloc = [](const std::string& label, Index n) {
    return nn::FieldBatch<T>(Kokkos::view_alloc(label, Kokkos::WithoutInitializing), n);
  };
  const Index plaquettes = links / 2;
  for (auto& field : links_)
    field = alloc("tessera::flow::u1_flow::links", links);
  for (auto& field : plaquettes_)
    field = alloc("tessera::flow::u1_flow::plaquettes", plaquettes);
  moved_plaquettes_ = alloc("tessera::flow::u1_flow::moved", plaquettes);
  plaquette_gradient_ = alloc("tessera::flow::u1_flow::plaquette_gradient", plaquettes);
  moved_gradient_ = alloc("tessera::flow::u1_flow::moved_gradient", plaquettes);
  gradient_a_ = alloc("tessera::flow::u1_flow::gradient", links);
  gradient_b_ = alloc("tessera::flow::u1_flow::gradient", links);
  log_jacobian_ = nn::SampleValues<T>("tessera::flow::u1_flow::log_jacobian", links / components() + 1);
}

template <class T>
nn::ConstFieldBatch<T> U1EquivariantFlow<T>::layer_input(std::size_t l, Index links) const
{
  return l == 0 ? input_ : nn::ConstFieldBatch<T>(head(links_[l], links));
}

template <class T>
nn::ConstFieldBatch<T> U1EquivariantFlow<T>::forward(const ExecSpace& space, const nn::ConstFieldBatch<T>& z,
                                                     const nn::SampleValues<T>& log_density)
{
  const Index links = z.extent(0), plaquettes = links / 2, samples = links / components();
  reserve(links);
  input_ = z;
  // log q = log r - sum of log |det|: accumulate the log dets into log_jacobian_, then subtract.
  const auto log_jacobian = Kokkos::subview(log_jacobian_, std::pair<Index, Index>(0, samples));
  Kokkos::deep_copy(space, log_jacobian, T(0));
  const auto moved = head(moved_plaquettes_, plaquettes);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = *layers_[l];
    const auto in = layer_input(l, links);
    const auto plaquettes_before = head(plaquettes_[l], plaquettes);
    par_for("tessera::flow::u1_flow::plaquettes", space, 0, plaquettes, Plaquettes<T>{in, plaquettes_before, shape_});
    layer.plaquettes->forward(space, plaquettes_before, moved, log_jacobian);
    par_for("tessera::flow::u1_flow::move_links", space, 0, links,
            MoveActiveLinks<T>{in, head(links_[l + 1], links), moved, plaquettes_before, layer.roles, layer.mu});
  }
  par_for(
      "tessera::flow::u1_flow::log_density", space, 0, samples,
      KOKKOS_LAMBDA(const Index s) { log_density(s) -= log_jacobian(s); });
  return head(links_.back(), links);
}

template <class T>
nn::ConstFieldBatch<T> U1EquivariantFlow<T>::inverse(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta,
                                                     const nn::SampleValues<T>& log_density)
{
  const Index links = theta.extent(0), plaquettes = links / 2, samples = links / components();
  reserve(links);
  input_ = nn::ConstFieldBatch<T>();
  const auto log_jacobian = Kokkos::subview(log_jacobian_, std::pair<Index, Index>(0, samples));
  Kokkos::deep_copy(space, log_jacobian, T(0));
  const auto after = head(plaquette_gradient_, plaquettes), before = head(moved_plaquettes_, plaquettes);
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Layer& layer = *layers_[l];
    const nn::ConstFieldBatch<T> out =
        l + 1 == layers_.size() ? theta : nn::ConstFieldBatch<T>(head(links_[l + 1], links));
    par_for("tessera::flow::u1_flow::plaquettes", space, 0, plaquettes, Plaquettes<T>{out, after, shape_});
    layer.plaquettes->inverse(space, after, before, log_jacobian);
    // theta = theta' + sign(mu) (P - P'), P' the plaquette of theta', P its preimage.
    par_for("tessera::flow::u1_flow::move_links", space, 0, links,
            MoveActiveLinks<T>{out, head(links_[l], links), before, after, layer.roles, layer.mu});
  }
  const T log_prior = static_cast<T>(-static_cast<double>(components()) * std::log(2 * std::numbers::pi));
  par_for(
      "tessera::flow::u1_flow::log_density", space, 0, samples,
      KOKKOS_LAMBDA(const Index s) { log_density(s) = log_prior + log_jacobian(s); });
  return head(links_[0], links);
}

template <class T>
void U1EquivariantFlow<T>::backward(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta_gradient,
                                    const Kokkos::View<const T*, MemSpace>& density_weight)
{
  const Index links = theta_gradient.extent(0), plaquettes = links / 2;
  if (static_cast<Index>(input_.extent(0)) != links)
    throw std::logic_error("flow::U1EquivariantFlow::backward needs a forward() of the same batch first");
  auto next = head(gradient_a_, links), gradient = head(gradient_b_, links);
  Kokkos::deep_copy(space, next, theta_gradient);
  const auto moved_gradient = head(moved_gradient_, plaquettes),
             plaquette_gradient = head(plaquette_gradient_, plaquettes);
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Layer& layer = *layers_[l];
    par_for("tessera::flow::u1_flow::moved_gradient", space, 0, plaquettes,
            ActiveLinkGradient<T>{next, moved_gradient, layer.roles, layer.mu, false});
    // log q falls by each layer's log det: dL/d(log det) = -density_weight.
    layer.plaquettes->backward(space, head(plaquettes_[l], plaquettes), moved_gradient, density_weight,
                               plaquette_gradient, T(-1));
    par_for("tessera::flow::u1_flow::direct_gradient", space, 0, plaquettes,
            ActiveLinkGradient<T>{next, plaquette_gradient, layer.roles, layer.mu, true});
    par_for("tessera::flow::u1_flow::link_gradient", space, 0, links,
            LinkGradient<T>{next, plaquette_gradient, gradient, shape_});
    std::swap(next, gradient);
  }
  input_gradient_ = next;
}

template class U1EquivariantFlow<float>;
template class U1EquivariantFlow<double>;

} // namespace tessera::flow
