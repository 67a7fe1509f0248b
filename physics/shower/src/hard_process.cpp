// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/hard_process.hpp"

#include <cmath>

namespace tessera::shower {

double EeToQQbar::total_cross_section() const
{
  double sigma = 0;
  for (int fl = 1; fl <= n_quark_flavours; ++fl) {
    double symmetric = 0, antisymmetric = 0;
    coefficients(fl, symmetric, antisymmetric);
    sigma += 8.0 / 3.0 * symmetric / (32.0 * M_PI * s());
  }
  return sigma * gev2_to_pb;
}

} // namespace tessera::shower
