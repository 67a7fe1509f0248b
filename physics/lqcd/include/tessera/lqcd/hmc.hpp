// SPDX-License-Identifier: Apache-2.0
#pragma once
// Hybrid Monte Carlo for the Wilson gauge action, optionally with two flavours of Wilson
// quarks: Gaussian momenta, a reversible area-preserving integrator (leapfrog or Omelyan's
// second-order minimum-norm 2MN, lambda = 0.1931833), optionally on two time scales (the
// fermion force on the coarse one, the gauge force `gauge_substeps` times finer), and the
// Metropolis test on exp(-dH). Every random number is a pure function of (seed, trajectory,
// site), so the chain is the same on any backend and rank grid.

#include <cstdint>
#include <memory>
#include <optional>

#include "tessera/lqcd/fermion.hpp"
#include "tessera/lqcd/gauge.hpp"

namespace tessera::lqcd {

enum class Integrator { leapfrog, omelyan };
Integrator integrator_from(const std::string& name);
const char* name(Integrator integrator);

// No defaults: the schema's action.*, hmc.* and solver.* keys give them (params.cpp).
struct HmcParams {
  double beta;
  int flavours; // 0 (pure gauge) or 2
  WilsonParams wilson;
  SolverKind solver;
  SolverSettings action_solver;
  SolverSettings force_solver;
  Integrator integrator;
  double trajectory_length;
  int steps;          // outer steps per trajectory
  int gauge_substeps; // gauge steps per outer step (with fermions)
  std::uint64_t seed;
  // Trajectories before this number are always accepted (no Metropolis test): the warm-up
  // from a cold or hot start, whose first trajectories have dH >> 1 (Grid's
  // NoMetropolisUntil). The chain is exact only from there on.
  std::uint64_t no_metropolis_until;
};

struct TrajectoryResult {
  std::uint64_t number = 0;
  double delta_h = 0;
  bool accepted = false;
  Plaquette plaquette; // after the accept/reject step
  std::int64_t solver_iterations = 0;
};

struct ReversibilityResult {
  double delta_h_forward = 0; // H after the forward trajectory minus H before
  double delta_h_total = 0;   // H after forward and back minus H before (0 up to rounding)
  double max_link_change = 0; // max |U - U0| after forward and back
  double max_momentum_change = 0;
};

class Hmc {
public:
  Hmc(const Decomposition& d, const Links& links, const HmcParams& params);

  // One trajectory with the Metropolis test; a rejected trajectory restores the links.
  TrajectoryResult trajectory(std::uint64_t number);
  // Forward, momenta flipped, back, flipped: the integrator's reversibility.
  ReversibilityResult reversibility(std::uint64_t number);
  // Forward only, returning dH (tests of the integrator's dH ~ dt^2 scaling).
  double energy_violation(std::uint64_t number);

  const Links& momenta() const { return momenta_; }
  const HmcParams& params() const { return params_; }

private:
  double start(std::uint64_t number); // fresh momenta and pseudofermion; returns H
  double hamiltonian();
  void integrate();
  void step(int level, double eps);
  void kick(int level, double eps);
  void flip_momenta();

  const Decomposition* d_;
  Links links_, momenta_, force_, saved_links_;
  HmcParams params_;
  std::unique_ptr<TwoFlavourWilson> fermions_;
};

} // namespace tessera::lqcd
