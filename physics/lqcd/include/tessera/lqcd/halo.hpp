#pragma once
// Ghost layers of links and spinors filled from the neighbouring ranks. Directions are done
// one after another, each face spanning the ghost-included extents of the others, so edge
// and corner ghosts (which staples and the clover need) are filled too. Directions held
// whole by a rank have no ghosts (neighbours wrap), unless the Decomposition was made with
// padding everywhere: then the exchange is a copy to itself, which tests use.

#include "tessera/lqcd/decomposition.hpp"
#include "tessera/lqcd/fields.hpp"

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

// Copies `components` complex numbers per site between a field and a face buffer;
// Access(site, parity, k) returns the k-th number of the site by reference. Sites of the
// wrong parity are skipped when parity_only >= 0 (a spinor field holds one parity).
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
        for (int k = 0; k < components; ++k) {
          Complex<T>& value = access(site, p, k);
          if (to_buffer)
            buffer[f * components + k] = value;
          else
            value = buffer[f * components + k];
        }
      });
}

template <class T, class Access>
void exchange(const Decomposition& d, int components, int parity_only, const Access& access)
{
  const Geometry& g = d.geometry();
  for (int mu = 0; mu < dims; ++mu) {
    if (g.pad[mu] == 0) continue;
    const Index n = face_sites(g, mu) * components;
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

} // namespace tessera::lqcd
