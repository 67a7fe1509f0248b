// SPDX-License-Identifier: Apache-2.0
#pragma once
// Half-precision storage of quark fields and links, as QUDA's "half": 16-bit fixed point in
// memory, arithmetic in float. A spinor site holds 24 int16 q and one float norm, the largest
// |component| of the site: value = q * norm / 32767, 52 bytes instead of 96 (float), rounded
// to 2^-16 of the site's largest component. Links need no norm: the entries of an SU(3)
// matrix lie in [-1, 1], value = q / 32767 (24 or 36 bytes for 12 or 18 reals). The real and
// imaginary parts are stored together (HalfComplex, 4-byte aligned), so a complex number is
// one 32-bit load, as a float one is one 64-bit load. The tag Half selects this storage in
// WilsonOperator, Vector and the solvers (Storage<Half>).

#include <cstdint>
#include <string>

#include "tessera/lqcd/fields.hpp"

namespace tessera::lqcd {

struct Half {};

struct alignas(4) HalfComplex {
  std::int16_t re, im;
};

inline constexpr float half_range = 32767.0f;

// q * scale for both parts (scale = norm / 32767, or 1 / 32767 for links).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION Complex<T> to_complex(const HalfComplex& h, T scale = T(1) / T(half_range))
{
  return Complex<T>(static_cast<T>(h.re) * scale, static_cast<T>(h.im) * scale);
}

// round(z * inverse_scale); |z| * inverse_scale <= 32767 by construction.
KOKKOS_FORCEINLINE_FUNCTION HalfComplex to_half(const Complex<float>& z, float inverse_scale)
{
  return {static_cast<std::int16_t>(Kokkos::nearbyint(z.real() * inverse_scale)),
          static_cast<std::int16_t>(Kokkos::nearbyint(z.imag() * inverse_scale))};
}

// Links of 18 or 12 reals in 16 bits (load_link in fields.hpp decodes them).
template <int Rows>
using HalfLinkRowsView = View<HalfComplex* [2][dims][Rows][3]>;

// A quark field of one parity in 16 bits with a norm per site.
struct HalfSpinorView {
  View<HalfComplex* [4][3]> q;
  View<float*> norm;

  HalfSpinorView() = default;
  HalfSpinorView(const std::string& label, Index sites) : q(label, sites), norm(label + "_norm", sites) {}
};

template <class T>
KOKKOS_FORCEINLINE_FUNCTION Spinor<T> load_spinor(const HalfSpinorView& psi, Index site)
{
  static_assert(std::is_same_v<T, float>, "half fields are decoded to float");
  const float scale = psi.norm(site) * (1.0f / half_range);
  Spinor<float> r;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      r.s[a].c[b] = to_complex(psi.q(site, a, b), scale);
  return r;
}

template <class T>
KOKKOS_FORCEINLINE_FUNCTION void store_spinor(const HalfSpinorView& psi, Index site, const Spinor<T>& r)
{
  static_assert(std::is_same_v<T, float>, "half fields are decoded to float");
  float largest = 0;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      largest = Kokkos::fmax(largest, Kokkos::fmax(Kokkos::fabs(r.s[a].c[b].real()), Kokkos::fabs(r.s[a].c[b].imag())));
  const float inverse = largest > 0 ? half_range / largest : 0.0f;
  psi.norm(site) = largest;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      psi.q(site, a, b) = to_half(r.s[a].c[b], inverse);
}

template <>
struct Storage<Half> {
  using Real = float;
  using Spinors = HalfSpinorView;
  using Links = HalfLinkRowsView<2>; // the solver's half links: 12 reals, the third row rebuilt
};

// A 16-bit copy of the links (ghosts included) keeping 3 rows or the first 2.
template <int Rows>
HalfLinkRowsView<Rows> half_links(const LinkView<double>& links);

} // namespace tessera::lqcd
