// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/analysis.hpp"

namespace tessera::shower {

// 100 bins each; names and ranges of the GAPS v1 analysis where it has the observable.
std::vector<HistogramSpec> standard_histograms()
{
  return {
      {"/TESSERA/log10y23", "Durham log10 y23", 100, -4.3, -0.3},
      {"/TESSERA/log10y34", "Durham log10 y34", 100, -4.3, -0.3},
      {"/TESSERA/log10y45", "Durham log10 y45", 100, -4.3, -0.3},
      {"/TESSERA/log10y56", "Durham log10 y56", 100, -4.3, -0.3},
      {"/TESSERA/tvalue", "1 - thrust", 100, 0.0, 0.5},
      {"/TESSERA/hjm", "heavy jet mass M_H / E_vis", 100, 0.0, 1.0},
      {"/TESSERA/ljm", "light jet mass M_L / E_vis", 100, 0.0, 0.5},
      {"/TESSERA/tjb", "total jet broadening B_T", 100, 0.0, 0.5},
      {"/TESSERA/wjb", "wide jet broadening B_W", 100, 0.0, 0.5},
      {"/TESSERA/njb", "narrow jet broadening B_N", 100, 0.0, 0.2},
      {"/TESSERA/cparam", "C-parameter", 100, 0.0, 1.0},
      {"/TESSERA/nparton", "parton multiplicity", 100, 0.5, 100.5},
  };
}

} // namespace tessera::shower
