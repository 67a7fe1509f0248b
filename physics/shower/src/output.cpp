// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/output.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/core/hdf5.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::shower {

std::vector<HostHistogram> host_histograms(const HistogramBook& book, double scale)
{
  const auto sums = book.host();
  std::vector<HostHistogram> out;
  for (int h = 0; h < book.size(); ++h) {
    const auto& spec = book.spec(h);
    HostHistogram hist;
    hist.path = spec.path;
    hist.title = spec.title;
    hist.scaled_by = scale;
    for (int b = 0; b <= spec.bins; ++b)
      hist.edges.push_back(spec.low + (spec.high - spec.low) * b / spec.bins);
    const auto row = [&](int r) {
      std::array<double, n_moments> m{};
      for (int k = 0; k < n_moments; ++k)
        m[static_cast<std::size_t>(k)] = sums(book.offset(h) + r, k);
      m[sum_w] *= scale;
      m[sum_w2] *= scale * scale;
      m[sum_wx] *= scale;
      m[sum_wx2] *= scale;
      for (int k = 0; k < n_moments; ++k)
        hist.total[static_cast<std::size_t>(k)] += m[static_cast<std::size_t>(k)];
      return m;
    };
    hist.underflow = row(0);
    for (int b = 1; b <= spec.bins; ++b)
      hist.bins.push_back(row(b));
    hist.overflow = row(spec.bins + 1);
    out.push_back(std::move(hist));
  }
  return out;
}

ObservableMean observable_mean(const HostHistogram& histogram)
{
  ObservableMean m;
  m.name = histogram.path.substr(histogram.path.find_last_of('/') + 1);
  double w = 0, w2 = 0, wx = 0, wx2 = 0;
  const auto add = [&](const std::array<double, n_moments>& row) {
    w += row[sum_w];
    w2 += row[sum_w2];
    wx += row[sum_wx];
    wx2 += row[sum_wx2];
  };
  for (const auto& bin : histogram.bins)
    add(bin);
  add(histogram.overflow);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!(w > 0)) return {m.name, nan, nan, 0.0};
  m.mean = wx / w;
  m.fraction = histogram.total[sum_w] > 0 ? w / histogram.total[sum_w] : 0.0;
  const double denominator = w * w - w2;
  if (denominator > 0) {
    const double variance = std::max(0.0, (wx2 * w - wx * wx) / denominator);
    m.error = std::sqrt(variance / (w * w / w2));
  } else {
    m.error = nan; // a single effective entry
  }
  return m;
}

void write_histograms_hdf5(const Comm& comm, const std::filesystem::path& path,
                           const std::vector<HostHistogram>& histograms, double cross_section,
                           double cross_section_error, std::int64_t events)
{
  Hdf5Writer writer(comm, path);
  for (const auto& h : histograms) {
    const auto n = static_cast<std::int64_t>(h.bins.size());
    HostView<double*> edges("edges", n + 1);
    HostView<double**> sums("sums", n, n_moments), flows("flows", 2, n_moments);
    for (std::int64_t b = 0; b <= n; ++b)
      edges(b) = h.edges[static_cast<std::size_t>(b)];
    for (std::int64_t b = 0; b < n; ++b)
      for (int k = 0; k < n_moments; ++k)
        sums(b, k) = h.bins[static_cast<std::size_t>(b)][static_cast<std::size_t>(k)];
    for (int k = 0; k < n_moments; ++k) {
      flows(0, k) = h.underflow[static_cast<std::size_t>(k)];
      flows(1, k) = h.overflow[static_cast<std::size_t>(k)];
    }
    const std::string group = h.path.substr(1);
    writer.write_shared(group + "/edges", edges);
    writer.write_shared(group + "/bins", sums);
    writer.write_shared(group + "/under_overflow", flows);
    writer.attribute(group + "/bins", "columns", std::string("sumw sumw2 sumwx sumwx2 numEntries"));
    writer.attribute(group + "/edges", "title", h.title);
  }
  writer.attribute("", "cross_section_pb", cross_section);
  writer.attribute("", "cross_section_error_pb", cross_section_error);
  writer.attribute("", "events", events);
  writer.attribute("", "normalisation", std::string("sums of weights per generated event: total sumw = sigma (pb)"));
  writer.attribute("", "commit", build_commit());
  writer.close();
}

} // namespace tessera::shower
