// SPDX-License-Identifier: Apache-2.0
#pragma once
// The hard process e+ e- -> gamma*/Z -> q qbar at leading order, with gamma/Z interference
// and five massless flavours, as in the GAPS v1 / Hoeche-tutorial generator (eetojj.py):
// cos(theta) and phi uniform, the flavour uniform among d u s c b, each event weighted by
// its differential cross section in pb. The incoming e- moves along +z, the e+ along -z
// (the tutorial stores them crossed, as outgoing e+ and e- with momenta -pa and -pb);
// theta is the angle between the quark and the e-.

#include <cstdint>

#include <Kokkos_Core.hpp>

#include "tessera/core/rng.hpp"
#include "tessera/shower/vec4.hpp"

namespace tessera::shower {

// Electroweak inputs (process.*; the schema's defaults are the values GAPS and the tutorial use).
struct ElectroweakInputs {
  double mz;      // GeV
  double gamma_z; // GeV
  double alpha;   // alpha_QED
  double sin2_theta_w;
};

inline constexpr int n_quark_flavours = 5;
inline constexpr double gev2_to_pb = 3.89379656e8; // (hbar c)^2 in GeV^2 pb

// |M|^2 for q qbar of flavour fl (1..5), summed over spins and colours, averaged over the
// lepton spins, written as (1 + cos^2) * symmetric(fl) + cos * antisymmetric(fl).
class EeToQQbar {
public:
  EeToQQbar() = default;
  EeToQQbar(const ElectroweakInputs& ew, double sqrt_s) : ew_(ew), sqrt_s_(sqrt_s) {}

  KOKKOS_INLINE_FUNCTION double s() const { return sqrt_s_ * sqrt_s_; }
  KOKKOS_INLINE_FUNCTION double sqrt_s() const { return sqrt_s_; }
  const ElectroweakInputs& electroweak() const { return ew_; }

  // The two angular coefficients of |M|^2 for flavour fl.
  KOKKOS_INLINE_FUNCTION void coefficients(int fl, double& symmetric, double& antisymmetric) const
  {
    const double qe = -1.0, ae = -0.5;
    const double ve = ae - 2.0 * qe * ew_.sin2_theta_w;
    const bool up_type = fl == 2 || fl == 4;
    const double qf = up_type ? 2.0 / 3.0 : -1.0 / 3.0;
    const double af = up_type ? 0.5 : -0.5;
    const double vf = af - 2.0 * qf * ew_.sin2_theta_w;
    const double kappa = 1.0 / (4.0 * ew_.sin2_theta_w * (1.0 - ew_.sin2_theta_w));
    const double mz2 = ew_.mz * ew_.mz;
    const double propagator = (s() - mz2) * (s() - mz2) + ew_.gamma_z * ew_.gamma_z * mz2;
    const double chi1 = kappa * s() * (s() - mz2) / propagator;
    const double chi2 = kappa * s() * kappa * s() / propagator;
    const double coupling = 4.0 * Kokkos::numbers::pi * ew_.alpha;
    const double norm = coupling * coupling * n_colours_qcd;
    symmetric =
        norm * (qf * qe * qf * qe + 2.0 * qe * qf * ve * vf * chi1 + (ae * ae + ve * ve) * (af * af + vf * vf) * chi2);
    antisymmetric = norm * (4.0 * qe * qf * ae * af * chi1 + 8.0 * ae * ve * af * vf * chi2);
  }

  // |M|^2 at cos(theta) between the incoming e- and the quark.
  KOKKOS_INLINE_FUNCTION double me2(int fl, double cos_theta) const
  {
    double sym = 0, anti = 0;
    coefficients(fl, sym, anti);
    return (1.0 + cos_theta * cos_theta) * sym + cos_theta * anti;
  }

  // The event weight (pb) of a point drawn with the densities of sample().
  KOKKOS_INLINE_FUNCTION double weight(int fl, double cos_theta) const
  {
    return n_quark_flavours * me2(fl, cos_theta) * gev2_to_pb / (8.0 * Kokkos::numbers::pi) / (2.0 * s());
  }

  // Draws a phase-space point: cos(theta), phi, the flavour; returns the quark and antiquark.
  struct Point {
    int flavour;
    double cos_theta;
    Vec4 quark, antiquark;
    double weight;
  };
  KOKKOS_INLINE_FUNCTION Point sample(RandomDraws& rng) const
  {
    Point p;
    p.cos_theta = 2.0 * rng.uniform() - 1.0;
    const double sin_theta = Kokkos::sqrt(1.0 - p.cos_theta * p.cos_theta);
    const double phi = 2.0 * Kokkos::numbers::pi * rng.uniform();
    p.flavour = 1 + static_cast<int>(rng.below(n_quark_flavours));
    const double e = 0.5 * sqrt_s_;
    p.quark = {e, e * sin_theta * Kokkos::cos(phi), e * sin_theta * Kokkos::sin(phi), e * p.cos_theta};
    p.antiquark = {e, -p.quark.px, -p.quark.py, -p.quark.pz};
    p.weight = weight(p.flavour, p.cos_theta);
    return p;
  }

  // The total cross section (pb), integrated analytically: the sum over flavours of
  // (8/3) symmetric(fl) / (32 pi s) (the antisymmetric part integrates to zero).
  double total_cross_section() const;

private:
  static constexpr double n_colours_qcd = 3.0;
  ElectroweakInputs ew_{};
  double sqrt_s_ = 0;
};

} // namespace tessera::shower
