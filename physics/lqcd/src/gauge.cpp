// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/gauge.hpp"

#include "tessera/core/rng.hpp"
#include "tessera/lqcd/halo.hpp"

namespace tessera::lqcd {

namespace {

using Matrix = Su3<double>;

// The link U_mu at padded coordinates x.
KOKKOS_INLINE_FUNCTION Matrix link_at(const Geometry& g, const Links& u, const Coords& x, int mu)
{
  return load_link<double>(u, g.storage_index(x), g.parity(x), mu);
}

// The sum of the six staples of U_mu(x): U_mu(x) A summed over the plaquettes through the link.
KOKKOS_INLINE_FUNCTION Matrix staple_sum(const Geometry& g, const Links& u, const Coords& x, int mu)
{
  Matrix a = Matrix::zero();
  const Coords x_mu = g.step(x, mu, +1);
  for (int nu = 0; nu < dims; ++nu) {
    if (nu == mu) continue;
    const Coords x_nu = g.step(x, nu, +1);
    const Coords x_mnu = g.step(x, nu, -1);
    const Coords x_mu_mnu = g.step(x_mu, nu, -1);
    // upper: U_nu(x+mu) U_mu(x+nu)^dag U_nu(x)^dag
    a = a + mul_adj(mul_adj(link_at(g, u, x_mu, nu), link_at(g, u, x_nu, mu)), link_at(g, u, x, nu));
    // lower: U_nu(x+mu-nu)^dag U_mu(x-nu)^dag U_nu(x-nu)
    a = a + adj_mul(link_at(g, u, x_mu_mnu, nu), adj_mul(link_at(g, u, x_mnu, mu), link_at(g, u, x_mnu, nu)));
  }
  return a;
}

} // namespace

void set_zero(const Links& field)
{
  Kokkos::deep_copy(field, Complex<double>(0, 0));
}

Links cold_start(const Decomposition& d)
{
  const Geometry g = d.geometry();
  Links u = allocate_links<double>(g, "lqcd::links");
  par_for(
      "lqcd::cold_start", g.storage_half, KOKKOS_LAMBDA(Index s) {
        for (int p = 0; p < 2; ++p)
          for (int mu = 0; mu < dims; ++mu)
            store_link(u, s, p, mu, Matrix::identity());
      });
  return u;
}

Links hot_start(const Decomposition& d, std::uint64_t seed)
{
  const Geometry g = d.geometry();
  Links u = allocate_links<double>(g, "lqcd::links");
  par_for(
      "lqcd::hot_start", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        const Index global = global_site(g, site.x);
        for (int mu = 0; mu < dims; ++mu) {
          RandomDraws rng(seed, static_cast<std::uint32_t>(Stream::hot_start), 4 * global + mu);
          store_link(u, site.index, site.parity, mu, random_su3<double>(rng));
        }
      });
  exchange_links(d, u);
  return u;
}

Plaquette plaquette(const Decomposition& d, const Links& u)
{
  const Geometry g = d.geometry();
  double spatial = 0, temporal = 0;
  par_reduce_many(
      "lqcd::plaquette", 2 * g.half_volume,
      KOKKOS_LAMBDA(Index n, double& space_sum, double& time_sum) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu) {
          const Matrix u_mu = load_link<double>(u, site.index, site.parity, mu);
          const Coords x_mu = g.step(site.x, mu, +1);
          for (int nu = mu + 1; nu < dims; ++nu) {
            const Coords x_nu = g.step(site.x, nu, +1);
            // Re tr[U_mu(x) U_nu(x+mu) (U_nu(x) U_mu(x+nu))^dag]
            const Matrix left = u_mu * link_at(g, u, x_mu, nu);
            const Matrix right = load_link<double>(u, site.index, site.parity, nu) * link_at(g, u, x_nu, mu);
            const double w = re_trace(mul_adj(left, right));
            (nu == time_direction ? time_sum : space_sum) += w;
          }
        }
      },
      spatial, temporal);
  const double volume = static_cast<double>(g.global_volume());
  return {d.comm().sum(spatial) / (3 * 3 * volume), d.comm().sum(temporal) / (3 * 3 * volume)};
}

double wilson_action(const Decomposition& d, const Links& u, double beta)
{
  const auto plaq = plaquette(d, u);
  return beta * 6.0 * static_cast<double>(d.geometry().global_volume()) * (1.0 - plaq.average());
}

void add_gauge_force(const Decomposition& d, const Links& u, double beta, double scale, const Links& force)
{
  const Geometry g = d.geometry();
  const double factor = -beta / 6.0 * scale;
  par_for(
      "lqcd::gauge_force", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu) {
          const Matrix w = load_link<double>(u, site.index, site.parity, mu) * staple_sum(g, u, site.x, mu);
          const Matrix f = load_link<double>(force, site.index, site.parity, mu) + factor * traceless_antihermitian(w);
          store_link(force, site.index, site.parity, mu, f);
        }
      });
}

