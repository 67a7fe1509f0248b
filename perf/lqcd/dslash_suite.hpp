// SPDX-License-Identifier: Apache-2.0
#pragma once
// The Wilson hopping term and the CG time to solution (see dslash_suite.cpp).

#include "suite.hpp"

namespace tessera::lqcd {

void dslash_benchmarks(bench::Suite& suite);

} // namespace tessera::lqcd
