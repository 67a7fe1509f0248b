// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/output.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
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

namespace {
std::string moments(const std::array<double, n_moments>& m)
{
  return fmt::format("{:.10e}\t{:.10e}\t{:.10e}\t{:.10e}\t{:.10e}", m[sum_w], m[sum_w2], m[sum_wx], m[sum_wx2],
                     m[entries]);
}
} // namespace

void write_yoda(const std::filesystem::path& path, const std::vector<HostHistogram>& histograms)
{
  const auto temporary = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(temporary);
    if (!out) throw IoError(fmt::format("{}: cannot write", temporary.string()));
    for (const auto& h : histograms) {
      const double area = h.total[sum_w];
      out << "BEGIN YODA_HISTO1D_V2 " << h.path << "\n";
      out << "Path: " << h.path << "\n";
      out << fmt::format("ScaledBy: {:.10e}\n", h.scaled_by);
      out << "Title: " << h.title << "\n";
      out << "Type: Histo1D\n---\n";
      out << fmt::format("# Mean: {:.10e}\n", area != 0 ? h.total[sum_wx] / area : 0.0);
      out << fmt::format("# Area: {:.10e}\n", area);
      out << "# ID\t ID\t sumw\t sumw2\t sumwx\t sumwx2\t numEntries\n";
      out << "Total   \tTotal   \t" << moments(h.total) << "\n";
      out << "Underflow\tUnderflow\t" << moments(h.underflow) << "\n";
      out << "Overflow\tOverflow\t" << moments(h.overflow) << "\n";
      out << "# xlow\t xhigh\t sumw\t sumw2\t sumwx\t sumwx2\t numEntries\n";
      for (std::size_t b = 0; b < h.bins.size(); ++b)
        out << fmt::format("{:.10e}\t{:.10e}\t", h.edges[b], h.edges[b + 1]) << moments(h.bins[b]) << "\n";
      out << "END YODA_HISTO1D_V2\n\n";
    }
    if (!out.flush()) throw IoError(fmt::format("{}: write failed", temporary.string()));
  }
  std::filesystem::rename(temporary, path);
}

namespace {
std::array<double, n_moments> parse_moments(std::istringstream& in, const std::string& where)
{
  std::array<double, n_moments> m{};
  for (auto& v : m) {
    if (!(in >> v)) throw InputError(fmt::format("{}: expected sumw sumw2 sumwx sumwx2 numEntries", where));
  }
  return m;
}
} // namespace

std::vector<HostHistogram> read_yoda(const std::filesystem::path& path)
{
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: file not found", path.string()));
  std::vector<HostHistogram> out;
  HostHistogram* h = nullptr;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto where = fmt::format("{}:{}", path.string(), number);
    if (line.rfind("BEGIN YODA_HISTO1D", 0) == 0) {
      if (h) throw InputError(fmt::format("{}: BEGIN inside a histogram", where));
      out.emplace_back();
      h = &out.back();
      h->path = line.substr(line.find(' ', 6) + 1);
      continue;
    }
    if (!h || line.empty() || line[0] == '#' || line == "---") continue;
    if (line.rfind("END YODA_HISTO1D", 0) == 0) {
      h = nullptr;
      continue;
    }
    if (line.rfind("Title: ", 0) == 0) {
      h->title = line.substr(7);
      continue;
    }
    if (line.rfind("ScaledBy: ", 0) == 0) {
      h->scaled_by = std::stod(line.substr(10));
      continue;
    }
    if (line.find(':') != std::string::npos) continue; // other annotations
    std::istringstream fields(line);
    std::string first;
    fields >> first;
    if (first == "Total" || first == "Underflow" || first == "Overflow") {
      std::string again;
      fields >> again;
      const auto m = parse_moments(fields, where);
      (first == "Total" ? h->total : first == "Underflow" ? h->underflow : h->overflow) = m;
      continue;
    }
    double low = 0, high = 0;
    try {
      low = std::stod(first);
    } catch (const std::exception&) {
      throw InputError(fmt::format("{}: expected a bin line 'xlow xhigh sumw ...', got '{}'", where, line));
    }
    if (!(fields >> high)) throw InputError(fmt::format("{}: bin line without xhigh", where));
    if (h->edges.empty())
      h->edges.push_back(low);
    else if (std::abs(h->edges.back() - low) > 1e-9 * (1 + std::abs(low)))
      throw InputError(fmt::format("{}: bins not contiguous", where));
    h->edges.push_back(high);
    h->bins.push_back(parse_moments(fields, where));
  }
  if (h) throw InputError(fmt::format("{}: histogram {} has no END line", path.string(), h->path));
  return out;
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

HepMCWriter::HepMCWriter(const std::filesystem::path& path, double sqrt_s)
    : path_(path), temporary_(path.string() + ".tmp"), out_(temporary_), sqrt_s_(sqrt_s)
{
  if (!out_) throw IoError(fmt::format("{}: cannot write", temporary_.string()));
  out_ << "HepMC::Version 3.02.06\nHepMC::Asciiv3-START_EVENT_LISTING\n";
  open_ = true;
}

HepMCWriter::~HepMCWriter()
{
  try {
    close();
  } catch (...) {
  }
}

void HepMCWriter::write(std::int64_t event_number, double weight, const Parton* partons, int n)
{
  const double e = 0.5 * sqrt_s_;
  out_ << fmt::format("E {} 1 {}\nU GEV MM\nW {:.10e}\n", event_number, n + 2, weight);
  // Beams as in the hard process: e- along +z, e+ along -z (status 4), into vertex -1.
  out_ << fmt::format("P 1 0 11 0 0 {:.10e} {:.10e} 0 4\n", e, e);
  out_ << fmt::format("P 2 0 -11 0 0 {:.10e} {:.10e} 0 4\n", -e, e);
  out_ << "V -1 0 [1,2]\n";
  for (int k = 0; k < n; ++k) {
    const auto& p = partons[k];
    out_ << fmt::format("P {} -1 {} {:.16e} {:.16e} {:.16e} {:.16e} 0 1\n", k + 3, p.pid, p.p.px, p.p.py, p.p.pz,
                        p.p.e);
    if (p.colour > 0) out_ << fmt::format("A {} flow1 {}\n", k + 3, p.colour);
    if (p.anticolour > 0) out_ << fmt::format("A {} flow2 {}\n", k + 3, p.anticolour);
  }
}

void HepMCWriter::close()
{
  if (!open_) return;
  open_ = false;
  out_ << "HepMC::Asciiv3-END_EVENT_LISTING\n";
  out_.close();
  if (!out_) throw IoError(fmt::format("{}: write failed", temporary_.string()));
  std::filesystem::rename(temporary_, path_);
}

} // namespace tessera::shower
