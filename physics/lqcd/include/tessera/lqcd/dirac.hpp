// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Wilson-Dirac operator D = 1 - kappa H, with the hopping term
//   H psi(x) = sum_mu [(1 - gamma_mu) U_mu(x) psi(x+mu) + (1 + gamma_mu) U_mu(x-mu)^dag psi(x-mu)]
// (1320 flops per site by the usual count), and its even-odd (Schur) preconditioned form
// on the even sites, M = 1 - kappa^2 H_eo H_oe. D and M are gamma_5-Hermitian:
// D^dag = gamma_5 D gamma_5. Fermion boundary conditions enter as a phase (+1 periodic,
// -1 antiperiodic) on every hop across the lattice's edge in that direction.

#include <array>

#include "tessera/lqcd/gamma.hpp"
#include "tessera/lqcd/half.hpp"
#include "tessera/lqcd/halo.hpp"

namespace tessera::lqcd {

// Flop count of one application of H to one site (the standard count of the literature:
// 8 directions x (12 projection + 132 two SU(3)-vector products + 24 reconstruction) + 7 x
// 24 accumulation = 1320, the same as QUDA, Grid and the Kokkos Dslash mini-app).
inline constexpr double hopping_flops_per_site = 1320.0;

// out(p) = alpha x + beta G5?[H G5?(in)] on the interior sites of parity p; `in` has parity
// 1 - p and its ghosts are filled. Either gamma_5 may be switched on (daggers), and alpha
// may be 0 (x unused). T is the arithmetic; links and spinors are stored in T or in 16 bits
// (HalfLinkRowsView, HalfSpinorView with T = float: half.hpp).
template <class T, class Links = LinkView<T>, class Spinors = SpinorView<T>>
struct HoppingTerm {
  Geometry g;
  Links u;
  Spinors out, x, in;
  int parity;
  T alpha, beta;
  bool gamma5_in, gamma5_hop;
  Kokkos::Array<T, dims> boundary_phase;
  int chunk; // z-planes per chunk of the sweep (sweep_chunk)

  // Where a hop's link comes from: loaded where the hop uses it (LinkAt), or the words of a
  // 16-bit link fetched earlier (HalfLinkWords, decoded where the hop uses them).
  struct LinkAt {
    Index site;
    int parity;
  };
  template <int Mu>
  KOKKOS_FORCEINLINE_FUNCTION Su3<T> link_of(const LinkAt& at, T& factor) const
  {
    return load_link_unscaled<T>(u, at.site, at.parity, Mu, factor);
  }
  template <int Mu, int Rows>
  KOKKOS_FORCEINLINE_FUNCTION Su3<T> link_of(const HalfLinkWords<Rows>& words, T& factor) const
  {
    return decode_link_unscaled<T>(words, factor);
  }

  // One hop along Mu, a compile-time direction (the gamma structure then folds into sign flips
  // and real/imaginary swaps): forward (Sign +1) (1 - gamma_mu) U_mu(x) psi(x+mu), backward
  // (1 + gamma_mu) U_mu(x-mu)^dag psi(x-mu). The 16-bit fields' scales ride on the boundary
  // phase, which multiplies every number of the projected product anyway
  // (load_spinor_unscaled; 1 for other fields).
  template <int Mu, int Sign, class LinkSource>
  KOKKOS_FORCEINLINE_FUNCTION void hop_one(const Coords& c, Index neighbour, const LinkSource& link_source,
                                           Spinor<T>& sum) const
  {
    T spinor_factor, link_factor;
    HalfSpinor<T> h = load_projected<T, Mu, Sign>(in, neighbour, gamma5_in, spinor_factor);
    const Su3<T> link = link_of<Mu>(link_source, link_factor);
    const bool across_edge = Sign > 0 ? g.global_coord(c, Mu) == g.global[Mu] - 1 : g.global_coord(c, Mu) == 0;
    const T phase = (across_edge ? boundary_phase[Mu] : T(1)) * (spinor_factor * link_factor);
    for (int r = 0; r < 2; ++r) {
      h.h[r] = Sign > 0 ? link * h.h[r] : adj_mul(link, h.h[r]);
      for (int a = 0; a < 3; ++a)
        h.h[r].c[a] *= phase;
    }
    accumulate_reconstructed(sum, h, Mu, Sign);
  }

