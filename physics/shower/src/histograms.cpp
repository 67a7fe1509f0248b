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

} // namespace tessera::shower
