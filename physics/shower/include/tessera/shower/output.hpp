// SPDX-License-Identifier: Apache-2.0
#pragma once
// What tessera-shower writes: the histograms as YODA text (for Rivet / YODA users:
// yodadiff, rivet-mkhtml) and as HDF5, and the first events as HepMC3 ASCII (through the
// HepMC3 library, src/hepmc.cpp: no header of Tessera includes HepMC3's).

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/shower/event_batch.hpp"
#include "tessera/shower/histograms.hpp"

namespace tessera::shower {

// One 1-D histogram on the host, normalised: sums of weights are per generated event, so
// the total sum of weights of each histogram is the cross section in pb.
struct HostHistogram {
  std::string path, title;
  std::vector<double> edges;                       // bins + 1
  std::vector<std::array<double, n_moments>> bins; // per bin
  std::array<double, n_moments> underflow{}, overflow{}, total{};
  double scaled_by = 1;
};

// The book's (combined) sums, each weight sum multiplied by `scale` (1 / events).
std::vector<HostHistogram> host_histograms(const HistogramBook& book, double scale);

// The weighted mean of a histogram's observable and its standard error as YODA's Dbn1D
// computes them: mean = sum wx / sum w; error = sqrt(variance / effective entries) with
// variance = (sum wx2 sum w - (sum wx)^2) / ((sum w)^2 - sum w2) and effective entries
// (sum w)^2 / sum w2; over the bins and the overflow. The underflow is left out: it holds the
// undefined values (filled at -5, analysis.hpp), and for log10 y_ij also y_ij below the
// histogram's range, so those means are over y_ij >= 10^low. `fraction`: the weight in the mean
// over the histogram's total weight. No weight: mean and error are NaN.
struct ObservableMean {
  std::string name; // the last part of the histogram's path, e.g. "tvalue"
  double mean = 0, error = 0, fraction = 0;
};
ObservableMean observable_mean(const HostHistogram& histogram);

// The YODA text layouts (src/yoda.cpp): yoda2 is what YODA 2 and Rivet 4 write and read by
// default ("BEGIN YODA_HISTO1D_V3", an Edges(A1) list, one row per bin with the underflow
// first and the overflow last); yoda1 is YODA 1.x's ("BEGIN YODA_HISTO1D_V2", Total /
// Underflow / Overflow rows, then xlow xhigh per bin), for Rivet 3.
enum class YodaFormat { yoda2, yoda1 };
// "yoda2" / "yoda1" (output.yoda_format); throws InputError on anything else.
YodaFormat yoda_format(const std::string& name);

// Written to a temporary name and renamed.
void write_yoda(const std::filesystem::path& path, const std::vector<HostHistogram>& histograms,
                YodaFormat format = YodaFormat::yoda2);
// Reads what write_yoda writes in either layout (and YODA_HISTO1D_V2 / _V3 blocks from other
// tools; other objects are skipped); throws InputError naming the file and line on anything
// malformed.
std::vector<HostHistogram> read_yoda(const std::filesystem::path& path);

// HDF5: one group per histogram (its path), datasets edges, sumw, sumw2, sumwx, sumwx2,
// entries (bins), and underflow / overflow rows.
void write_histograms_hdf5(const Comm& comm, const std::filesystem::path& path,
                           const std::vector<HostHistogram>& histograms, double cross_section,
                           double cross_section_error, std::int64_t events);

// HepMC3 ASCII (Asciiv3) event records written by HepMC3::WriterAscii (src/hepmc.cpp): per
// event one GenEvent (GeV, mm) numbered by its global event number, with the weight (pb), the
// two beams (e- along +z, e+ along -z, status 4) into one vertex and the final partons out
// of it (status 1) with their colour flow as integer attributes flow1 / flow2. The file is
// written to `path`.tmp and renamed to `path` by close(); throws IoError when a write fails.
class HepMCWriter {
public:
  HepMCWriter(const std::filesystem::path& path, double sqrt_s);
  ~HepMCWriter();
  HepMCWriter(const HepMCWriter&) = delete;
  HepMCWriter& operator=(const HepMCWriter&) = delete;
  void write(std::int64_t event_number, double weight, const Parton* partons, int n);
  void close();

private:
  struct Impl; // the HepMC3 writer and its run information
  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_, temporary_;
  double sqrt_s_;
};

} // namespace tessera::shower