  // Both hops along Mu. The 18-real 16-bit links are fetched, both, before either hop: ptxas
  // otherwise places some of their loads a few instructions before their use, which cost that
  // kernel 17% (perf/NOTES.md, "The whole suite at cec6264"); fetched ahead it runs 1.25x
  // faster. The other links gain nothing from it (12-real half links lost 1%) and are loaded
  // where they are used.
  template <int Mu>
  KOKKOS_FORCEINLINE_FUNCTION void hop(const Coords& c, Index site, Spinor<T>& sum) const
  {
    if constexpr (std::is_same_v<Links, HalfLinkRowsView<3>>) {
      const Index backward = g.storage_index(g.step(c, Mu, -1));
      const auto forward_link = fetch_link_words(u, site, parity, Mu);
      const auto backward_link = fetch_link_words(u, backward, 1 - parity, Mu);
      hop_one<Mu, +1>(c, g.storage_index(g.step(c, Mu, +1)), forward_link, sum);
      hop_one<Mu, -1>(c, backward, backward_link, sum);
    } else {
      hop_one<Mu, +1>(c, g.storage_index(g.step(c, Mu, +1)), LinkAt{site, parity}, sum);
      const Index backward = g.storage_index(g.step(c, Mu, -1));
      hop_one<Mu, -1>(c, backward, LinkAt{backward, 1 - parity}, sum);
    }
  }

  KOKKOS_INLINE_FUNCTION void operator()(Index n) const
  {
    const Coords c = g.sweep_coords(n, parity, chunk);
    const Index site = g.storage_index(c);
    Spinor<T> sum = Spinor<T>::zero();
    hop<0>(c, site, sum);
    hop<1>(c, site, sum);
    hop<2>(c, site, sum);
    hop<3>(c, site, sum);
    if (gamma5_hop) sum = gamma5(sum);
    // alpha = 0 (the Schur operator's inner hop, the benchmarks) skips x and 24 multiply-adds.
    Spinor<T> result;
    if (alpha != T(0)) {
      const Spinor<T> xs = load_spinor<T>(x, site);
      for (int s = 0; s < 4; ++s)
        for (int a = 0; a < 3; ++a)
          result.s[s].c[a] = alpha * xs.s[s].c[a] + beta * sum.s[s].c[a];
    } else {
      for (int s = 0; s < 4; ++s)
        for (int a = 0; a < 3; ++a)
          result.s[s].c[a] = beta * sum.s[s].c[a];
    }
    store_spinor(out, site, result);
  }
};

// The Wilson quarks' parameters (no defaults: the driver's come from its schema, tests build
// them with params_for<Simulation>, see simulation.hpp).
struct WilsonParams {
  double kappa;
  std::array<double, dims> boundary_phase; // per direction; -1 in time: antiperiodic
};

// The sweep of hopping_term below alone, the ghosts of `in` already filled (or none needed),
// `chunk` z-planes a chunk of the sweep: hopping_term passes sweep_chunk's choice, the
// benchmarks set it by hand (it must divide the local extent in z).
template <class T, class Links, class Spinors>
void hopping_sweep(const Geometry& g, const Links& links, const WilsonParams& params, const Spinors& out, int parity,
                   T alpha, const Spinors& x, T beta, const Spinors& in, bool gamma5_in, bool gamma5_hop, int chunk)
{
  HoppingTerm<T, Links, Spinors> term{g, links, out, x, in, parity, alpha, beta, gamma5_in, gamma5_hop, {}, chunk};
  for (int mu = 0; mu < dims; ++mu)
    term.boundary_phase[mu] = static_cast<T>(params.boundary_phase[mu]);
  par_for("lqcd::wilson::hopping", g.half_volume, term);
}

// out(p) = alpha x + beta G5?[H G5?(in)] with links of 18 or 12 reals (LinkView,
// CompressedLinkView, HalfLinkRowsView) and spinors in T or 16 bits; the ghosts of `in` are
// filled first, with spin-projected half spinors.
template <class T, class Links, class Spinors>
void hopping_term(const Decomposition& d, const Links& links, const WilsonParams& params, const Spinors& out,
                  int parity, T alpha, const Spinors& x, T beta, const Spinors& in, bool gamma5_in, bool gamma5_hop)
{
  exchange_spinor_projected<T>(d, in, 1 - parity, gamma5_in);
  hopping_sweep(d.geometry(), links, params, out, parity, alpha, x, beta, in, gamma5_in, gamma5_hop,
                sweep_chunk(d.geometry()));
}

// A copy of the links keeping the first two rows only, in precision T.
template <class T>
CompressedLinkView<T> compress_links(const LinkView<double>& links)
{
  CompressedLinkView<T> out("lqcd::links_12", static_cast<Index>(links.extent(0)));
  par_for(
      "lqcd::compress_links", static_cast<Index>(links.extent(0)), KOKKOS_LAMBDA(Index s) {
        for (int p = 0; p < 2; ++p)
          for (int mu = 0; mu < dims; ++mu)
            for (int k = 0; k < CompressedLinkView<T>::pairs; ++k) {
              ComplexPair<T> pair;
              for (int j = 0; j < 2; ++j)
                pair.c[j] = to_complex<T>(links(s, p, mu, (2 * k + j) / 3, (2 * k + j) % 3));
              out.q(s, p, mu, k) = pair;
            }
      });
  return out;
}

// D, M and their parts in precision P (double, float, or Half: 16-bit storage, float
// arithmetic, 12-real links).
template <class P>
class WilsonOperator {
public:
  using Real = typename Storage<P>::Real;
  using Field = typename Storage<P>::Spinors;
  using LinkField = typename Storage<P>::Links;

