// SPDX-License-Identifier: Apache-2.0
#pragma once
// The analysis of showered events on the device: Durham resolutions y23..y56 (log10),
// event shapes and the parton multiplicity, each filled with the event's weight into the
// standard histograms: the GAPS v1 set (same observables, ranges and 100 bins, so the
// YODA files compare histogram by histogram) plus total broadening, C and multiplicity.
//
// GAPS' conventions for undefined values are kept: they are filled at -5, in the underflow,
// so that every histogram's total weight is the cross section: Durham resolutions beyond
// the number of partons; all event shapes of two-parton events; 1 - T below 1e-12; light
// jet mass and narrow broadening when a hemisphere holds a single parton.

#include <vector>

#include <Kokkos_Core.hpp>

#include "tessera/shower/event_batch.hpp"
#include "tessera/shower/histograms.hpp"
#include "tessera/shower/observables.hpp"

namespace tessera::shower {

enum Observable : int {
  log10_y23 = 0,
  log10_y34,
  log10_y45,
  log10_y56,
  one_minus_thrust,
  heavy_jet_mass,
  light_jet_mass,
  total_broadening,
  wide_broadening,
  narrow_broadening,
  c_parameter,
  multiplicity,
  n_observables
};

inline constexpr double undefined_value = -5.0;

std::vector<HistogramSpec> standard_histograms();

// Row i of the batch as a momentum array for the observables.
struct BatchMomenta {
  View<Parton**> partons;
  std::int64_t row;
  KOKKOS_INLINE_FUNCTION Vec4& operator()(int k) const { return partons(row, k).p; }
};

// Fills every histogram for event row i (only finished events are analysed). Clusters the
// row's momenta in place: the event record is consumed.
KOKKOS_INLINE_FUNCTION void analyse_event(const EventBatch& batch, std::int64_t i, const HistogramFiller& book,
                                          double e2_vis)
{
  const double w = batch.weight(i);
  const int n = batch.n(i);
  const BatchMomenta p{batch.partons, i};
  if (n < 3) {
    for (int h = one_minus_thrust; h <= c_parameter; ++h)
      book.fill(h, undefined_value, w);
  } else {
    const EventShapes shapes = event_shapes(p, n);
    const bool single = shapes.hemisphere_partons[0] == 1 || shapes.hemisphere_partons[1] == 1;
    book.fill(one_minus_thrust, shapes.one_minus_thrust < 1e-12 ? undefined_value : shapes.one_minus_thrust, w);
    book.fill(heavy_jet_mass, shapes.heavy_jet_mass, w);
    book.fill(light_jet_mass, single ? undefined_value : shapes.light_jet_mass, w);
    book.fill(total_broadening, shapes.total_broadening, w);
    book.fill(wide_broadening, shapes.wide_broadening, w);
    book.fill(narrow_broadening, single ? undefined_value : shapes.narrow_broadening, w);
    book.fill(c_parameter, shapes.c_parameter, w);
  }
  book.fill(multiplicity, static_cast<double>(n), w);
  double y[4];
  durham_resolutions(p, n, e2_vis, y, 4);
  for (int m = 0; m < 4; ++m)
    book.fill(log10_y23 + m, y[m] > 0 ? Kokkos::log10(y[m]) : undefined_value, w);
}

} // namespace tessera::shower
