// SPDX-License-Identifier: Apache-2.0
#pragma once
// The fields of lattice QCD as Views, stored by parity (lattice.hpp):
//   links:   (site, parity, mu, a, b)  the gauge field U_mu(x), 3x3 complex per direction
//   spinors: (site, spin, colour)      a quark field of one parity, 4x3 complex per site
// with the site index first, so that on GPUs (LayoutLeft) consecutive threads read
// consecutive addresses, and on hosts (LayoutRight) a site's numbers are contiguous.
// Storage<P> names the views of precision P: double and float here, Half in half.hpp.

#include <Kokkos_Core.hpp>

#include <string>

#include "tessera/core/cache_hints.hpp"
#include "tessera/core/spaces.hpp"
#include "tessera/lqcd/lattice.hpp"
#include "tessera/lqcd/su3.hpp"

namespace tessera::lqcd {

// Links with all 3 rows (18 reals).
template <class T>
using LinkView = View<Complex<T>* [2][dims][3][3]>;

// Two complex numbers loaded together: 16 bytes in float (one 128-bit load where a complex
// float alone is a 64-bit one), 32 in double.
template <class T>
struct alignas(2 * sizeof(Complex<T>)) ComplexPair {
  Complex<T> c[2];
};

// Links with only the first 2 rows (12 reals: the third is rebuilt as conj(row0 x row1) when
// loaded, trading 6 loads for 42 flops: "reconstruct-12"), the 6 numbers of a link as 3
// pairs, for wide loads (the site index first: on GPUs a warp's loads of a pair are
// contiguous).
template <class T>
struct CompressedLinkView {
  static constexpr int pairs = 3;
  View<ComplexPair<T>* [2][dims][pairs]> q;

  CompressedLinkView() = default;
  CompressedLinkView(const std::string& label, Index sites) : q(label, sites) {}
};
template <class T>
using SpinorView = View<Complex<T>* [4][3]>;
// HMC momenta and forces: anti-Hermitian traceless, stored as full 3x3 for simplicity.
template <class T>
using AlgebraView = LinkView<T>;

template <class T>
struct Spinor {
  ColourVector<T> s[4];

  KOKKOS_INLINE_FUNCTION static Spinor zero()
  {
    Spinor r;
    for (int a = 0; a < 4; ++a)
      for (int b = 0; b < 3; ++b)
        r.s[a].c[b] = Complex<T>(0, 0);
    return r;
  }
};

// The views of a precision: its arithmetic type, quark fields and the solvers' links.
template <class P>
struct Storage {
  using Real = P;
  using Spinors = SpinorView<P>;
  using Links = LinkView<P>;
};

// A stored complex number in precision T (half.hpp decodes its 16-bit numbers the same way).
template <class T, class U>
KOKKOS_FORCEINLINE_FUNCTION Complex<T> to_complex(const Complex<U>& z)
{
  return Complex<T>(static_cast<T>(z.real()), static_cast<T>(z.imag()));
}

// A link through `load` (PlainLoad, or OnceLoad for a sweep that reads each link once:
// cache_hints.hpp): 18 reals from any view of them (device views, host mirrors), or 12 from a
// CompressedLinkView, the third row rebuilt; overload resolution prefers the latter.
template <class T, class V, class Load>
KOKKOS_FORCEINLINE_FUNCTION Su3<T> load_link_with(const V& links, Index site, int parity, int mu, Load load)
{
  Su3<T> u;
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      u.m[a][b] = to_complex<T>(load(links(site, parity, mu, a, b)));
  return u;
}

template <class T, class U, class Load>
KOKKOS_FORCEINLINE_FUNCTION Su3<T> load_link_with(const CompressedLinkView<U>& links, Index site, int parity, int mu,
                                                  Load load)
{
  Su3<T> u;
  for (int k = 0; k < CompressedLinkView<U>::pairs; ++k) {
    const ComplexPair<U> pair = load(links.q(site, parity, mu, k));
    for (int j = 0; j < 2; ++j)
      u.m[(2 * k + j) / 3][(2 * k + j) % 3] = to_complex<T>(pair.c[j]);
  }
  complete_third_row(u);
  return u;
}

// A link in precision T from links stored in any precision; the 16-bit format (half.hpp) has
// its own overloads, which overload resolution prefers.
template <class T, class V>
KOKKOS_FORCEINLINE_FUNCTION Su3<T> load_link(const V& links, Index site, int parity, int mu)
{
  return load_link_with<T>(links, site, parity, mu, PlainLoad{});
}

template <class T, class V>
KOKKOS_FORCEINLINE_FUNCTION void store_link(const V& links, Index site, int parity, int mu, const Su3<T>& u)
{
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b)
      links(site, parity, mu, a, b) = u.m[a][b];
}

template <class T, class V>
KOKKOS_FORCEINLINE_FUNCTION Spinor<T> load_spinor(const V& psi, Index site)
{
  Spinor<T> r;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      r.s[a].c[b] = psi(site, a, b);
  return r;
}

// A field's numbers at a site up to one real factor, value = factor x numbers: the hopping
// term multiplies the factors in once per hop, after the spin projection and the link product
// (both linear), instead of into every number it loads. Fields stored in T have factor 1 (the
// multiplications by it compile away); the 16-bit fields (half.hpp) return their integers and
// their scale.
template <class T, class V>
KOKKOS_FORCEINLINE_FUNCTION Spinor<T> load_spinor_unscaled(const V& psi, Index site, T& factor)
{
  factor = T(1);
  return load_spinor<T>(psi, site);
}

// The hopping term reads each link once a sweep and each neighbour spinor eight times: its
// link loads are marked as read once (load_once, tessera/core/cache_hints.hpp), so that the
// links leave the cache before the spinors do.
template <class T, class V>
KOKKOS_FORCEINLINE_FUNCTION Su3<T> load_link_unscaled(const V& links, Index site, int parity, int mu, T& factor)
{
  factor = T(1);
  return load_link_with<T>(links, site, parity, mu, OnceLoad{});
}

template <class T, class V>
KOKKOS_FORCEINLINE_FUNCTION void store_spinor(const V& psi, Index site, const Spinor<T>& r)
{
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      store_once(psi(site, a, b), r.s[a].c[b]);
}

// A quark field on the whole lattice: both parities.
template <class T>
struct FermionField {
  typename Storage<T>::Spinors parity[2];
};

template <class T>
LinkView<T> allocate_links(const Geometry& g, const std::string& label)
{
  return LinkView<T>(label, g.storage_half);
}

template <class T>
typename Storage<T>::Spinors allocate_spinor(const Geometry& g, const std::string& label)
{
  return typename Storage<T>::Spinors(label, g.storage_half);
}

template <class T>
FermionField<T> allocate_fermion(const Geometry& g, const std::string& label)
{
  return {{allocate_spinor<T>(g, label + "_even"), allocate_spinor<T>(g, label + "_odd")}};
}

} // namespace tessera::lqcd
