// SPDX-License-Identifier: Apache-2.0
#pragma once
// Ghost layers of links and spinors filled from the neighbouring ranks. Directions are done
// one after another, each face spanning the ghost-included extents of the others, so edge
// and corner ghosts (which staples and the clover need) are filled too. Directions held
// whole by a rank have no ghosts (neighbours wrap), unless the Decomposition was made with
// padding everywhere: then the exchange is a copy to itself, which tests use.

#include "tessera/lqcd/decomposition.hpp"
#include "tessera/lqcd/fields.hpp"
#include "tessera/lqcd/gamma.hpp"
#include "tessera/lqcd/half.hpp"

namespace tessera::lqcd {

namespace detail {

// Padded coordinates of face site f of direction mu at coordinate `layer` along mu.
KOKKOS_INLINE_FUNCTION Coords face_site(const Geometry& g, int mu, int layer, Index f)
{
  Coords x;
  for (int nu = 0; nu < dims; ++nu) {
    if (nu == mu) continue;
    x.c[nu] = static_cast<int>(f % g.padded[nu]);
    f /= g.padded[nu];
  }
  x.c[mu] = layer;
  return x;
}

inline Index face_sites(const Geometry& g, int mu)
{
  return 2 * g.storage_half / g.padded[mu];
}

// Where face site f goes in a buffer that holds only the sites of one parity: the padded
// extents are even, so f = 2j and 2j + 1 differ by one step along the face's fastest
// direction and exactly one of them has the wanted parity; it goes to slot j. Such buffers
// are half as long, and nothing unwritten is ever sent.
KOKKOS_INLINE_FUNCTION Index parity_slot(Index f)
{
  return f / 2;
}

// Copies `components` complex numbers per site between a field and a face buffer;
// Access(site, parity, k) returns the k-th number of the site by reference. Sites of the
// wrong parity are skipped when parity_only >= 0 (a spinor field holds one parity), and the
// others packed densely (parity_slot).
template <class T, class Access>
void copy_face(const std::string& label, const Geometry& g, int mu, int layer, int components, int parity_only,
               Complex<T>* buffer, bool to_buffer, const Access& access)
{
  par_for(
      label, face_sites(g, mu), KOKKOS_LAMBDA(Index f) {
        const Coords x = face_site(g, mu, layer, f);
        const int p = g.parity(x);
        if (parity_only >= 0 && p != parity_only) return;
        const Index site = g.storage_index(x);
        const Index slot = parity_only >= 0 ? parity_slot(f) : f;
        for (int k = 0; k < components; ++k) {
          Complex<T>& value = access(site, p, k);
          if (to_buffer)
            buffer[slot * components + k] = value;
          else
            value = buffer[slot * components + k];
        }
      });
}

template <class T, class Access>
void exchange(const Decomposition& d, int components, int parity_only, const Access& access)
{
  const Geometry& g = d.geometry();
  for (int mu = 0; mu < dims; ++mu) {
    if (g.pad[mu] == 0) continue;
    const Index n = (parity_only >= 0 ? face_sites(g, mu) / 2 : face_sites(g, mu)) * components;
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(Complex<T>);
    Complex<T>* buf[4];
    for (int k = 0; k < 4; ++k)
      buf[k] = static_cast<Complex<T>*>(d.buffer(k, bytes));
    copy_face<T>("lqcd::halo::pack", g, mu, 1, components, parity_only, buf[0], true, access);
    copy_face<T>("lqcd::halo::pack", g, mu, g.local[mu], components, parity_only, buf[1], true, access);
    // MPI sees the complex numbers as pairs of reals
    using Buffer = Kokkos::View<T*, MemSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
    const auto real = [&](int k) { return Buffer(reinterpret_cast<T*>(buf[k]), 2 * n); };
    d.cart().exchange(mu, real(0), real(1), real(2), real(3));
    copy_face<T>("lqcd::halo::unpack", g, mu, 0, components, parity_only, buf[2], false, access);
    copy_face<T>("lqcd::halo::unpack", g, mu, g.padded[mu] - 1, components, parity_only, buf[3], false, access);
  }
}

template <class T>
struct LinkAccess {
  LinkView<T> links;
  KOKKOS_INLINE_FUNCTION Complex<T>& operator()(Index site, int parity, int k) const
  {
    return links(site, parity, k / 9, (k / 3) % 3, k % 3);
  }
};

template <class T>
struct SpinorAccess {
  SpinorView<T> psi;
  KOKKOS_INLINE_FUNCTION Complex<T>& operator()(Index site, int, int k) const { return psi(site, k / 3, k % 3); }
};

// The face of a spinor field along mu, spin-projected: the lower face (layer 1) with
// (1 - gamma_mu), what the lower neighbour's forward hop needs, the upper face with
// (1 + gamma_mu); 6 complex numbers per site instead of 12. Unpacked as half of h in rows 0
// and 1 and the other half in rows 2 and 3, placed so that the hop's projection (after its
// gamma_5, if any) adds them back to h: exact for fields in T, and for a 16-bit field (whose
// numbers cannot hold 0, half.hpp) as close as rounding h itself would be. Buffers hold
// precision T; a half field (Spinors = HalfSpinorView, T = float) is sent in float and
// rounded to 16 bits when unpacked, as its interior sites were (the simplest correct choice:
// the face is a small part of the traffic).
template <class T, class Spinors>
void pack_projected(const Geometry& g, int mu, int parity, const Spinors& psi, bool gamma5_first, Complex<T>* lower,
                    Complex<T>* upper)
{
  par_for(
      "lqcd::halo::pack_projected", face_sites(g, mu), KOKKOS_LAMBDA(Index f) {
        for (int side = 0; side < 2; ++side) {
          const Coords x = face_site(g, mu, side == 0 ? 1 : g.local[mu], f);
          if (g.parity(x) != parity) continue;
          Spinor<T> v = load_spinor<T>(psi, g.storage_index(x));
          if (gamma5_first) v = gamma5(v);
          const HalfSpinor<T> h = project(v, mu, side == 0 ? +1 : -1);
          Complex<T>* out = side == 0 ? lower : upper;
          for (int r = 0; r < 2; ++r)
            for (int a = 0; a < 3; ++a)
              out[parity_slot(f) * 6 + r * 3 + a] = h.h[r].c[a];
        }
      });
}

template <class T, class Spinors>
void unpack_projected(const Geometry& g, int mu, int parity, const Spinors& psi, bool gamma5_first,
                      const Complex<T>* from_lower, const Complex<T>* from_upper)
{
  par_for(
      "lqcd::halo::unpack_projected", face_sites(g, mu), KOKKOS_LAMBDA(Index f) {
        for (int side = 0; side < 2; ++side) {
          const Coords x = face_site(g, mu, side == 0 ? 0 : g.padded[mu] - 1, f);
          if (g.parity(x) != parity) continue;
          const Complex<T>* in = side == 0 ? from_lower : from_upper;
          // The lower ghost is read by backward hops (1 + gamma_mu), the upper by forward ones:
          // row r of the projection is psi_r + i^k (G psi)_col (gamma.hpp, project).
          const int sign = side == 0 ? -1 : +1;
          Spinor<T> v;
          for (int r = 0; r < 2; ++r) {
            const GammaRow row = gamma_row(mu, r);
            const int k = row.phase + (sign > 0 ? 2 : 0) + (gamma5_first ? 2 : 0);
            for (int a = 0; a < 3; ++a) {
              const Complex<T> half_h = T(0.5) * in[parity_slot(f) * 6 + r * 3 + a];
              v.s[r].c[a] = half_h;
              v.s[row.col].c[a] = times_i_power(half_h, 4 - (k & 3)); // i^k of it is half_h
            }
          }
          store_spinor(psi, g.storage_index(x), v);
        }
      });
}

} // namespace detail

// Fills the ghost sites of a gauge field (both parities, all directions).
template <class T>
void exchange_links(const Decomposition& d, const LinkView<T>& links)
{
  if (!d.geometry().any_padding) return;
  detail::exchange<T>(d, 4 * 9, -1, detail::LinkAccess<T>{links});
}

// Fills the ghost sites of a spinor field of the given parity.
template <class T>
void exchange_spinor(const Decomposition& d, const SpinorView<T>& psi, int parity)
{
  if (!d.geometry().any_padding) return;
  detail::exchange<T>(d, 12, parity, detail::SpinorAccess<T>{psi});
}

// Fills the ghost sites of a spinor field for the hopping term only: spin-projected half
// spinors (half the bytes through MPI), of gamma_5 psi when gamma5_first. The ghosts then
// hold h split over the four rows (unpack_projected): right for the hop's projection along
// the exchange direction, for nothing else.
// T is the arithmetic precision of the field (float for a HalfSpinorView).
template <class T, class Spinors>
void exchange_spinor_projected(const Decomposition& d, const Spinors& psi, int parity, bool gamma5_first)
{
  const Geometry& g = d.geometry();
  if (!g.any_padding) return;
  for (int mu = 0; mu < dims; ++mu) {
    if (g.pad[mu] == 0) continue;
    const Index n = detail::face_sites(g, mu) / 2 * 6; // one parity's sites, 6 complex each
    const std::size_t bytes = static_cast<std::size_t>(n) * sizeof(Complex<T>);
    Complex<T>* buf[4];
    for (int k = 0; k < 4; ++k)
      buf[k] = static_cast<Complex<T>*>(d.buffer(k, bytes));
    detail::pack_projected(g, mu, parity, psi, gamma5_first, buf[0], buf[1]);
    using Buffer = Kokkos::View<T*, MemSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
    const auto real = [&](int k) { return Buffer(reinterpret_cast<T*>(buf[k]), 2 * n); };
    d.cart().exchange(mu, real(0), real(1), real(2), real(3));
    detail::unpack_projected(g, mu, parity, psi, gamma5_first, buf[2], buf[3]);
  }
}

} // namespace tessera::lqcd
