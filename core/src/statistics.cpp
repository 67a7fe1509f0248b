// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace tessera {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

long double mean_of(std::span<const double> chain)
{
  long double sum = 0;
  for (const double x : chain)
    sum += x;
  return sum / static_cast<long double>(chain.size());
}

// Gamma(t) of the deviations from the mean, unnormalised by the bias correction.
double gamma_at(std::span<const double> chain, long double mean, std::size_t t)
{
  const std::size_t n = chain.size();
  long double sum = 0;
  for (std::size_t i = 0; i + t < n; ++i)
    sum += (chain[i] - mean) * (chain[i + t] - mean);
  return static_cast<double>(sum / static_cast<long double>(n - t));
}

// Digits after the point that show `error` with two significant digits (0 to 6).
int decimals_for(double error)
{
  if (!(error > 0) || !std::isfinite(error)) return 1;
  return std::clamp(1 - static_cast<int>(std::floor(std::log10(error))), 0, 6);
}

} // namespace

std::string ChainEstimate::describe(int precision) const
{
  if (!has_estimate) return "no estimate";
  const int p = std::max(0, precision);
  const int d = decimals_for(tau_int_error);
  return fmt::format("{:.{}f} +- {:.{}f} (tau_int {:.{}f} +- {:.{}f}, {} samples)", mean, p, error, p, tau_int, d,
                     tau_int_error, d, samples);
}

std::vector<double> autocorrelation(std::span<const double> chain, std::size_t t_max)
{
  std::vector<double> gamma;
  if (chain.empty()) return gamma;
  const long double mean = mean_of(chain);
  const std::size_t last = std::min(t_max, chain.size() - 1);
  gamma.reserve(last + 1);
  for (std::size_t t = 0; t <= last; ++t)
    gamma.push_back(gamma_at(chain, mean, t));
  return gamma;
}

ChainEstimate gamma_method(std::span<const double> chain, double s_tau)
{
  if (!(s_tau > 0) || !std::isfinite(s_tau))
    throw std::invalid_argument(fmt::format("gamma_method: S = {} must be positive", s_tau));
  ChainEstimate e;
  e.samples = chain.size();
  e.error = e.tau_int = e.tau_int_error = nan;
  if (chain.empty()) {
    e.mean = nan;
    return e;
  }
  const long double mean = mean_of(chain);
  e.mean = static_cast<double>(mean);
  const std::size_t n = chain.size();
  if (n < 2 || !std::isfinite(e.mean)) return e;
  std::vector<double> gamma{gamma_at(chain, mean, 0)};
  if (!(gamma[0] > 0)) return e; // every sample equal: nothing to estimate fluctuations from

  // The automatic window (Wolff section 3.3, eqs. 50-52), on the uncorrected Gamma.
  const double dn = static_cast<double>(n);
  const std::size_t w_max = n / 2;
  std::size_t window = w_max;
  double sum_rho = 0;
  for (std::size_t w = 1; w <= w_max; ++w) {
    gamma.push_back(gamma_at(chain, mean, w));
    sum_rho += gamma[w] / gamma[0];
    const double tau = 0.5 + sum_rho;
    // tau_W = S / ln((2 tau + 1) / (2 tau - 1)); for tau <= 1/2, tau_W is tiny and g(W) < 0.
    if (tau <= 0.5) {
      window = w;
      break;
    }
    const double tau_w = s_tau / std::log((tau + 0.5) / (tau - 0.5));
    const double dw = static_cast<double>(w);
    if (std::exp(-dw / tau_w) - tau_w / std::sqrt(dw * dn) < 0) {
      window = w;
      break;
    }
  }
  // Gamma up to the window (when the loop ran to w_max, it has them all already).
  gamma.resize(window + 1);

  // Bias correction of Gamma (Wolff eq. 49), then C(W), tau_int and the errors.
  auto c_of = [&] {
    long double c = gamma[0];
    for (std::size_t t = 1; t <= window; ++t)
      c += 2.0L * gamma[t];
    return static_cast<double>(c);
  };
  const double bias = c_of() / dn;
  for (double& g : gamma)
    g += bias;
  const double c = c_of();
  // An anticorrelated chain (rho(1) near -1, e.g. one that alternates) can give C(W) <= 0: no
  // error is estimated then (UWerr stops there too).
  if (!(c > 0)) return e;
  e.window = window;
  e.tau_int = c / (2 * gamma[0]);
  e.error = std::sqrt(c / dn);
  const double dw = static_cast<double>(window);
  e.tau_int_error = 2 * e.tau_int * std::sqrt(std::max(0.0, dw + 0.5 - e.tau_int) / dn);
  e.has_estimate = std::isfinite(e.error) && std::isfinite(e.tau_int);
  if (!e.has_estimate) e.error = e.tau_int = e.tau_int_error = nan;
  return e;
}

} // namespace tessera
