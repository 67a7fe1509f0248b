// SPDX-License-Identifier: Apache-2.0
#pragma once
// The single-step carbon-burning network 12C + 12C -> 24Mg at fixed density, with
// temperature feedback: the reference system whose burning Fan et al. (ApJ 940, 134, 2022)
// teach a neural network (MAESTROeX's "ignition_simple" network, without screening).
//
// State per zone y = (X12, X24, T): mass fractions of 12C and 24Mg, temperature in K.
// Units are cgs throughout. Derivation, with Y_i = X_i / A_i (mol/g) and n_i = rho N_A Y_i:
//   12C nuclei are identical particles, so the reactions per cm^3 and s are
//   n12^2 <sigma v> / 2, i.e. per gram (in moles)   r = rho N_A<sigma v> Y12^2 / 2.
//   Each reaction destroys two 12C and makes one 24Mg:
//     dY12/dt = -2 r,   dY24/dt = +r
//     dX12/dt = 12 dY12/dt = -24 r = -rho N_A<sigma v> X12^2 / 12
//     dX24/dt = 24 dY24/dt = +24 r = +rho N_A<sigma v> X12^2 / 12
//   so dX12/dt + dX24/dt = 0 exactly, and so is the sum of the first two Jacobian rows: any
//   Rosenbrock or BDF method keeps X12 + X24 constant to rounding (a linear invariant).
//   Energy release per gram and second: eps = N_A Q r; dT/dt = eps / c_v.
// See docs/reactions.md.

#include <Kokkos_Core.hpp>

#include "tessera/core/loops.hpp"

namespace tessera::nn {

namespace carbon {

// Physical constants (cgs). N_A, k_B and e are exact in the 2019 SI, as listed by CODATA
// 2018 (Tiesinga et al., Rev. Mod. Phys. 93, 025010, 2021).
inline constexpr double avogadro = 6.02214076e23;            // N_A, mol^-1
inline constexpr double boltzmann = 1.380649e-16;            // k_B, erg/K
inline constexpr double erg_per_mev = 1.602176634e-6;        // 1 MeV = 1e6 e x 1 V, in erg
inline constexpr double gas_constant = avogadro * boltzmann; // R = N_A k_B, erg/(mol K)

// Nuclei: mass number A and charge Z.
inline constexpr double a12 = 12, z12 = 6;  // 12C
inline constexpr double a24 = 24, z24 = 12; // 24Mg

// Q value of 12C + 12C -> 24Mg from atomic mass excesses (AME2016, Wang et al., Chinese
// Phys. C 41, 030003, 2017): Delta(12C) = 0 (it defines the mass unit), Delta(24Mg) =
// -13933.567 keV, so Q = 2 Delta(12C) - Delta(24Mg) = 13.933567 MeV. Atomic masses carry the
// electrons, 12 on each side, so they cancel.
inline constexpr double q_value_mev = 13.933567;
inline constexpr double q_value = q_value_mev * erg_per_mev; // erg per reaction

// Energy released per gram when the 12C mass fraction drops by 1: N_A Q / 24 (a mole of
// reactions burns 2 x 12 g of 12C), about 5.60e17 erg/g.
inline constexpr double energy_per_unit_x12 = avogadro * q_value / (2 * a12);

// The 12C + 12C total rate N_A<sigma v> (cm^3 mol^-1 s^-1) of Caughlan & Fowler (1988,
// Atomic Data Nucl. Data Tables 40, 283), for all exit channels together:
//   T9a = T9 / (1 + 0.0396 T9)
//   N_A<sigma v> = 4.27e26 T9a^(5/6) / T9^(3/2) exp(-84.165 / T9a^(1/3) - 2.12e-3 T9^3).
// `rate` is that value and `dlog_dt9` = d ln(N_A<sigma v>) / dT9 (for the Jacobian):
//   dT9a/dT9 = (T9a / T9)^2, so
//   d ln/dT9 = (5/6) T9a / T9^2 - (3/2) / T9 + (84.165 / 3) T9a^(2/3) / T9^2 - 3 * 2.12e-3 T9^2.
struct RateWithDerivative {
  double rate = 0;
  double dlog_dt9 = 0;
};

KOKKOS_INLINE_FUNCTION RateWithDerivative cf88_c12c12_with_derivative(double t9)
{
  const double t9a = t9 / (1.0 + 0.0396 * t9);
  const double t9a13 = Kokkos::cbrt(t9a);
  // T9a^(5/6) = T9a^(1/2) T9a^(1/3) and T9^(3/2) = T9 T9^(1/2): no pow() needed.
  const double prefactor = 4.27e26 * Kokkos::sqrt(t9a) * t9a13 / (t9 * Kokkos::sqrt(t9));
  RateWithDerivative out;
  out.rate = prefactor * Kokkos::exp(-84.165 / t9a13 - 2.12e-3 * t9 * t9 * t9);
  out.dlog_dt9 =
      (5.0 / 6.0) * t9a / (t9 * t9) - 1.5 / t9 + (84.165 / 3.0) * t9a13 * t9a13 / (t9 * t9) - 3 * 2.12e-3 * t9 * t9;
  return out;
}

KOKKOS_INLINE_FUNCTION double cf88_c12c12(double t9)
{
  return cf88_c12c12_with_derivative(t9).rate;
}

// Specific heat at constant volume (erg/(g K)) of an ideal gas of fully ionised nuclei and
// electrons: every particle carries (3/2) k_B, and a gram holds N_A sum_i X_i (1 + Z_i) / A_i
// of them (one nucleus and Z_i electrons per nucleus), i.e. c_v = (3/2) R / mu with
// 1/mu = sum_i X_i (1 + Z_i) / A_i. This is a deliberately simple, documented choice: it
// ignores electron degeneracy and radiation, which a stellar equation of state (Helmholtz,
// as in MAESTROeX) would include. For pure 12C, c_v = 7.27e7 erg/(g K).
inline constexpr double cv_per_x12 = 1.5 * gas_constant * (1 + z12) / a12; // 7/12 x 1.5 R
inline constexpr double cv_per_x24 = 1.5 * gas_constant * (1 + z24) / a24; // 13/24 x 1.5 R

KOKKOS_INLINE_FUNCTION double heat_capacity(double x12, double x24)
{
  return cv_per_x12 * x12 + cv_per_x24 * x24;
}

} // namespace carbon

// The network as a System for the stiff integrator (stiff_integrator.hpp): size, rhs,
// jacobian, and admissible() for the initial state. One object per zone: it holds the zone's
// density (g/cm^3).
class CarbonNetwork {
public:
  static constexpr int size = 3;
  static constexpr int ix12 = 0, ix24 = 1, itemp = 2; // components of y

