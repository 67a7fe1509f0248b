// SPDX-License-Identifier: Apache-2.0
#pragma once
// Observables of phi^4 (the tutorial's, arXiv:2101.08176 sec. IV): per configuration on the
// device, and their averages with errors over a Monte Carlo run on the host.
//
// Per configuration: phi2 = (1/V) sum_x phi(x)^2, M = sum_x phi(x), and
// C(x) = (1/V) sum_y phi(y) phi(y + x) for every separation x (a site index).
//
// Over a run (Phi4Estimates): the batches it is given are `replicas` independent chains at
// one Monte Carlo time, replica after replica (BatchedHmc's layout with replicas = chains),
// or, with replicas = 1, consecutive configurations of one chain. Each time step is the
// average over its replicas; the estimates are:
//   <phi^2>, <|M|>/V, chi_2 = V <(M/V)^2> = <M^2>/V: primary observables, errors and
//     tau_int by core's gamma_method on the series of time steps;
//   G_c(x) = (1/V) sum_y [<phi(y) phi(y+x)> - <phi(y)><phi(y+x)>] (the tutorial's, with
//     <phi(y)> the mean of each site's own values), its sum chi_2,c = sum_x G_c(x),
//     G(t) = sum_{x1} G_c(t, x1) (t along x, the first lattice direction), the effective
//     mass m_p(t) = arccosh((G(t-1) + G(t+1)) / (2 G(t))) for t = 1 .. L_x - 1 (G(L_x) = G(0);
//     NaN at t = 0, where the contact term of G(0) spoils it even in the free theory, and
//     wherever the argument is below 1), and the pole mass m_p = the mean of m_p(t) over
//     t = 1 .. L_x/2 - 1 (at least t = 1): errors by a blocked jackknife over the time steps
//     (contiguous blocks, so that autocorrelations shorter than a block do not lower the error).

#include <vector>

#include "tessera/core/statistics.hpp"
#include "tessera/nn/lattice_field.hpp"

namespace tessera::flow {

// Per-configuration values of a batch, copied to the host.
struct Phi4Measurements {
  Index samples = 0, sites = 0;
  std::vector<double> phi2;          // per sample
  std::vector<double> magnetisation; // M, per sample
  std::vector<double> correlation;   // C(x): sample * sites + x
  std::vector<double> field;         // phi(y) itself: sample * sites + y
};

// One thread per (sample, separation) summing over sites: O(n V^2), meant for the small
// lattices of the flow studies.
template <class T>
Phi4Measurements measure_phi4(const ExecSpace& space, nn::LatticeShape shape, const nn::ConstFieldBatch<T>& phi);

struct JackknifeEstimate {
  double value = 0; // the estimate from all time steps
  double error = 0; // sqrt((B - 1) / B sum_b (value_b - mean_b value_b)^2) over B blocks left out
};

struct Phi4Results {
  Index steps = 0, replicas = 0;
  ChainEstimate phi2;                            // <phi^2>
  ChainEstimate abs_magnetisation;               // <|M|> / V
  ChainEstimate chi2;                            // <M^2> / V
  std::vector<JackknifeEstimate> connected;      // G_c(x), per site x
  JackknifeEstimate chi2_connected;              // sum_x G_c(x)
  std::vector<JackknifeEstimate> zero_momentum;  // G(t), t = 0 .. L_x - 1
  std::vector<JackknifeEstimate> effective_mass; // m_p(t), t = 0 .. L_x - 1 (NaN at 0)
  JackknifeEstimate pole_mass;                   // mean of m_p(t), t = 1 .. max(1, L_x/2 - 1)
};

// The per-step series an estimate is made of (replica averages): what a checkpoint keeps.
struct Phi4Series {
  std::vector<double> phi2, abs_magnetisation, chi2;
  std::vector<double> correlation, field; // sites values per step
};

class Phi4Estimates {
public:
  // Throws InputError for replicas < 1 or an empty lattice.
  Phi4Estimates(nn::LatticeShape shape, Index replicas);

  // A batch of whole time steps (samples a multiple of replicas, each step's replicas together).
  void add(const Phi4Measurements& measurements);
  template <class T>
  void measure(const ExecSpace& space, const nn::ConstFieldBatch<T>& phi)
  {
    add(measure_phi4<T>(space, shape_, phi));
  }

  Index steps() const { return static_cast<Index>(series_.phi2.size()); }
  // The per-step series (replica averages) the chain estimates are made of.
  const std::vector<double>& phi2_series() const { return series_.phi2; }
  const std::vector<double>& abs_magnetisation_series() const { return series_.abs_magnetisation; }
  const std::vector<double>& chi2_series() const { return series_.chi2; }
  const Phi4Series& series() const { return series_; }
  // Continues from a checkpoint's series (InputError when its lengths do not fit the lattice).
  void restore(Phi4Series series);

  // Needs at least 2 time steps for errors; blocks = min(jackknife_blocks, steps).
  Phi4Results results(int jackknife_blocks = 20) const;

private:
  nn::LatticeShape shape_;
  Index replicas_;
  Phi4Series series_;
};

extern template Phi4Measurements measure_phi4<float>(const ExecSpace&, nn::LatticeShape,
                                                     const nn::ConstFieldBatch<float>&);
extern template Phi4Measurements measure_phi4<double>(const ExecSpace&, nn::LatticeShape,
                                                      const nn::ConstFieldBatch<double>&);

} // namespace tessera::flow
