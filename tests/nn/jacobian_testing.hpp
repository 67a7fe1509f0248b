// SPDX-License-Identifier: Apache-2.0
#pragma once
// Log-determinants of Jacobians built by finite differences, for the flows' density tests
// (tests/nn, tests/flow).

#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace tessera::testing {

// log |det| of a square matrix by LU with partial pivoting (long double).
inline long double log_abs_determinant(std::vector<long double> m, std::size_t n)
{
  long double log_det = 0;
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t pivot = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::fabs(m[i * n + k]) > std::fabs(m[pivot * n + k])) pivot = i;
    for (std::size_t j = 0; j < n; ++j)
      std::swap(m[k * n + j], m[pivot * n + j]);
    log_det += std::log(std::fabs(m[k * n + k]));
    for (std::size_t i = k + 1; i < n; ++i) {
      const long double f = m[i * n + k] / m[k * n + k];
      for (std::size_t j = k; j < n; ++j)
        m[i * n + j] -= f * m[k * n + j];
    }
  }
  return log_det;
}

} // namespace tessera::testing
