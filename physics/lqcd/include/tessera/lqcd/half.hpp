// SPDX-License-Identifier: Apache-2.0
#pragma once
// Half-precision storage of quark fields and links, as QUDA's "half": 16-bit fixed point in
// memory, arithmetic in float. A spinor site holds 24 16-bit numbers and one float norm, the
// largest |component| of the site: 52 bytes instead of 96 (float), rounded to 2^-16 of the
// site's largest component (the encoding: HalfSpinorView below). Links need no norm: the
// entries of an SU(3) matrix lie in [-1, 1], value = q / 32767 (24 bytes for 12 reals, 40
// for 18: 36 and a pad for 8-byte loads). The real and imaginary parts are stored together in
// one 32-bit word, and the words are grouped for 64- and 128-bit loads (below). The tag Half
// selects this storage in WilsonOperator, Vector and the solvers (Storage<Half>).

#include <Kokkos_BitManipulation.hpp>

#include <cstdint>
#include <string>

#include "tessera/lqcd/fields.hpp"
#include "tessera/lqcd/gamma.hpp"

namespace tessera::lqcd {

struct Half {};

inline constexpr float half_range = 32767.0f;

// Two 16-bit numbers in one 32-bit word, the real part in the low half: a complex number.
using HalfWord = std::uint32_t;

// The memory layout is chosen for wide loads, as QUDA's field orders are: a spinor site is 3
// groups of 4 complex numbers (16 bytes, one 128-bit load each), a link of 12 or 18 reals is
// 3 or 5 pairs (8 bytes, one 64-bit load each; the last pair of 18 reals is half padding).
// With the site index first (LayoutLeft on GPUs) a warp's loads of one group are contiguous.
// Loading 4-byte complex numbers one at a time reached 48% of the copy bandwidth on the H200
// (perf/NOTES.md).
struct alignas(16) HalfQuad {
  HalfWord w[4];
};
struct alignas(8) HalfPair {
  HalfWord w[2];
};

// The word of round(z * inverse_scale); |z| * inverse_scale <= 32767 by construction.
KOKKOS_FORCEINLINE_FUNCTION HalfWord to_half(const Complex<float>& z, float inverse_scale)
{
  const auto bits = [](float x) {
    return static_cast<HalfWord>(static_cast<std::uint16_t>(static_cast<std::int16_t>(Kokkos::nearbyint(x))));
  };
  return bits(z.real() * inverse_scale) | (bits(z.imag() * inverse_scale) << 16);
}

// The float 2^23 + (u ^ flip) for the 16 bits u (the high bits of `bits` are 0) and a 16-bit
// mask `flip`: exact, one logical operation. flip = 0x8000 turns a two's-complement q into
// q + 2^15 (the links), 0xFFFF gives 2^23 + (65535 - u) (the spinors' sums, below).
KOKKOS_FORCEINLINE_FUNCTION float offset_float(HalfWord bits, HalfWord flip)
{
  return Kokkos::bit_cast<float>(bits ^ (0x4B000000u | flip));
}

// q of both numbers of a word as floats (decode_integers, exact) and q * scale (decode),
// without the conversion unit (I2F runs at 16 per clock per SM on Hopper, a quarter of the
// integer rate, and a site of the hopping term decodes ~290 numbers): q + 2^15 is placed in
// the mantissa of 2^23 by one logical operation (the high bits of the masked word are 0, so
// XOR acts as OR there and flips q's sign bit: the offset), and 2^23 + 2^15 is subtracted
// exactly.
KOKKOS_FORCEINLINE_FUNCTION Complex<float> decode_integers(HalfWord w)
{
  constexpr float offset = 8421376.0f; // 2^23 + 2^15
  return Complex<float>(offset_float(w & 0xFFFFu, 0x8000u) - offset, offset_float(w >> 16, 0x8000u) - offset);
}

KOKKOS_FORCEINLINE_FUNCTION Complex<float> decode(HalfWord w, float scale)
{
  const Complex<float> q = decode_integers(w);
  return Complex<float>(q.real() * scale, q.imag() * scale);
}

// Links of 18 or 12 reals in 16 bits, value = q / 32767 (load_link below decodes them).
template <int Rows>
struct HalfLinkRowsView {
  static constexpr int rows = Rows;
  static constexpr int numbers = 3 * Rows;
  static constexpr int pairs = (numbers + 1) / 2;
  View<HalfPair* [2][dims][pairs]> q;

