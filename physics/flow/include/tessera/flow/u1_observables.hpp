// SPDX-License-Identifier: Apache-2.0
#pragma once
// Averages with errors of the U(1) observables (u1.hpp: the plaquette p and the topological
// charge Q per configuration) over a Monte Carlo run. As with Phi4Estimates, the batches it is
// given are `replicas` independent chains at one Monte Carlo time, replica after replica
// (BatchedHmc's layout), or with replicas = 1 consecutive configurations of one chain. Each
// time step keeps the replica averages of p, Q and Q^2 / V, and every replica's own Q.
//
// Estimates (core's gamma_method on the series of time steps): <p>, <Q> (whose tau_int is
// tau_int(Q): averaging independent replicas leaves the normalised autocorrelation as it is),
// chi_t = <Q^2> / V; per replica, tau_int of its own Q series.

#include <vector>

#include "tessera/core/statistics.hpp"
#include "tessera/flow/u1.hpp"

namespace tessera::flow {

struct U1Results {
  Index steps = 0, replicas = 0;
  ChainEstimate plaquette;                   // <p>
  ChainEstimate charge;                      // <Q>, and tau_int(Q)
  ChainEstimate susceptibility;              // <Q^2> / V
  std::vector<ChainEstimate> replica_charge; // each replica's own Q series
};

// The per-step series the estimates are made of: what a checkpoint keeps.
struct U1Series {
  std::vector<double> plaquette, charge, susceptibility; // replica averages, per step
  std::vector<double> replica_charge;                    // step * replicas + replica
};

class U1Estimates {
public:
  // Throws InputError for replicas < 1 or an empty lattice.
  U1Estimates(nn::LatticeShape shape, Index replicas);

  // A batch of whole time steps (samples a multiple of replicas).
  void add(const U1Measurements& measurements);
  template <class T>
  void measure(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta)
  {
    add(measure_u1<T>(space, shape_, theta));
  }

  Index steps() const { return static_cast<Index>(plaquette_.size()); }
  const std::vector<double>& plaquette_series() const { return plaquette_; }
  const std::vector<double>& charge_series() const { return charge_; }
  const std::vector<double>& susceptibility_series() const { return q2_; }
  U1Series series() const { return {plaquette_, charge_, q2_, replica_charge_}; }
  // Continues from a checkpoint's series (InputError when its lengths disagree).
  void restore(U1Series series);
  // Replica r's charges, one per step.
  std::vector<double> replica_charge_series(Index replica) const;

  // Needs at least 2 time steps for errors.
  U1Results results() const;

private:
  nn::LatticeShape shape_;
  Index replicas_;
  std::vector<double> plaquette_, charge_, q2_;
  std::vector<double> replica_charge_; // step * replicas + replica
};

} // namespace tessera::flow
