// SPDX-License-Identifier: Apache-2.0
#pragma once
// Two degenerate flavours of Wilson quarks in the HMC through an even-odd preconditioned
// pseudofermion: det(D^dag D) = const * det(M^dag M), S_f = phi^dag (M^dag M)^-1 phi on the
// even sites, phi = M^dag eta with Gaussian eta at the start of each trajectory.
//
// The force: with X = (M^dag M)^-1 phi, Y = M X, left field A = (Y_e, H_eo^dag Y_e) and right
// field B = (X_e, H_oe X_e), dS_f = 2 kappa^2 Re(A^dag dH B); per link U_mu(x), varied as
// U -> exp(w) U, this is Re tr(w Z) with
//   Z = sum_s [U_mu(x) (1 - gamma_mu) B(x+mu)]_s A(x)_s^dag - sum_s B(x)_s [U_mu(x) (1 + gamma_mu) A(x+mu)]_s^dag
// and the momentum derivative is dP/dt = kappa^2 TA(Z).

#include <cstdint>

#include "tessera/lqcd/gauge.hpp"
#include "tessera/lqcd/solver.hpp"

namespace tessera::lqcd {

class TwoFlavourWilson {
public:
  TwoFlavourWilson(const Decomposition& d, const Links& links, const WilsonParams& params, SolverKind solver,
                   const SolverSettings& action_settings, const SolverSettings& force_settings);

  // New pseudofermion from (seed, trajectory); returns the action S_f = |eta|^2.
  double refresh(std::uint64_t seed, std::uint64_t trajectory);
  // S_f for the current links.
  double action();
  // force += scale * dP/dt of S_f.
  void add_force(double scale, const Links& force);

  // Totals of the solver since construction.
  std::int64_t solver_iterations() const { return iterations_; }
  int solves() const { return solves_; }
  const SpinorView<double>& pseudofermion() const { return phi_; }

private:
  // X = (M^dag M)^-1 phi into x_.
  void solve(const SolverSettings& settings);

  const Decomposition* d_;
  Links links_;
  WilsonOperator<double> op_;
  SolverKind solver_;
  SolverSettings action_settings_, force_settings_;
  SpinorView<double> phi_, x_, y_, x_odd_, w_odd_;
  std::int64_t iterations_ = 0;
  int solves_ = 0;
};

// force += scale * kappa^2 TA(Z) for left field a and right field b (both parities, ghosts
// filled): the fermion-force kernel, exposed for tests.
void add_fermion_force(const Decomposition& d, const Links& links, const WilsonParams& params,
                       const FermionField<double>& a, const FermionField<double>& b, double scale, const Links& force);

// x = D^-1 b (whole lattice) with the chosen solver; x holds the initial guess. CG runs on
// the normal equations; converged means the true residual |b - D x| / |b| (true_residual) is
// within settings.tolerance, and CG is continued from x until it is, unless that residual
// stalls (a singular D) or settings.max_iterations run out.
SolverResult solve_wilson(const Decomposition& d, const Links& links, const WilsonParams& params, SolverKind kind,
                          const SolverSettings& settings, const FermionField<double>& x, const FermionField<double>& b);

// A single-precision copy of the links (ghosts included).
LinkView<float> single_precision(const Links& links);

} // namespace tessera::lqcd
