// SPDX-License-Identifier: Apache-2.0
// The matrix products that gemm.hpp declares extern, compiled once.
#include "tessera/core/gemm.hpp"

namespace tessera {

TESSERA_GEMM_INSTANTIATIONS(, float)
TESSERA_GEMM_INSTANTIATIONS(, double)

} // namespace tessera