  WilsonOperator(const Decomposition& d, const LinkField& links, const WilsonParams& params)
      : d_(&d), links_(links), params_(params), odd_(allocate_spinor<P>(d.geometry(), "lqcd::wilson::odd")),
        even_(allocate_spinor<P>(d.geometry(), "lqcd::wilson::even"))
  {
  }

  const Decomposition& decomposition() const { return *d_; }
  const WilsonParams& params() const { return params_; }
  const LinkField& links() const { return links_; }

  // out(p) = alpha x + beta G5?[H G5?(in)], in of parity 1 - p.
  void hopping(const Field& out, int parity, Real alpha, const Field& x, Real beta, const Field& in,
               bool gamma5_in = false, bool gamma5_hop = false) const
  {
    hopping_term(*d_, links_, params_, out, parity, alpha, x, beta, in, gamma5_in, gamma5_hop);
  }

  // D psi and D^dag psi on the whole lattice (out and in distinct).
  void apply(const FermionField<P>& out, const FermionField<P>& in, bool dagger = false) const
  {
    const Real minus_kappa = static_cast<Real>(-params_.kappa);
    for (int p = 0; p < 2; ++p)
      hopping(out.parity[p], p, Real(1), in.parity[p], minus_kappa, in.parity[1 - p], dagger, dagger);
  }

  // M = 1 - kappa^2 H_eo H_oe on even sites, or M^dag = gamma_5 M gamma_5.
  void apply_schur(const Field& out, const Field& in, bool dagger = false) const
  {
    const Real kappa2 = static_cast<Real>(params_.kappa * params_.kappa);
    hopping(odd_, 1, Real(0), odd_, Real(1), in, dagger, false);
    hopping(out, 0, Real(1), in, -kappa2, odd_, false, dagger);
  }

  // M^dag M (the operator of CG on the normal equations); out and in distinct.
  void apply_schur_normal(const Field& out, const Field& in) const
  {
    apply_schur(even_, in, false);
    apply_schur(out, even_, true);
  }

  // The even-site source of the Schur system for D x = b: b_e + kappa H_eo b_o.
  void schur_source(const Field& out, const FermionField<P>& b) const
  {
    hopping(out, 0, Real(1), b.parity[0], static_cast<Real>(params_.kappa), b.parity[1]);
  }

  // The odd half of the solution from its even half: x_o = b_o + kappa H_oe x_e.
  void schur_reconstruct(const FermionField<P>& x, const FermionField<P>& b) const
  {
    hopping(x.parity[1], 1, Real(1), b.parity[1], static_cast<Real>(params_.kappa), x.parity[0]);
  }

private:
  const Decomposition* d_;
  LinkField links_;
  WilsonParams params_;
  Field odd_, even_; // work space of the Schur operator
};

} // namespace tessera::lqcd
