// SPDX-License-Identifier: Apache-2.0
#pragma once
// QCD constants and the strong coupling with two-loop running and flavour thresholds, as
// in the GAPS v1 / Hoeche-tutorial shower (S. Hoeche, arXiv:1411.4085, qcd.py): alpha_s is
// run from alpha_s(mZ) down to mb with five flavours, from mb to mc with four and below mc
// with three, each segment starting from the value the one above it ends with.

#include <Kokkos_Core.hpp>

namespace tessera::shower {

inline constexpr double n_colours = 3.0;
inline constexpr double colour_tr = 0.5;                                           // T_R
inline constexpr double colour_ca = n_colours;                                     // C_A
inline constexpr double colour_cf = (n_colours * n_colours - 1) / (2 * n_colours); // C_F

class AlphaS {
public:
  AlphaS() = default;
  // alpha_s(mz) and the pole masses (GeV) where the flavour number changes.
  AlphaS(double mz, double alpha_s_mz, double mb, double mc)
      : mz2_(mz * mz), mb2_(mb * mb), mc2_(mc * mc), alpha_mz_(alpha_s_mz)
  {
    alpha_mb_ = (*this)(mb2_);
    alpha_mc_ = (*this)(mc2_);
  }

  // alpha_s at the scale t = mu^2 (GeV^2), two-loop.
  KOKKOS_INLINE_FUNCTION double operator()(double t) const
  {
    if (t >= mb2_) return two_loop(t, mz2_, alpha_mz_, 5);
    if (t >= mc2_) return two_loop(t, mb2_, alpha_mb_, 4);
    return two_loop(t, mc2_, alpha_mc_, 3);
  }

  KOKKOS_INLINE_FUNCTION static constexpr double beta0(int nf)
  {
    return 11.0 / 6.0 * colour_ca - 2.0 / 3.0 * colour_tr * nf;
  }
  KOKKOS_INLINE_FUNCTION static constexpr double beta1(int nf)
  {
    return 17.0 / 6.0 * colour_ca * colour_ca - (5.0 / 3.0 * colour_ca + colour_cf) * colour_tr * nf;
  }

private:
  KOKKOS_INLINE_FUNCTION static double two_loop(double t, double t_ref, double alpha_ref, int nf)
  {
    constexpr double two_pi = 2 * Kokkos::numbers::pi;
    const double b0 = beta0(nf) / two_pi;
    const double b1 = beta1(nf) / (two_pi * two_pi);
    const double w = 1.0 + b0 * alpha_ref * Kokkos::log(t / t_ref);
    return alpha_ref / w * (1.0 - b1 / b0 * alpha_ref * Kokkos::log(w) / w);
  }

  double mz2_ = 0, mb2_ = 0, mc2_ = 0;
  double alpha_mz_ = 0, alpha_mb_ = 0, alpha_mc_ = 0;
};

} // namespace tessera::shower