  HalfLinkRowsView() = default;
  HalfLinkRowsView(const std::string& label, Index sites) : q(label, sites) {}
};

// A link's stored words, fetched before they are decoded (the hopping term of 18-real links
// fetches both links of a direction ahead of its two hops: perf/NOTES.md). The links are read
// once a sweep (load_once, fields.hpp).
template <int Rows>
struct HalfLinkWords {
  HalfPair p[HalfLinkRowsView<Rows>::pairs];
};

template <int Rows>
KOKKOS_FORCEINLINE_FUNCTION HalfLinkWords<Rows> fetch_link_words(const HalfLinkRowsView<Rows>& links, Index site,
                                                                 int parity, int mu)
{
  HalfLinkWords<Rows> words;
  for (int p = 0; p < HalfLinkRowsView<Rows>::pairs; ++p)
    words.p[p] = load_once(links.q(site, parity, mu, p));
  return words;
}

// The stored numbers of a link as integers q (rows 0 and 1 only when Rows is 2).
template <int Rows>
KOKKOS_FORCEINLINE_FUNCTION Su3<float> link_integers(const HalfLinkWords<Rows>& words)
{
  Su3<float> u;
  for (int p = 0; p < HalfLinkRowsView<Rows>::pairs; ++p)
    for (int j = 0; j < 2; ++j) {
      const int n = 2 * p + j;
      if (n < HalfLinkRowsView<Rows>::numbers) u.m[n / 3][n % 3] = decode_integers(words.p[p].w[j]);
    }
  return u;
}

template <int Rows>
KOKKOS_FORCEINLINE_FUNCTION Su3<float> link_integers(const HalfLinkRowsView<Rows>& links, Index site, int parity,
                                                     int mu)
{
  return link_integers(fetch_link_words(links, site, parity, mu));
}

template <class T, int Rows>
KOKKOS_FORCEINLINE_FUNCTION Su3<T> load_link(const HalfLinkRowsView<Rows>& links, Index site, int parity, int mu)
{
  static_assert(std::is_same_v<T, float>, "half links are decoded to float");
  Su3<float> u = link_integers(links, site, parity, mu);
  for (int n = 0; n < HalfLinkRowsView<Rows>::numbers; ++n)
    u.m[n / 3][n % 3] *= 1.0f / half_range;
  if constexpr (Rows == 2) complete_third_row(u);
  return u;
}

// The link's integers (value = factor x numbers, factor = 1 / 32767) for the hopping term
// (fields.hpp, load_link_unscaled), from its fetched words. A rebuilt third row is the
// conjugated cross product of the first two, so of the integers' rows it comes out 32767 times
// too large: one multiplication per number of that row brings it to the factor of the others
// (6 where 12 were saved).
template <class T, int Rows>
KOKKOS_FORCEINLINE_FUNCTION Su3<T> decode_link_unscaled(const HalfLinkWords<Rows>& words, T& factor)
{
  static_assert(std::is_same_v<T, float>, "half links are decoded to float");
  Su3<float> u = link_integers(words);
  if constexpr (Rows == 2) {
    complete_third_row(u);
    for (int b = 0; b < 3; ++b)
      u.m[2][b] *= 1.0f / half_range;
  }
  factor = 1.0f / half_range;
  return u;
}

template <class T, int Rows>
KOKKOS_FORCEINLINE_FUNCTION Su3<T> load_link_unscaled(const HalfLinkRowsView<Rows>& links, Index site, int parity,
                                                      int mu, T& factor)
{
  return decode_link_unscaled<T>(fetch_link_words(links, site, parity, mu), factor);
}

// A quark field of one parity in 16 bits with a norm per site. Its numbers are stored as the
// links' are not: mid-rise offset binary, the 16 bits u in [0, 65535] standing for
// v = u - 32767.5, value = v * norm / 32767.5 (zero is not among them: it is stored as half a
// step, within the rounding). That is what lets the hopping term spin-project the words before
// decoding them (load_projected below): with P(u) = 2^23 + u and N(u) = 2^23 + (65535 - u),
// each a float made from the bits of u by one logical operation, P(a) - P(b) = v_a - v_b and
// P(a) - N(b) = v_a + v_b exactly, one subtraction for a number of the half spinor where
// decoding both numbers and adding them took five instructions or more (perf/NOTES.md).
struct HalfSpinorView {
  static constexpr int quads = 3;
  View<HalfQuad* [quads]> q;
  View<float*> norm;

