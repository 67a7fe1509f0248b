// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/histograms.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::shower {

HistogramBook::HistogramBook(const std::vector<HistogramSpec>& specs) : specs_(specs)
{
  if (specs.size() > max_histograms)
    throw Error(ExitCode::failure, fmt::format("at most {} histograms per book, got {}", max_histograms, specs.size()));
  int rows = 0;
  for (std::size_t h = 0; h < specs.size(); ++h) {
    const auto& s = specs[h];
    if (s.bins < 1 || !(s.high > s.low))
      throw Error(ExitCode::failure, fmt::format("histogram {}: empty binning", s.path));
    filler_.bins_[h] = s.bins;
    filler_.offset_[h] = rows;
    filler_.low_[h] = s.low;
    filler_.high_[h] = s.high;
    filler_.inverse_width_[h] = s.bins / (s.high - s.low);
    rows += s.bins + 2;
  }
  filler_.sums_ = View<double* [n_moments]>("shower::histograms", rows);
}

HistogramBook HistogramBook::combined(const Comm& comm) const
{
  HistogramBook out = *this;
  out.filler_.sums_ = View<double* [n_moments]>("shower::histograms_combined", rows());
  Kokkos::deep_copy(out.filler_.sums_, filler_.sums_);
  comm.sum_in_place(out.filler_.sums_);
  return out;
}

void HistogramBook::load(const std::vector<double>& sums) const
{
  if (sums.size() != static_cast<std::size_t>(rows()) * n_moments)
    throw InputError(fmt::format("histogram sums: expected {} values, got {}", rows() * n_moments, sums.size()));
  auto host = Kokkos::create_mirror_view(filler_.sums_);
  for (int r = 0; r < rows(); ++r)
    for (int k = 0; k < n_moments; ++k)
      host(r, k) = sums[static_cast<std::size_t>(r) * n_moments + static_cast<std::size_t>(k)];
  Kokkos::deep_copy(filler_.sums_, host);
}

} // namespace tessera::shower