  CarbonNetwork() = default;
  KOKKOS_INLINE_FUNCTION explicit CarbonNetwork(double density) : density_(density) {}

  KOKKOS_INLINE_FUNCTION double density() const { return density_; }

  // eps = N_A Q r (erg/g/s) for the state y.
  KOKKOS_INLINE_FUNCTION double energy_generation(const double* y) const
  {
    const double x = burnable(y[ix12]);
    return carbon::energy_per_unit_x12 * density_ * carbon::cf88_c12c12(y[itemp] * 1e-9) * x * x / 12.0;
  }

  KOKKOS_INLINE_FUNCTION void rhs(const double* y, double* dydt) const
  {
    const double x = burnable(y[ix12]);
    // dX12/dt = -rho N_A<sigma v> X12^2 / 12 (see the derivation at the top of this file).
    const double dx12 = -density_ * carbon::cf88_c12c12(y[itemp] * 1e-9) * x * x / 12.0;
    dydt[ix12] = dx12;
    dydt[ix24] = -dx12;
    // eps = N_A Q r = (N_A Q / 24) (-dX12/dt).
    dydt[itemp] = -carbon::energy_per_unit_x12 * dx12 / carbon::heat_capacity(y[ix12], y[ix24]);
  }

  // J[i * size + j] = d(dy_i/dt)/dy_j.
  KOKKOS_INLINE_FUNCTION void jacobian(const double* y, double* J) const
  {
    const double x = burnable(y[ix12]);
    const auto rate = carbon::cf88_c12c12_with_derivative(y[itemp] * 1e-9);
    const double k = density_ * rate.rate / 12.0; // dX12/dt = -k X12^2
    // Where the rate underflows to 0 so does its derivative (d ln/dT9 ~ 1/T9^2 may overflow).
    const double dk_dt = k > 0 ? k * rate.dlog_dt9 * 1e-9 : 0.0;
    const double dx12 = -k * x * x;
    const double dx12_dx12 = -2 * k * x; // 0 below X12 = 0, as rhs (see burnable())
    const double dx12_dt = -dk_dt * x * x;

    J[ix12 * size + ix12] = dx12_dx12;
    J[ix12 * size + ix24] = 0;
    J[ix12 * size + itemp] = dx12_dt;
    for (int j = 0; j < size; ++j)
      J[ix24 * size + j] = -J[ix12 * size + j];

    // dT/dt = -E dX12/dt / c_v with E = N_A Q / 24 and c_v linear in X12 and X24.
    const double cv = carbon::heat_capacity(y[ix12], y[ix24]);
    const double dt_dt = -carbon::energy_per_unit_x12 * dx12 / cv;
    J[itemp * size + ix12] = -carbon::energy_per_unit_x12 * dx12_dx12 / cv - dt_dt * carbon::cv_per_x12 / cv;
    J[itemp * size + ix24] = -dt_dt * carbon::cv_per_x24 / cv;
    J[itemp * size + itemp] = -carbon::energy_per_unit_x12 * dx12_dt / cv;
  }

  // A state the network can start from: positive finite density and temperature, mass
  // fractions finite and in [0, 1]. The integrator flags a zone that fails this at t = 0.
  KOKKOS_INLINE_FUNCTION bool admissible(const double* y) const
  {
    return density_ > 0 && Kokkos::isfinite(density_) && y[itemp] > 0 && Kokkos::isfinite(y[itemp]) &&
           is_fraction(y[ix12]) && is_fraction(y[ix24]);
  }

private:
  // The rate uses max(X12, 0)^2, not X12^2: with X12^2, a rounding undershoot X12 < 0 would
  // keep burning (dX12/dt = -k X12^2 < 0) and run away to -infinity in a time 1/(k |X12|),
  // which is short when k ~ 1e13 /s after a runaway. Above 0 nothing changes.
  KOKKOS_INLINE_FUNCTION static double burnable(double x12) { return x12 > 0 ? x12 : 0.0; }
  KOKKOS_INLINE_FUNCTION static bool is_fraction(double x) { return x >= 0 && x <= 1; } // false for NaN

  double density_ = 0;
};

// Builds the network of each zone from a View of densities: the SystemFactory that
// integrate_stiff() calls inside its kernel.
struct CarbonNetworkFactory {
  View<const double*> density;

  KOKKOS_INLINE_FUNCTION CarbonNetwork operator()(Index zone) const { return CarbonNetwork(density(zone)); }
};

} // namespace tessera::nn