void update_links(const Decomposition& d, const Links& u, const Links& p, double eps)
{
  const Geometry g = d.geometry();
  par_for(
      "lqcd::update_links", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu) {
          const Matrix step = exp_antihermitian(eps * load_link<double>(p, site.index, site.parity, mu));
          store_link(u, site.index, site.parity, mu, step * load_link<double>(u, site.index, site.parity, mu));
        }
      });
  exchange_links(d, u);
}

void update_momenta(const Decomposition& d, const Links& p, const Links& f, double eps)
{
  const Geometry g = d.geometry();
  par_for(
      "lqcd::update_momenta", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu)
          store_link(p, site.index, site.parity, mu,
                     load_link<double>(p, site.index, site.parity, mu) +
                         eps * load_link<double>(f, site.index, site.parity, mu));
      });
}

void draw_momenta(const Decomposition& d, const Links& p, std::uint64_t seed, std::uint64_t trajectory)
{
  const Geometry g = d.geometry();
  const Index volume = g.global_volume();
  par_for(
      "lqcd::draw_momenta", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        const Index global = global_site(g, site.x);
        for (int mu = 0; mu < dims; ++mu) {
          const Index link = static_cast<Index>(trajectory) * 4 * volume + 4 * global + mu;
          RandomDraws rng(seed, static_cast<std::uint32_t>(Stream::momenta), static_cast<std::uint64_t>(link));
          store_link(p, site.index, site.parity, mu, random_algebra_element<double>(rng));
        }
      });
}

double kinetic_energy(const Decomposition& d, const Links& p)
{
  const Geometry g = d.geometry();
  double sum = 0;
  par_reduce(
      "lqcd::kinetic_energy", 2 * g.half_volume,
      KOKKOS_LAMBDA(Index n, double& s) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu) {
          const Matrix m = load_link<double>(p, site.index, site.parity, mu);
          s -= re_trace_mul(m, m);
        }
      },
      sum);
  return d.comm().sum(sum);
}

namespace {

KOKKOS_INLINE_FUNCTION Matrix transformation(const Geometry& g, const Coords& x, std::uint64_t seed)
{
  RandomDraws rng(seed, static_cast<std::uint32_t>(Stream::gauge_transform), global_site(g, x));
  return random_su3<double>(rng);
}

} // namespace

void gauge_transform(const Decomposition& d, const Links& u, std::uint64_t seed)
{
  const Geometry g = d.geometry();
  par_for(
      "lqcd::gauge_transform_links", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        const Matrix gx = transformation(g, site.x, seed);
        for (int mu = 0; mu < dims; ++mu) {
          const Matrix g_next = transformation(g, g.step(site.x, mu, +1), seed);
          store_link(u, site.index, site.parity, mu,
                     mul_adj(gx * load_link<double>(u, site.index, site.parity, mu), g_next));
        }
      });
  exchange_links(d, u);
}

void gauge_transform(const Decomposition& d, const SpinorView<double>& psi, int parity, std::uint64_t seed)
{
  const Geometry g = d.geometry();
  par_for(
      "lqcd::gauge_transform_spinor", g.half_volume, KOKKOS_LAMBDA(Index i) {
        const Coords x = g.interior_coords(i, parity);
        const Index s = g.storage_index(x);
        const Matrix gx = transformation(g, x, seed);
        Spinor<double> v = load_spinor<double>(psi, s);
        for (int spin = 0; spin < 4; ++spin)
          v.s[spin] = gx * v.s[spin];
        store_spinor(psi, s, v);
      });
}

void reunitarise(const Decomposition& d, const Links& u)
{
  const Geometry g = d.geometry();
  par_for(
      "lqcd::reunitarise", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu) {
          Matrix m = load_link<double>(u, site.index, site.parity, mu);
          lqcd::reunitarise(m);
          store_link(u, site.index, site.parity, mu, m);
        }
      });
  exchange_links(d, u);
}

double unitarity_violation(const Decomposition& d, const Links& u)
{
  const Geometry g = d.geometry();
  double worst = 0;
  par_reduce(
      "lqcd::unitarity_violation", 2 * g.half_volume,
      KOKKOS_LAMBDA(Index n, double& w) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu) {
          const Matrix m = load_link<double>(u, site.index, site.parity, mu);
          const Matrix e = mul_adj(m, m) - Matrix::identity();
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
              w = Kokkos::fmax(w, Kokkos::abs(e.m[a][b]));
        }
      },
      Kokkos::Max<double>(worst));
  return d.comm().max(worst);
}

double trace_product(const Decomposition& d, const Links& a, const Links& b)
{
  const Geometry g = d.geometry();
  double sum = 0;
  par_reduce(
      "lqcd::trace_product", 2 * g.half_volume,
      KOKKOS_LAMBDA(Index n, double& s) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu)
          s += re_trace_mul(load_link<double>(a, site.index, site.parity, mu),
                            load_link<double>(b, site.index, site.parity, mu));
      },
      sum);
  return d.comm().sum(sum);
}

} // namespace tessera::lqcd
