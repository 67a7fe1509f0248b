// SPDX-License-Identifier: Apache-2.0
// The histograms as YODA text, in YODA 2's layout (the default: what YODA 2 and Rivet 4 read)
// or YODA 1's (Rivet 3), and a reader of both.
//
// YODA 2 (YODA_HISTO1D_V3), as YODA 2's WriterYODA renders a BinnedHisto1D: the annotations
// (Path, ScaledBy, Title, Type), "---", the two comment lines "# Mean:" and "# Integral:"
// (both over every bin, under- and overflow included), "Edges(A1): [e0, e1, ...]", the
// column legend "# sumW  sumW2  sumW(A1)  sumW2(A1)  numEntries" (each name left-aligned in 13
// characters, tab-separated) and one row per bin in YODA 2's global bin order: the underflow
// first, the bins, the overflow last; sumW(A1), sumW2(A1) are YODA 1's sumwx, sumwx2. Layout
// taken from YODA 2.0's text writer as reproduced by babyyoda (github.com/APN-Pucky/babyyoda,
// src/babyyoda/grogu/histo1d_v3.py, to_string(): "written to be read by YODA 2"); YODA's own
// repository (gitlab.com/hepcedar/yoda) was not reachable from here. Numbers: %.10e, as in the
// YODA 1 layout, where YODA writes %.6e by default.
//
// YODA 1 (YODA_HISTO1D_V2): Total, Underflow and Overflow rows ("ID ID sumw sumw2 sumwx
// sumwx2 numEntries"), then one row per bin "xlow xhigh sumw ...".
#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/shower/output.hpp"

