// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters and fields for the lattice QCD tests: the parameters tessera-lqcd runs with
// given keys, random spinors, plane waves, differences of fields.
#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "tessera/lqcd/fermion.hpp"
#include "tessera/lqcd/observables.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace tessera::lqcd::testing {

// The parameters tessera-lqcd runs with these keys ("section.key=value"; the schema's
// defaults for the others): tests run the physics the driver runs.
inline Params params(const std::vector<std::string>& keys = {})
{
  return params_for<Simulation>(keys);
}

// The driver's Wilson quarks at hopping parameter kappa (antiperiodic in time unless `more`
// says otherwise).
inline WilsonParams wilson(double kappa, std::vector<std::string> more = {})
{
  more.insert(more.begin(), fmt::format("action.kappa={}", kappa));
  return params(more).hmc.wilson;
}

// The driver's solver settings with this tolerance and iteration limit (solver.tolerance,
// solver.max_iterations).
inline SolverSettings solver(double tolerance, int max_iterations)
{
  return params(
             {fmt::format("solver.tolerance={}", tolerance), fmt::format("solver.max_iterations={}", max_iterations)})
      .hmc.action_solver;
}

// A Gaussian random field on both parities, a pure function of (seed, global site).
inline FermionField<double> random_fermion(const Decomposition& d, std::uint64_t seed)
{
  auto f = allocate_fermion<double>(d.geometry(), "test::random");
  for (int p = 0; p < 2; ++p)
    gaussian_noise(d, p, f.parity[p], seed, static_cast<std::uint32_t>(Stream::test), 0);
  return f;
}

// psi(x) = exp(i k.x) gamma-structure chi with chi = (1, 2i, -1, 0.5) x (1, i, -i) colour,
// and, when `expected` is set, the free Wilson operator applied to it in momentum space:
// [1 - 2 kappa sum cos k_mu + 2 i kappa sum gamma_mu sin k_mu] psi.
inline FermionField<double> plane_wave(const Decomposition& d, const std::array<double, dims>& k, double kappa,
                                       bool expected)
{
  auto f = allocate_fermion<double>(d.geometry(), "test::plane_wave");
  const Geometry g = d.geometry();
  const Kokkos::Array<double, dims> kk{k[0], k[1], k[2], k[3]};
  for (int p = 0; p < 2; ++p) {
    const SpinorView<double> out = f.parity[p];
    par_for(
        "test::plane_wave", g.half_volume, KOKKOS_LAMBDA(Index n) {
          const Coords x = g.interior_coords(n, p);
          double phase = 0;
          for (int mu = 0; mu < dims; ++mu)
            phase += kk[mu] * g.global_coord(x, mu);
          const Complex<double> e(Kokkos::cos(phase), Kokkos::sin(phase));
          const Complex<double> spin[4] = {{1, 0}, {0, 2}, {-1, 0}, {0.5, 0}};
          const Complex<double> colour[3] = {{1, 0}, {0, 1}, {0, -1}};
          Spinor<double> chi;
          for (int s = 0; s < 4; ++s)
            for (int c = 0; c < 3; ++c)
              chi.s[s].c[c] = e * spin[s] * colour[c];
          if (expected) {
            double cos_sum = 0;
            Spinor<double> r;
            for (int s = 0; s < 4; ++s)
              for (int c = 0; c < 3; ++c)
                r.s[s].c[c] = Complex<double>(0, 0);
            for (int mu = 0; mu < dims; ++mu) {
              cos_sum += Kokkos::cos(kk[mu]);
              const Spinor<double> gchi = apply_gamma(chi, mu);
              for (int s = 0; s < 4; ++s)
                for (int c = 0; c < 3; ++c)
                  r.s[s].c[c] += Complex<double>(0, 2 * kappa * Kokkos::sin(kk[mu])) * gchi.s[s].c[c];
            }
            for (int s = 0; s < 4; ++s)
              for (int c = 0; c < 3; ++c)
                r.s[s].c[c] += (1 - 2 * kappa * cos_sum) * chi.s[s].c[c];
            chi = r;
          }
          store_spinor(out, g.storage_index(x), chi);
        });
  }
  return f;
}

// |a - b|^2 / |b|^2 over both parities.
inline double relative_difference(const Decomposition& d, const FermionField<double>& a, const FermionField<double>& b)
{
  double diff = 0, norm = 0;
  for (int p = 0; p < 2; ++p) {
    auto t = allocate_spinor<double>(d.geometry(), "test::diff");
    axpby(d, p, 1.0, a.parity[p], 0.0, t);
    axpby(d, p, -1.0, b.parity[p], 1.0, t);
    diff += norm2(d, p, t);
    norm += norm2(d, p, b.parity[p]);
  }
  return std::sqrt(diff / norm);
}

inline Kokkos::complex<double> dot(const Decomposition& d, const FermionField<double>& a, const FermionField<double>& b)
{
  return dot(d, 0, a.parity[0], b.parity[0]) + dot(d, 1, a.parity[1], b.parity[1]);
}

// gamma_5 applied to a copy.
inline FermionField<double> gamma5_copy(const Decomposition& d, const FermionField<double>& a)
{
  auto f = allocate_fermion<double>(d.geometry(), "test::g5");
  const Geometry g = d.geometry();
  for (int p = 0; p < 2; ++p) {
    const SpinorView<double> in = a.parity[p], out = f.parity[p];
    par_for(
        "test::gamma5", g.half_volume, KOKKOS_LAMBDA(Index n) {
          const Index s = g.interior_storage(n, p);
          store_spinor(out, s, gamma5(load_spinor<double>(in, s)));
        });
  }
  return f;
}

// The gauge observables of a field, to compare two ways of computing them.
struct GaugeObservables {
  Complex<double> polyakov;
  double q, e_plaq, e_clover;
};

inline GaugeObservables measure(const Decomposition& d, const Links& u)
{
  return {polyakov_loop(d, u), topological_charge(d, u), flow_energy_plaquette(d, u), flow_energy_clover(d, u)};
}

inline void expect_near(const GaugeObservables& a, const GaugeObservables& b, double tolerance)
{
  EXPECT_NEAR(a.polyakov.real(), b.polyakov.real(), tolerance);
  EXPECT_NEAR(a.polyakov.imag(), b.polyakov.imag(), tolerance);
  EXPECT_NEAR(a.q, b.q, tolerance);
  EXPECT_NEAR(a.e_plaq, b.e_plaq, tolerance);
  EXPECT_NEAR(a.e_clover, b.e_clover, tolerance);
}

} // namespace tessera::lqcd::testing