  HalfSpinorView() = default;
  HalfSpinorView(const std::string& label, Index sites) : q(label, sites), norm(label + "_norm", sites) {}
};

inline constexpr float half_spinor_range = 32767.5f; // |v| <= 32767.5 <-> |value| <= norm

// The word of the spinor numbers nearest x * inverse_scale, |x| * inverse_scale <= 32767.5
// by construction: v = n + 1/2 with n = round(x * inverse_scale - 1/2) in [-32768, 32767]
// (a tie, x * inverse_scale an integer, lies midway between two numbers: either is nearest),
// stored as n + 32768, n's sign bit flipped.
KOKKOS_FORCEINLINE_FUNCTION HalfWord to_half_spinor(const Complex<float>& z, float inverse_scale)
{
  const auto bits = [inverse_scale](float x) {
    return static_cast<HalfWord>(
        static_cast<std::uint16_t>(static_cast<std::int16_t>(Kokkos::nearbyint(x * inverse_scale - 0.5f))));
  };
  return (bits(z.real()) | (bits(z.imag()) << 16)) ^ 0x80008000u;
}

// The spinor numbers v of both halves of a word, exact: (2^23 + u) - 2^23 - 32767.5.
KOKKOS_FORCEINLINE_FUNCTION Complex<float> spinor_numbers(HalfWord w)
{
  const auto number = [](HalfWord u) { return (offset_float(u, 0) - 8388608.0f) - 32767.5f; };
  return Complex<float>(number(w & 0xFFFFu), number(w >> 16));
}

// The 24 numbers v of a site.
KOKKOS_FORCEINLINE_FUNCTION Spinor<float> spinor_numbers(const HalfSpinorView& psi, Index site)
{
  Spinor<float> r;
  for (int k = 0; k < HalfSpinorView::quads; ++k) {
    const HalfQuad quad = psi.q(site, k);
    for (int j = 0; j < 4; ++j) {
      const int n = 4 * k + j;
      r.s[n / 3].c[n % 3] = spinor_numbers(quad.w[j]);
    }
  }
  return r;
}

template <class T>
KOKKOS_FORCEINLINE_FUNCTION Spinor<T> load_spinor(const HalfSpinorView& psi, Index site)
{
  static_assert(std::is_same_v<T, float>, "half fields are decoded to float");
  const float scale = psi.norm(site) * (1.0f / half_spinor_range);
  Spinor<float> r = spinor_numbers(psi, site);
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      r.s[a].c[b] *= scale;
  return r;
}

// The spinor's numbers v, value = factor x numbers, factor = norm / 32767.5 (fields.hpp,
// load_spinor_unscaled).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION Spinor<T> load_spinor_unscaled(const HalfSpinorView& psi, Index site, T& factor)
{
  static_assert(std::is_same_v<T, float>, "half fields are decoded to float");
  const Spinor<float> r = spinor_numbers(psi, site);
  factor = psi.norm(site) * (1.0f / half_spinor_range);
  return r;
}

// Rows 0 and 1 of (1 - Sign gamma_Mu) G psi (G = gamma_5 when gamma5_first, else 1) in
// numbers of the spinor's step, value = factor x numbers (gamma.hpp, load_projected), from
// the stored words: h = x + i^k y with x in rows 0 and 1, y in rows 2 and 3 (the DeGrand-Rossi
// gamma_mu map each half onto the other), each real part of it x_j +/- y_l, one subtraction
// of two offset_floats (HalfSpinorView). gamma_5 negates y: it swaps which of the two ways y is
// made, a choice of constant, no instruction.
template <class T, int Mu, int Sign>
KOKKOS_FORCEINLINE_FUNCTION HalfSpinor<T> load_projected(const HalfSpinorView& psi, Index site, bool gamma5_first,
                                                         T& factor)
{
  static_assert(std::is_same_v<T, float>, "half fields are decoded to float");
  HalfWord w[12];
  for (int k = 0; k < HalfSpinorView::quads; ++k) {
    const HalfQuad quad = psi.q(site, k);
    for (int j = 0; j < 4; ++j)
      w[4 * k + j] = quad.w[j];
  }
  // The norm after the words: with it first, ptxas schedules the 18-real hopping kernel's
  // link words late again (perf/NOTES.md, "Links loaded as streaming data").
  factor = psi.norm(site) * (1.0f / half_spinor_range);
  const HalfWord add_y = gamma5_first ? 0u : 0xFFFFu; // N(y) adds y; P(y) subtracts it
  const HalfWord subtract_y = add_y ^ 0xFFFFu;
  HalfSpinor<T> h;
  for (int r = 0; r < 2; ++r) {
    const GammaRow g = gamma_row(Mu, r);
    const int k = (g.phase + (Sign > 0 ? 2 : 0)) & 3; // row r = x_r + i^k y_col
    for (int a = 0; a < 3; ++a) {
      const HalfWord x = w[3 * r + a], y = w[3 * g.col + a];
      const HalfWord y_re = y & 0xFFFFu, y_im = y >> 16;
      // i^k y: k = 0 (y_re, y_im), 1 (-y_im, y_re), 2 (-y_re, -y_im), 3 (y_im, -y_re)
      const HalfWord re_term = k % 2 == 0 ? y_re : y_im;
      const HalfWord im_term = k % 2 == 0 ? y_im : y_re;
      const bool re_adds = k == 0 || k == 3, im_adds = k <= 1;
      const float re = offset_float(x & 0xFFFFu, 0) - offset_float(re_term, re_adds ? add_y : subtract_y);
      const float im = offset_float(x >> 16, 0) - offset_float(im_term, im_adds ? add_y : subtract_y);
      h.h[r].c[a] = Complex<float>(re, im);
    }
  }
  return h;
}

template <class T>
KOKKOS_FORCEINLINE_FUNCTION void store_spinor(const HalfSpinorView& psi, Index site, const Spinor<T>& r)
{
  static_assert(std::is_same_v<T, float>, "half fields are decoded to float");
  float largest = 0;
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 3; ++b)
      largest = Kokkos::fmax(largest, Kokkos::fmax(Kokkos::fabs(r.s[a].c[b].real()), Kokkos::fabs(r.s[a].c[b].imag())));
  const float inverse = largest > 0 ? half_spinor_range / largest : 0.0f;
  store_once(psi.norm(site), largest);
  for (int k = 0; k < HalfSpinorView::quads; ++k) {
    HalfQuad quad;
    for (int j = 0; j < 4; ++j) {
      const int n = 4 * k + j;
      quad.w[j] = to_half_spinor(r.s[n / 3].c[n % 3], inverse);
    }
    store_once(psi.q(site, k), quad);
  }
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