namespace tessera::shower {

YodaFormat yoda_format(const std::string& name)
{
  if (name == "yoda2") return YodaFormat::yoda2;
  if (name == "yoda1") return YodaFormat::yoda1;
  throw InputError(fmt::format("YODA format '{}': expected yoda2 or yoda1", name));
}

namespace {

std::string moments(const std::array<double, n_moments>& m)
{
  return fmt::format("{:.10e}\t{:.10e}\t{:.10e}\t{:.10e}\t{:.10e}", m[sum_w], m[sum_w2], m[sum_wx], m[sum_wx2],
                     m[entries]);
}

// The lines both layouts open a histogram with: BEGIN BLOCK PATH, the annotations, "---" and
// "# Mean:" (over every bin, under- and overflow included).
void write_head(std::ostream& out, const HostHistogram& h, const char* block)
{
  const double sum = h.total[sum_w];
  out << "BEGIN " << block << " " << h.path << "\n";
  out << "Path: " << h.path << "\n";
  out << fmt::format("ScaledBy: {:.10e}\n", h.scaled_by);
  out << "Title: " << h.title << "\n";
  out << "Type: Histo1D\n---\n";
  out << fmt::format("# Mean: {:.10e}\n", sum != 0 ? h.total[sum_wx] / sum : 0.0);
}

void write_yoda2(std::ostream& out, const HostHistogram& h)
{
  write_head(out, h, "YODA_HISTO1D_V3");
  out << fmt::format("# Integral: {:.10e}\n", h.total[sum_w]);
  out << "Edges(A1): [";
  for (std::size_t e = 0; e < h.edges.size(); ++e)
    out << (e > 0 ? ", " : "") << fmt::format("{:.10e}", h.edges[e]);
  out << "]\n";
  out << fmt::format("{:<13}\t{:<13}\t{:<13}\t{:<13}\t{}\n", "# sumW", "sumW2", "sumW(A1)", "sumW2(A1)", "numEntries");
  out << moments(h.underflow) << "\n";
  for (const auto& bin : h.bins)
    out << moments(bin) << "\n";
  out << moments(h.overflow) << "\n";
  out << "END YODA_HISTO1D_V3\n\n";
}

void write_yoda1(std::ostream& out, const HostHistogram& h)
{
  write_head(out, h, "YODA_HISTO1D_V2");
  out << fmt::format("# Area: {:.10e}\n", h.total[sum_w]);
  out << "# ID\t ID\t sumw\t sumw2\t sumwx\t sumwx2\t numEntries\n";
  out << "Total   \tTotal   \t" << moments(h.total) << "\n";
  out << "Underflow\tUnderflow\t" << moments(h.underflow) << "\n";
  out << "Overflow\tOverflow\t" << moments(h.overflow) << "\n";
  out << "# xlow\t xhigh\t sumw\t sumw2\t sumwx\t sumwx2\t numEntries\n";
  for (std::size_t b = 0; b < h.bins.size(); ++b)
    out << fmt::format("{:.10e}\t{:.10e}\t", h.edges[b], h.edges[b + 1]) << moments(h.bins[b]) << "\n";
  out << "END YODA_HISTO1D_V2\n\n";
}

} // namespace

void write_yoda(const std::filesystem::path& path, const std::vector<HostHistogram>& histograms, YodaFormat format)
{
  const auto temporary = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(temporary);
    if (!out) throw IoError(fmt::format("{}: cannot write", temporary.string()));
    for (const auto& h : histograms) {
      if (format == YodaFormat::yoda2)
        write_yoda2(out, h);
      else
        write_yoda1(out, h);
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

// "Edges(A1): [a, b, ...]": the numbers between the brackets.
std::vector<double> parse_edges(const std::string& line, const std::string& where)
{
  const auto open = line.find('['), close = line.rfind(']');
  if (open == std::string::npos || close == std::string::npos || close < open)
    throw InputError(fmt::format("{}: expected 'Edges(A1): [x0, x1, ...]'", where));
  std::string list = line.substr(open + 1, close - open - 1);
  for (auto& c : list)
    if (c == ',') c = ' ';
  std::istringstream in(list);
  std::vector<double> edges;
  for (double x = 0; in >> x;)
    edges.push_back(x);
  if (!in.eof()) throw InputError(fmt::format("{}: a bin edge is not a number", where));
  for (std::size_t e = 1; e < edges.size(); ++e)
    if (!(edges[e] > edges[e - 1])) throw InputError(fmt::format("{}: bin edges not increasing", where));
  if (edges.size() < 2) throw InputError(fmt::format("{}: fewer than two bin edges", where));
  return edges;
}

// A YODA 2 histogram's rows (underflow, bins, overflow) into the histogram.
void finish_yoda2(HostHistogram& h, std::vector<std::array<double, n_moments>>& rows, const std::string& where)
{
  if (h.edges.empty()) throw InputError(fmt::format("{}: histogram {} has no Edges(A1) line", where, h.path));
  if (rows.size() != h.edges.size() + 1)
    throw InputError(fmt::format("{}: histogram {} has {} rows, expected {} (underflow, {} bins, overflow)", where,
                                 h.path, rows.size(), h.edges.size() + 1, h.edges.size() - 1));
  h.underflow = rows.front();
  h.overflow = rows.back();
  h.bins.assign(rows.begin() + 1, rows.end() - 1);
  h.total = {};
  for (const auto& row : rows)
    for (std::size_t k = 0; k < row.size(); ++k)
      h.total[k] += row[k];
  rows.clear();
}

} // namespace

std::vector<HostHistogram> read_yoda(const std::filesystem::path& path)
{
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: file not found", path.string()));
  std::vector<HostHistogram> out;
  HostHistogram* h = nullptr;
  bool v3 = false, skipping = false; // skipping: another kind of object (its END ends it)
  std::vector<std::array<double, n_moments>> rows;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto where = fmt::format("{}:{}", path.string(), number);
    if (line.rfind("BEGIN ", 0) == 0) {
      if (h || skipping) throw InputError(fmt::format("{}: BEGIN inside an object", where));
      const bool v2 = line.rfind("BEGIN YODA_HISTO1D_V2 ", 0) == 0;
      v3 = line.rfind("BEGIN YODA_HISTO1D_V3 ", 0) == 0;
      if (!v2 && !v3) {
        skipping = true;
        continue;
      }
      out.emplace_back();
      h = &out.back();
      h->path = line.substr(line.find(' ', 6) + 1);
      continue;
    }
    if (line.rfind("END ", 0) == 0) {
      if (skipping) {
        skipping = false;
        continue;
      }
      if (h && v3) finish_yoda2(*h, rows, where);
      h = nullptr;
      continue;
    }
    if (!h || line.empty() || line[0] == '#' || line == "---") continue;
    if (line.rfind("Title: ", 0) == 0) {
      h->title = line.substr(7);
      continue;
    }
    if (line.rfind("ScaledBy: ", 0) == 0) {
      h->scaled_by = std::stod(line.substr(10));
      continue;
    }
    if (line.rfind("Edges(A1):", 0) == 0) {
      h->edges = parse_edges(line, where);
      continue;
    }
    if (line.find(':') != std::string::npos) continue; // other annotations
    std::istringstream fields(line);
    if (v3) {
      rows.push_back(parse_moments(fields, where));
      continue;
    }
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
  if (h || skipping)
    throw InputError(fmt::format("{}: {} has no END line", path.string(), h ? "histogram " + h->path : "an object"));
  return out;
}

} // namespace tessera::shower
