// SPDX-License-Identifier: Apache-2.0
#pragma once
// Gauge configurations in the NERSC ("Gauge Connection" archive) format, on the host.
//
// A file is a text header between "BEGIN_HEADER" and "END_HEADER" lines of "KEY = VALUE",
// then the links in NERSC order: site s = x + Lx (y + Ly (z + Lz t)), then direction
// mu = 0..3 (x, y, z, t), then row and column, each number as (re, im). DATATYPE
// 4D_SU3_GAUGE_3x3 stores all 3 rows, 4D_SU3_GAUGE only the first two (the third is
// conj(row0 x row1)). FLOATING_POINT says IEEE32 or IEEE64, big or little endian.
//
// The checks follow Grid (paboyle/Grid, Grid/parallelIO/NerscIO.h and BinaryIO.h), the
// reference reader of the format today: CHECKSUM is the wrapping 32-bit sum of the stored
// numbers' 32-bit words in host order (an IEEE64 number contributes both halves, two-row
// files only their stored rows), compared exactly; PLAQUETTE and LINK_TRACE are compared
// with the values recomputed from the data to 1e-5 and 1e-6 (absolute). Beyond Grid, the
// links must be SU(3) (unitary with det 1, to 1e-5). docs/lqcd.md.
//
// Host only: whole-lattice configurations in host memory; the device fields convert to and
// from HostGauge.

#include <array>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tessera::lqcd {

// The whole lattice's links on the host, in NERSC order:
// links[((s * 4 + mu) * 3 + a) * 3 + b] = U_mu(s)_{ab}, s = x + Lx (y + Ly (z + Lz t)).
struct HostGauge {
  std::array<int, 4> extent{}; // Lx, Ly, Lz, Lt
  std::vector<std::complex<double>> links;

  std::int64_t volume() const { return std::int64_t{extent[0]} * extent[1] * extent[2] * extent[3]; }
  std::complex<double>& operator()(std::int64_t site, int mu, int a, int b)
  {
    return links[static_cast<std::size_t>(((site * 4 + mu) * 3 + a) * 3 + b)];
  }
  const std::complex<double>& operator()(std::int64_t site, int mu, int a, int b) const
  {
    return links[static_cast<std::size_t>(((site * 4 + mu) * 3 + a) * 3 + b)];
  }
};

enum class NerscPrecision { ieee32, ieee64 };
// full_3x3: DATATYPE = 4D_SU3_GAUGE_3x3; two_rows: DATATYPE = 4D_SU3_GAUGE.
enum class NerscStorage { full_3x3, two_rows };

struct NerscWriteOptions {
  NerscPrecision precision = NerscPrecision::ieee64;
  NerscStorage storage = NerscStorage::full_3x3;
  bool big_endian = true;
  std::string ensemble_id = "tessera";
  std::int64_t sequence_number = 0;
  double beta = 0; // written as an extra key BETA (readers keep or ignore it) only if > 0
};

struct NerscInfo {
  std::map<std::string, std::string> header; // every key of the header, values trimmed
  double plaquette = 0;                      // recomputed from the data (nersc_plaquette)
  double link_trace = 0;                     // recomputed from the data (nersc_link_trace)
  std::uint32_t checksum = 0;                // of the data, equal to the header's CHECKSUM
  NerscPrecision precision = NerscPrecision::ieee64;
  NerscStorage storage = NerscStorage::full_3x3;
  bool big_endian = true;
};

// Writes <path>.tmp and renames it to path, so that a crash never leaves a partial file
// under the final name. IoError (naming the file) when it cannot be written; InputError
// when the gauge is inconsistent (extents <= 0 or over 2^31 sites, links.size() not
// 36 volume, a number that is not finite, a non-finite plaquette) or ensemble_id holds a
// line break. PLAQUETTE and LINK_TRACE are those of the gauge as given; with two-row
// storage the reader rebuilds the third row, so only SU(3) links read back as written.
void write_nersc(const std::filesystem::path& path, const HostGauge& gauge, const NerscWriteOptions& options = {});

// Reads and checks a configuration: a strict header (BEGIN_HEADER/END_HEADER, KEY = VALUE
// lines, DIMENSION_1..4 positive with at most 2^31 sites, a known DATATYPE and
// FLOATING_POINT, a CHECKSUM), the file size equal to header + data, the checksum, finite
// numbers, PLAQUETTE and LINK_TRACE where the header has them, and SU(3) links (within
// nersc_su3_tolerance, after the third row of two-row storage is rebuilt). Any failure is an
// IoError with a one-line message naming the file. FLOATING_POINT missing means IEEE32BIG
// (the archive's original format); plain IEEE32 or IEEE64 (no byte order, written both
// ways in the wild) takes the byte order whose checksum matches, big endian first.
HostGauge read_nersc(const std::filesystem::path& path, NerscInfo* info = nullptr);

// Host references with long double sums, used by the reader's checks (and tests):
// the average of Re tr U_P / 3 over the 6 planes mu < nu and all sites (cold field: 1),
// U_P = U_mu(x) U_nu(x + mu) U_mu(x + nu)^+ U_nu(x)^+, periodic boundaries;
double nersc_plaquette(const HostGauge& gauge);
// the average of Re tr U / 3 over all 4 volume links (cold field: 1).
double nersc_link_trace(const HostGauge& gauge);

// How far the links are from SU(3): the largest |(U^+ U - 1)_ab| and |det U - 1| over all
// links, and the link (s * 4 + mu) where the larger of the two is largest (the first such).
// read_nersc refuses a file where either exceeds nersc_su3_tolerance.
struct NerscSu3Deviation {
  double unitarity = 0;
  double determinant = 0;
  std::int64_t worst_link = -1;
};
NerscSu3Deviation nersc_su3_deviation(const HostGauge& gauge);
inline constexpr double nersc_su3_tolerance = 1e-5;

} // namespace tessera::lqcd
