// SPDX-License-Identifier: Apache-2.0
#pragma once
// Error bars of Monte Carlo chains: the mean of a time series of correlated samples (a Markov
// chain, one sample per trajectory or sweep), its error and its integrated autocorrelation
// time, by the Gamma method with automatic windowing of U. Wolff, "Monte Carlo errors with
// less errors", Comput. Phys. Commun. 156 (2004) 143 (hep-lat/0306017), as his UWerr does
// for one primary observable and one replicum. Host code, no Kokkos.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tessera {

// The mean of a chain with its error and integrated autocorrelation time.
struct ChainEstimate {
  std::size_t samples = 0;
  double mean = 0;          // the chain's mean (NaN with no samples)
  double error = 0;         // sqrt(2 tau_int Gamma(0) / N), Gamma bias-corrected (Wolff eq. 49)
  double tau_int = 0;       // 1/2 + sum_{t=1}^{W} rho(t)
  double tau_int_error = 0; // Wolff eq. (42): 2 tau_int sqrt((W + 1/2 - tau_int) / N)
  std::size_t window = 0;   // W, chosen automatically (Wolff eq. 52)
  // false with fewer than 2 samples or no fluctuations at all (every sample equal): then
  // error, tau_int and tau_int_error are NaN and window is 0; mean is still the chain's mean.
  bool has_estimate = false;
  // "0.59368 +- 0.00012 (tau_int 2.3 +- 0.4, 120 samples)", mean and error with `precision`
  // digits after the point; "no estimate" when has_estimate is false.
  std::string describe(int precision) const;
};

// The autocorrelation function Gamma(t) = 1/(N - t) sum_{i=0}^{N-t-1} (x_i - mean)(x_{i+t} - mean)
// for t = 0 .. min(t_max, N - 1), without bias correction (long double sums). Empty for an
// empty chain.
std::vector<double> autocorrelation(std::span<const double> chain, std::size_t t_max);

// The Gamma method with automatic windowing: W is the first W = 1, 2, ... with
// g(W) = exp(-W / tau_W) - tau_W / sqrt(W N) < 0, where tau_W = S / ln((2 tau_int(W) + 1) /
// (2 tau_int(W) - 1)) (tau_W tiny when tau_int(W) <= 1/2), at most N / 2; S = s_tau (Wolff
// recommends 1 to 2, 1.5 by default). Gamma(t) is then corrected for the bias of the mean
// (Gamma(t) += C(W) / N, C(W) = Gamma(0) + 2 sum_{t=1}^{W} Gamma(t)) and tau_int and the error
// are computed from the corrected Gamma. Direct sums: O(N W) operations, fine for chains up to
// ~1e6 samples with short autocorrelations. Throws std::invalid_argument when s_tau <= 0 or a
// sample is not finite.
ChainEstimate gamma_method(std::span<const double> chain, double s_tau = 1.5);

} // namespace tessera
