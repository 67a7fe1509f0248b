// SPDX-License-Identifier: Apache-2.0
#pragma once
// Hybrid Monte Carlo for any nn::LatticeAction (phi^4 now, U(1) later), with C independent
// chains advanced together on the device: one batch of C samples, chain after chain. Each
// trajectory draws Gaussian momenta p, integrates Hamilton's equations for
// H = sum p^2 / 2 + S(phi) with the leapfrog (kick half, drift, kick, ..., kick half; `steps`
// steps of trajectory_length / steps) and accepts each chain's end point with probability
// min(1, exp(-dH)); a rejected chain keeps its start point. H is summed in double (S itself
// comes from LatticeAction::evaluate, in T). A diverging trajectory (dH = inf or nan) is a
// rejection; a chain started far from equilibrium (a hot start wider than the field's
// fluctuations) can then stay stuck at its start: start near equilibrium, or take small steps.
//
// Random numbers (core's RandomDraws; a draw is a pure function of its key): for chain c
// (global index first_chain + c), component k (a site of phi^4) and trajectory t,
//   momenta:   stream HmcStream::momenta,   item c * components + k, draw number 4 t
//   accept:    stream HmcStream::accept,    item c,                  draw number 4 t
//   hot start: stream HmcStream::hot_start, item c * components + k, draw number 0
// (draw number = RandomDraws::position, one Philox block per trajectory). No draw depends on
// the number of chains in the batch, the backend or the thread count. Within one build, chain
// c is the same to the bit whichever batch it runs in (every kernel works per chain); across
// backends and thread counts the normals (a few ulp) and the order of the per-chain sums of S
// and H may differ by rounding.

#include <cstdint>
#include <vector>

#include "tessera/nn/lattice_field.hpp"

namespace tessera::flow {

enum class HmcStream : std::uint32_t {
  hot_start = 1,
  momenta = 2,
  accept = 3,
};

struct HmcParams {
  double trajectory_length = 1;
  int steps = 10; // leapfrog steps per trajectory
  std::uint64_t seed = 1;
  // The global index of the batch's first chain (the RNG key), so that the chains of a long
  // run can be split over batches or ranks.
  std::uint64_t first_chain = 0;
};

// One trajectory of every chain, copied to the host.
struct HmcTrajectory {
  std::uint64_t number = 0;
  std::vector<double> delta_h; // per chain: H(end) - H(start), before the Metropolis test
  std::vector<char> accepted;  // per chain: 1 when the end point was accepted
  double acceptance() const;   // the fraction of chains that accepted
};

// p ~ N(0, 1) for every chain and component of trajectory `trajectory` (the stream above).
template <class T>
void draw_momenta(const ExecSpace& space, const nn::FieldBatch<T>& momenta, Index components, std::uint64_t seed,
                  std::uint64_t first_chain, std::uint64_t trajectory);

// H = sum p^2 / 2 + S per sample into h (double); `action` is scratch of one value per sample.
template <class T>
void hamiltonian(const ExecSpace& space, const nn::LatticeAction<T>& s, const nn::ConstFieldBatch<T>& phi,
                 const nn::ConstFieldBatch<T>& momenta, const nn::SampleValues<T>& action, const View<double*>& h);

// `steps` leapfrog steps of size `step` on every sample of (phi, momenta), in place:
// p -= step/2 F, then (phi += step p, p -= step F) with the last kick a half one, F = dS/dphi.
// Reversible: with p flipped, the same call returns to the start (up to rounding).
// `force` (phi's shape) and `action` (one per sample) are scratch.
template <class T>
void leapfrog(const ExecSpace& space, const nn::LatticeAction<T>& s, const nn::FieldBatch<T>& phi,
              const nn::FieldBatch<T>& momenta, double step, int steps, const nn::FieldBatch<T>& force,
              const nn::SampleValues<T>& action);

template <class T>
class BatchedHmc {
public:
  // `action` must outlive this object. Starts cold (all fields zero). Throws InputError for
  // chains < 1, steps < 1 or trajectory_length <= 0.
  BatchedHmc(const nn::LatticeAction<T>& action, Index chains, const HmcParams& params);

  void start_cold();                                     // phi = 0
  void start_hot(double width = 1);                      // phi ~ N(0, width^2), stream hot_start
  void start_from(const nn::ConstFieldBatch<T>& fields); // chains * components values
  // Continues a run from its checkpoint: the fields after `trajectories` trajectories (the
  // next trajectory draws the numbers of trajectory number `trajectories`).
  void restore(const nn::ConstFieldBatch<T>& fields, std::uint64_t trajectories);

  // The next trajectory of every chain (number trajectories()). Throws Error (failure) when a
  // chain's H at the start is not finite; a non-finite H at the end is a rejection.
  HmcTrajectory trajectory();

  const nn::FieldBatch<T>& fields() const { return phi_; }
  Index chains() const { return chains_; }
  Index components() const { return components_; }
  const HmcParams& params() const { return params_; }
  std::uint64_t trajectories() const { return trajectories_; }
  // Accepted trajectories per chain, and over all chains.
  const std::vector<std::uint64_t>& accepted() const { return accepted_; }
  std::uint64_t accepted_total() const;

private:
  const nn::LatticeAction<T>* action_;
  Index chains_, components_;
  HmcParams params_;
  nn::FieldBatch<T> phi_, saved_, momenta_, force_;
  nn::SampleValues<T> values_;
  View<double*> h0_, h1_;
  View<int*> accept_;
  std::uint64_t trajectories_ = 0;
  std::vector<std::uint64_t> accepted_;
};

extern template class BatchedHmc<float>;
extern template class BatchedHmc<double>;

} // namespace tessera::flow
