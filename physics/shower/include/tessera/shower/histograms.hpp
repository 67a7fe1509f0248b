// SPDX-License-Identifier: Apache-2.0
#pragma once
// Weighted 1-D histograms filled on the device, in the bin layout of YODA: per bin the sum
// of weights, of squared weights, of w x, of w x^2 and the number of entries, plus an
// underflow and an overflow bin. All histograms of a run live in one View, so a fill is a
// few atomic adds and combining ranks is one all-reduce.

#include <array>
#include <string>
#include <vector>

#include <Kokkos_Core.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/spaces.hpp"

namespace tessera::shower {

struct HistogramSpec {
  std::string path;  // YODA path, e.g. "/LL_JetRates/log10_y_23"
  std::string title; // what it shows
  int bins;
  double low, high;
};

enum Moment : int { sum_w = 0, sum_w2, sum_wx, sum_wx2, entries, n_moments };

inline constexpr int max_histograms = 16;

// What a kernel needs to fill the histograms: the sums and the binning, no host data.
// Rows of histogram h start at offset(h): its underflow, rows 1..bins the bins, row
// bins + 1 the overflow.
class HistogramFiller {
public:
  // Bin row of value x in histogram h.
  KOKKOS_INLINE_FUNCTION int row(int h, double x) const
  {
    const int bins = bins_[h];
    int bin = 0;
    if (!(x >= low_[h]))
      bin = 0; // NaN goes to the underflow
    else if (x >= high_[h])
      bin = bins + 1;
    else
      bin = 1 + Kokkos::min(static_cast<int>((x - low_[h]) * inverse_width_[h]), bins - 1);
    return offset_[h] + bin;
  }

  KOKKOS_INLINE_FUNCTION void fill(int h, double x, double w) const
  {
    const int r = row(h, x);
    Kokkos::atomic_add(&sums_(r, sum_w), w);
    Kokkos::atomic_add(&sums_(r, sum_w2), w * w);
    Kokkos::atomic_add(&sums_(r, sum_wx), w * x);
    Kokkos::atomic_add(&sums_(r, sum_wx2), w * x * x);
    Kokkos::atomic_add(&sums_(r, entries), 1.0);
  }

private:
  friend class HistogramBook;
  View<double* [n_moments]> sums_;
  Kokkos::Array<int, max_histograms> bins_{}, offset_{};
  Kokkos::Array<double, max_histograms> low_{}, high_{}, inverse_width_{};
};

// A set of histograms: their specifications on the host, the sums on the device.
class HistogramBook {
public:
  HistogramBook() = default;
  explicit HistogramBook(const std::vector<HistogramSpec>& specs);

  int size() const { return static_cast<int>(specs_.size()); }
  const HistogramSpec& spec(int h) const { return specs_[static_cast<std::size_t>(h)]; }
  const HistogramFiller& filler() const { return filler_; }
  int offset(int h) const { return filler_.offset_[static_cast<std::size_t>(h)]; }

  // A book holding the sums over all ranks (collective); this one keeps its own sums, which
  // a checkpoint may still need.
  HistogramBook combined(const Comm& comm) const;
  using HostSums = View<double* [n_moments]>::host_mirror_type;
  HostSums host() const { return host_copy(filler_.sums_); }
  // Replaces the sums (rows x n_moments, row-major), e.g. from a checkpoint.
  void load(const std::vector<double>& sums) const;
  int rows() const { return static_cast<int>(filler_.sums_.extent(0)); }

private:
  std::vector<HistogramSpec> specs_;
  HistogramFiller filler_;
};

} // namespace tessera::shower
