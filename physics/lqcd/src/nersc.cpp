// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/nersc.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <limits>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::lqcd {

namespace {

namespace fs = std::filesystem;
using Complex = std::complex<double>;

constexpr std::int64_t max_sites = std::int64_t{1} << 31;
// Real headers are about 1 KB; a file without END_HEADER in its first 64 KiB is not one.
constexpr std::size_t max_header_bytes = 64 * 1024;
// Grid (paboyle/Grid, Grid/parallelIO/NerscIO.h, readConfiguration) asserts
// fabs(plaquette - header) < 1e-5 and fabs(link_trace - header) < 1e-6 and an exact
// checksum; its writer (and SIMULATeQCD's, src/base/IO/nersc.h) prints both with 10
// significant digits, which these absolute tolerances leave room for (as they do for a
// file written in IEEE32 from double links: 1e-7 relative).
constexpr double plaquette_tolerance = 1e-5;
constexpr double link_trace_tolerance = 1e-6;
// Links further from SU(3) than this (max |(U^+ U - 1)_ab| or |det U - 1|) are refused: IEEE32
// files of double links round each number by 6e-8 relative, which moves both by a few 1e-7
// at most, so 1e-5 accepts any honest single-precision file and refuses anything else (issue
// 24: all-zero links with a consistent header passed and the HMC ran on with dH = nan).
constexpr double su3_tolerance = nersc_su3_tolerance;
// Sites converted per block when reading and writing (576 KiB of IEEE64 3x3 data).
constexpr std::int64_t block_sites = 1024;

struct Format {
  NerscPrecision precision = NerscPrecision::ieee64;
  NerscStorage storage = NerscStorage::full_3x3;
  bool big_endian = true;

  int rows() const { return storage == NerscStorage::two_rows ? 2 : 3; }
  int real_bytes() const { return precision == NerscPrecision::ieee32 ? 4 : 8; }
  std::int64_t bytes_per_site() const { return std::int64_t{4} * rows() * 3 * 2 * real_bytes(); }
  bool swap() const { return big_endian != (std::endian::native == std::endian::big); }
  std::string floating_point() const
  {
    return fmt::format("IEEE{}{}", precision == NerscPrecision::ieee32 ? 32 : 64, big_endian ? "BIG" : "LITTLE");
  }
  std::string datatype() const { return storage == NerscStorage::two_rows ? "4D_SU3_GAUGE" : "4D_SU3_GAUGE_3x3"; }
};

// The NERSC checksum's contribution of one stored number, from its bits in host order: the
// number itself for IEEE32, its two 32-bit halves for IEEE64 (Grid's NerscChecksum sums the
// host-order buffer as uint32 words; the sum of the halves does not depend on which half
// comes first in memory, so this is the same on hosts of either byte order).
std::uint32_t words(std::uint32_t bits)
{
  return bits;
}
std::uint32_t words(std::uint64_t bits)
{
  return static_cast<std::uint32_t>(bits) + static_cast<std::uint32_t>(bits >> 32);
}
std::uint32_t byteswap(std::uint32_t v)
{
  return __builtin_bswap32(v);
}
std::uint64_t byteswap(std::uint64_t v)
{
  return __builtin_bswap64(v);
}

// Third row of an SU(3) matrix from the first two: conj(row0 x row1).
void reconstruct_third_row(Complex* u)
{
  u[6] = std::conj(u[1] * u[5] - u[2] * u[4]);
  u[7] = std::conj(u[2] * u[3] - u[0] * u[5]);
  u[8] = std::conj(u[0] * u[4] - u[1] * u[3]);
}

// A value from the file for a one-line message: printable ASCII, at most 40 characters.
std::string shown(std::string_view value)
{
  std::string out = "'";
  for (std::size_t i = 0; i < value.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (value.size() > 40) out += "...";
  return out + "'";
}

std::string_view trim(std::string_view s)
{
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

void check_gauge(const HostGauge& gauge, const std::string& where)
{
  std::int64_t volume = 1;
  for (int mu = 0; mu < 4; ++mu) {
    if (gauge.extent[mu] <= 0)
      throw InputError(fmt::format("{}: lattice extent {} = {} is not positive", where, mu + 1, gauge.extent[mu]));
    volume *= gauge.extent[mu];
    if (volume > max_sites) throw InputError(fmt::format("{}: lattice has more than 2^31 sites", where));
  }
  if (static_cast<std::int64_t>(gauge.links.size()) != volume * 36) {
    throw InputError(fmt::format("{}: gauge has {} complex numbers, a {}x{}x{}x{} lattice needs {}", where,
                                 gauge.links.size(), gauge.extent[0], gauge.extent[1], gauge.extent[2], gauge.extent[3],
                                 volume * 36));
  }
}

// ---------------------------------------------------------------------------------------
// Reading

class Reader {
public:
  explicit Reader(const fs::path& path) : path_(path), name_(path.string()) {}

  IoError error(const std::string& what) const { return IoError(fmt::format("{}: {}", name_, what)); }

  HostGauge read(NerscInfo* info);

private:
  void open();
  void parse_header(std::string_view text, bool whole_file);
  void interpret_header();
  // Reads and converts the data in the given byte order; returns the checksum of the data
  // read that way and, in swapped_checksum, the one of the other byte order.
  std::uint32_t read_data(HostGauge& gauge, bool big_endian, std::uint32_t& swapped_checksum,
                          std::int64_t& first_non_finite);
  template <class Bits, class Real>
  void decode(const unsigned char* raw, std::int64_t first_site, std::int64_t sites, bool swap, HostGauge& gauge,
              std::uint32_t& checksum, std::uint32_t& swapped, std::int64_t& first_non_finite) const;
  double number(const std::string& key) const;

  fs::path path_;
  std::string name_;
  std::ifstream in_;
  std::uintmax_t file_size_ = 0;
  std::map<std::string, std::string> header_;
  std::size_t data_offset_ = 0;
  Format format_;
  bool byte_order_known_ = true;
  std::array<int, 4> extent_{};
  std::int64_t volume_ = 0;
  std::uint32_t header_checksum_ = 0;
};

void Reader::open()
{
  std::error_code ec;
  const auto status = fs::status(path_, ec);
  if (status.type() == fs::file_type::not_found) throw error("no such file");
  if (ec) throw error(fmt::format("cannot read ({})", ec.message()));
  if (!fs::is_regular_file(status)) throw error("not a regular file");
  file_size_ = fs::file_size(path_, ec);
  if (ec) throw error(fmt::format("cannot read ({})", ec.message()));
  in_.open(path_, std::ios::binary);
  if (!in_) throw error(fmt::format("cannot open for reading ({})", std::strerror(errno)));
}

void Reader::parse_header(std::string_view text, bool whole_file)
{
  std::size_t pos = 0;
  int line_number = 0;
  bool terminated = false;
  const auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    const auto end = text.find('\n', pos);
    terminated = end != std::string_view::npos;
    line = text.substr(pos, terminated ? end - pos : std::string_view::npos);
    pos = terminated ? end + 1 : text.size();
    ++line_number;
    return true;
  };
  std::string_view line;
  if (!next_line(line) || trim(line) != "BEGIN_HEADER")
    throw error("not a NERSC configuration (the first line is not BEGIN_HEADER)");
  for (;;) {
    if (!next_line(line) || (!terminated && !whole_file)) {
      throw error(whole_file ? "header has no END_HEADER line"
                             : fmt::format("no END_HEADER line in the first {} bytes", max_header_bytes));
    }
    const auto content = trim(line);
    if (content == "END_HEADER") break;
    if (content.empty()) continue;
    for (const char c : content) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f)
        throw error(fmt::format("header line {} holds a control character (damaged, or no END_HEADER before the data)",
                                line_number));
    }
    const auto eq = content.find('=');
    if (eq == std::string_view::npos)
      throw error(fmt::format("header line {} {} is not KEY = VALUE", line_number, shown(content)));
    const auto key = trim(content.substr(0, eq));
    const auto value = trim(content.substr(eq + 1));
    const bool identifier = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!identifier) throw error(fmt::format("header line {}: key {} is not a name", line_number, shown(key)));
    if (!header_.emplace(std::string(key), std::string(value)).second)
      throw error(fmt::format("header key {} appears twice", key));
  }
  data_offset_ = pos;
}

double Reader::number(const std::string& key) const
{
  const std::string& text = header_.at(key);
  double value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    throw error(fmt::format("{} = {} is not a finite number", key, shown(text)));
  return value;
}

void Reader::interpret_header()
{
  const auto find = [&](const std::string& key) -> const std::string* {
    const auto it = header_.find(key);
    return it == header_.end() ? nullptr : &it->second;
  };
  const auto* datatype = find("DATATYPE");
  if (!datatype) throw error("header has no DATATYPE");
  if (*datatype == "4D_SU3_GAUGE_3x3") {
    format_.storage = NerscStorage::full_3x3;
  } else if (*datatype == "4D_SU3_GAUGE") {
    format_.storage = NerscStorage::two_rows;
  } else {
    throw error(fmt::format("DATATYPE = {} is not 4D_SU3_GAUGE_3x3 or 4D_SU3_GAUGE", shown(*datatype)));
  }

  // Without FLOATING_POINT: IEEE32BIG, the archive's original (and SIMULATeQCD's default).
  const auto* fp = find("FLOATING_POINT");
  const std::string floating_point = fp ? *fp : "IEEE32BIG";
  if (floating_point == "IEEE32BIG" || floating_point == "IEEE32LITTLE" || floating_point == "IEEE32") {
    format_.precision = NerscPrecision::ieee32;
  } else if (floating_point == "IEEE64BIG" || floating_point == "IEEE64LITTLE" || floating_point == "IEEE64") {
    format_.precision = NerscPrecision::ieee64;
  } else {
    throw error(fmt::format("FLOATING_POINT = {} is not IEEE32BIG, IEEE32LITTLE, IEEE64BIG or IEEE64LITTLE",
                            shown(floating_point)));
  }
  // Plain IEEE32/IEEE64 means big endian to SIMULATeQCD and little endian to Grid: the
  // checksum decides (read_data computes both).
  byte_order_known_ = floating_point != "IEEE32" && floating_point != "IEEE64";
  format_.big_endian = floating_point.find("LITTLE") == std::string::npos;

  volume_ = 1;
  for (int mu = 0; mu < 4; ++mu) {
    const std::string key = fmt::format("DIMENSION_{}", mu + 1);
    const auto* text = find(key);
    if (!text) throw error(fmt::format("header has no {}", key));
    std::int64_t extent = 0;
    const auto* end = text->data() + text->size();
    const auto [ptr, ec] = std::from_chars(text->data(), end, extent);
    if (ec != std::errc() || ptr != end || text->empty())
      throw error(fmt::format("{} = {} is not an integer", key, shown(*text)));
    if (extent <= 0) throw error(fmt::format("{} = {} is not a positive extent", key, extent));
    if (extent > max_sites || volume_ * extent > max_sites)
      throw error(fmt::format("{} = {}: the lattice would have more than 2^31 sites", key, extent));
    extent_[mu] = static_cast<int>(extent);
    volume_ *= extent;
  }

  const auto* checksum = find("CHECKSUM");
  if (!checksum) throw error("header has no CHECKSUM");
  std::string_view hex = *checksum;
  if (hex.size() > 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  if (hex.empty() || ec != std::errc() || ptr != hex.data() + hex.size() || value > 0xffffffffu)
    throw error(fmt::format("CHECKSUM = {} is not a 32-bit hexadecimal number", shown(*checksum)));
  header_checksum_ = static_cast<std::uint32_t>(value);
  if (find("PLAQUETTE")) (void)number("PLAQUETTE");
  if (find("LINK_TRACE")) (void)number("LINK_TRACE");

  // Before any allocation: the data must be exactly what the header promises.
  const auto expected =
      static_cast<std::uintmax_t>(data_offset_) + static_cast<std::uintmax_t>(volume_ * format_.bytes_per_site());
  if (file_size_ != expected) {
    throw error(fmt::format("file has {} bytes, the header promises {} ({} of header + {} sites x {} bytes of {} {})",
                            file_size_, expected, data_offset_, volume_, format_.bytes_per_site(), format_.datatype(),
                            floating_point));
  }
}

template <class Bits, class Real>
void Reader::decode(const unsigned char* raw, std::int64_t first_site, std::int64_t sites, bool swap, HostGauge& gauge,
                    std::uint32_t& checksum, std::uint32_t& swapped, std::int64_t& first_non_finite) const
{
  const int rows = format_.rows();
  for (std::int64_t s = first_site; s < first_site + sites; ++s) {
    for (int mu = 0; mu < 4; ++mu) {
      Complex* u = &gauge(s, mu, 0, 0);
      bool finite = true;
      for (int k = 0; k < rows * 3; ++k) {
        Real parts[2];
        for (Real& part : parts) {
          Bits bits;
          std::memcpy(&bits, raw, sizeof(Bits));
          raw += sizeof(Bits);
          if (swap) bits = byteswap(bits);
          checksum += words(bits);
          swapped += words(byteswap(bits));
          part = std::bit_cast<Real>(bits);
          finite = finite && std::isfinite(part);
        }
        u[k] = Complex(parts[0], parts[1]);
      }
      if (rows == 2) reconstruct_third_row(u);
      if (!finite && first_non_finite < 0) first_non_finite = s * 4 + mu;
    }
  }
}

std::uint32_t Reader::read_data(HostGauge& gauge, bool big_endian, std::uint32_t& swapped_checksum,
                                std::int64_t& first_non_finite)
{
  const bool swap = big_endian != (std::endian::native == std::endian::big);
  const std::int64_t bytes_per_site = format_.bytes_per_site();
  std::vector<unsigned char> block(static_cast<std::size_t>(std::min(volume_, block_sites) * bytes_per_site));
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(data_offset_));
  std::uint32_t checksum = 0;
  swapped_checksum = 0;
  first_non_finite = -1;
  for (std::int64_t first = 0; first < volume_; first += block_sites) {
    const std::int64_t sites = std::min(block_sites, volume_ - first);
    const auto bytes = static_cast<std::streamsize>(sites * bytes_per_site);
    in_.read(reinterpret_cast<char*>(block.data()), bytes);
    if (in_.gcount() != bytes)
      throw error(fmt::format("read failed at byte {}", data_offset_ + first * bytes_per_site + in_.gcount()));
    if (format_.precision == NerscPrecision::ieee32) {
      decode<std::uint32_t, float>(block.data(), first, sites, swap, gauge, checksum, swapped_checksum,
                                   first_non_finite);
    } else {
      decode<std::uint64_t, double>(block.data(), first, sites, swap, gauge, checksum, swapped_checksum,
                                    first_non_finite);
    }
  }
  return checksum;
}

HostGauge Reader::read(NerscInfo* info)
{
  open();
  std::string head(static_cast<std::size_t>(std::min<std::uintmax_t>(file_size_, max_header_bytes)), '\0');
  in_.read(head.data(), static_cast<std::streamsize>(head.size()));
  if (in_.gcount() != static_cast<std::streamsize>(head.size())) throw error("read failed in the header");
  parse_header(head, head.size() == file_size_);
  interpret_header();

  HostGauge gauge;
  gauge.extent = extent_;
  gauge.links.resize(static_cast<std::size_t>(volume_ * 36));
  std::uint32_t swapped = 0;
  std::int64_t first_non_finite = -1;
  std::uint32_t checksum = read_data(gauge, format_.big_endian, swapped, first_non_finite);
  if (!byte_order_known_ && checksum != header_checksum_ && swapped == header_checksum_) {
    format_.big_endian = !format_.big_endian;
    checksum = read_data(gauge, format_.big_endian, swapped, first_non_finite);
  }
  if (checksum != header_checksum_)
    throw error(fmt::format("checksum mismatch: header 0x{:08x}, data 0x{:08x}", header_checksum_, checksum));
  if (first_non_finite >= 0) {
    const std::int64_t s = first_non_finite / 4;
    const auto& L = extent_;
    throw error(fmt::format("link U_{}(x={}, y={}, z={}, t={}) holds a number that is not finite", first_non_finite % 4,
                            s % L[0], s / L[0] % L[1], s / L[0] / L[1] % L[2], s / L[0] / L[1] / L[2]));
  }

  const double plaquette = nersc_plaquette(gauge);
  const double link_trace = nersc_link_trace(gauge);
  if (!std::isfinite(plaquette) || !std::isfinite(link_trace))
    throw error("the links' plaquette or trace is not finite (not a gauge field)");
  if (header_.count("PLAQUETTE")) {
    const double expected = number("PLAQUETTE");
    if (!(std::fabs(plaquette - expected) < plaquette_tolerance))
      throw error(fmt::format("plaquette mismatch: header {}, data {} (tolerance {:g})", expected, plaquette,
                              plaquette_tolerance));
  }
  if (header_.count("LINK_TRACE")) {
    const double expected = number("LINK_TRACE");
    if (!(std::fabs(link_trace - expected) < link_trace_tolerance))
      throw error(fmt::format("link trace mismatch: header {}, data {} (tolerance {:g})", expected, link_trace,
                              link_trace_tolerance));
  }
  // Last: the file is intact (checksum, header values) but must also hold a gauge field.
  if (const auto su3 = nersc_su3_deviation(gauge);
      !(su3.unitarity <= su3_tolerance && su3.determinant <= su3_tolerance)) {
    const std::int64_t s = su3.worst_link / 4;
    const auto& L = extent_;
    throw error(fmt::format("the links are not SU(3): max |U^+ U - 1| = {:.3g}, max |det U - 1| = {:.3g} (tolerance "
                            "{:g}), worst at U_{}(x={}, y={}, z={}, t={})",
                            su3.unitarity, su3.determinant, su3_tolerance, su3.worst_link % 4, s % L[0],
                            s / L[0] % L[1], s / L[0] / L[1] % L[2], s / L[0] / L[1] / L[2]));
  }

  if (info) {
    info->header = header_;
    info->plaquette = plaquette;
    info->link_trace = link_trace;
    info->checksum = checksum;
    info->precision = format_.precision;
    info->storage = format_.storage;
    info->big_endian = format_.big_endian;
  }
  return gauge;
}

// ---------------------------------------------------------------------------------------
// Writing

// The stored bits of one number in host order (float rounding for IEEE32).
template <class Bits>
Bits stored_bits(double x)
{
  if constexpr (sizeof(Bits) == 4) {
    return std::bit_cast<std::uint32_t>(static_cast<float>(x));
  } else {
    return std::bit_cast<std::uint64_t>(x);
  }
}

template <class Bits>
std::uint32_t data_checksum(const HostGauge& gauge, const Format& format)
{
  std::uint32_t sum = 0;
  const std::int64_t volume = gauge.volume();
  for (std::int64_t s = 0; s < volume; ++s)
    for (int mu = 0; mu < 4; ++mu)
      for (int k = 0; k < format.rows() * 3; ++k) {
        const Complex z = gauge(s, mu, k / 3, k % 3);
        sum += words(stored_bits<Bits>(z.real())) + words(stored_bits<Bits>(z.imag()));
      }
  return sum;
}

template <class Bits>
void encode(const HostGauge& gauge, const Format& format, std::int64_t first_site, std::int64_t sites,
            unsigned char* out)
{
  for (std::int64_t s = first_site; s < first_site + sites; ++s)
    for (int mu = 0; mu < 4; ++mu)
      for (int k = 0; k < format.rows() * 3; ++k) {
        const Complex z = gauge(s, mu, k / 3, k % 3);
        for (const double part : {z.real(), z.imag()}) {
          Bits bits = stored_bits<Bits>(part);
          if (format.swap()) bits = byteswap(bits);
          std::memcpy(out, &bits, sizeof(Bits));
          out += sizeof(Bits);
        }
      }
}

// A file descriptor that closes itself; write_all and finish report errno.
class OutputFile {
public:
  explicit OutputFile(const fs::path& path) : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644))
  {
  }
  ~OutputFile()
  {
    if (fd_ >= 0) ::close(fd_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  bool is_open() const { return fd_ >= 0; }
  bool write_all(const void* data, std::size_t size)
  {
    const auto* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }
  // fsync, then close: the data is on disk before the rename makes it visible.
  bool finish()
  {
    const bool synced = ::fsync(fd_) == 0;
    const bool closed = ::close(fd_) == 0;
    fd_ = -1;
    return synced && closed;
  }

private:
  int fd_;
};

std::string creation_date()
{
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  const std::size_t n = std::strftime(text, sizeof(text), "%a %b %d %H:%M:%S %Y UTC", &utc);
  return std::string(text, n);
}

} // namespace

// ---------------------------------------------------------------------------------------

double nersc_plaquette(const HostGauge& gauge)
{
  check_gauge(gauge, "nersc_plaquette");
  const auto& L = gauge.extent;
  const std::int64_t stride[4] = {1, L[0], std::int64_t{L[0]} * L[1], std::int64_t{L[0]} * L[1] * L[2]};
  const Complex* links = gauge.links.data();
  const auto link = [&](std::int64_t s, int mu) { return links + (s * 4 + mu) * 9; };
  long double total = 0;
  int c[4] = {0, 0, 0, 0};
  const std::int64_t volume = gauge.volume();
  for (std::int64_t s = 0; s < volume; ++s) {
    std::int64_t up[4];
    for (int mu = 0; mu < 4; ++mu)
      up[mu] = c[mu] + 1 == L[mu] ? s - (L[mu] - 1) * stride[mu] : s + stride[mu];
    long double site = 0;
    for (int mu = 0; mu < 4; ++mu)
      for (int nu = mu + 1; nu < 4; ++nu) {
        // Re tr[U_mu(x) U_nu(x+mu) (U_nu(x) U_mu(x+nu))^+] = Re sum_ab X_ab conj(Y_ab).
        const Complex* a = link(s, mu);
        const Complex* b = link(up[mu], nu);
        const Complex* d = link(s, nu);
        const Complex* e = link(up[nu], mu);
        double re = 0;
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) {
            Complex x = 0, y = 0;
            for (int k = 0; k < 3; ++k) {
              x += a[i * 3 + k] * b[k * 3 + j];
              y += d[i * 3 + k] * e[k * 3 + j];
            }
            re += x.real() * y.real() + x.imag() * y.imag();
          }
        site += re;
      }
    total += site;
    for (int mu = 0; mu < 4 && ++c[mu] == L[mu]; ++mu)
      c[mu] = 0;
  }
  return static_cast<double>(total / (18.0L * static_cast<long double>(volume)));
}

double nersc_link_trace(const HostGauge& gauge)
{
  check_gauge(gauge, "nersc_link_trace");
  long double total = 0;
  const std::int64_t links = gauge.volume() * 4;
  for (std::int64_t l = 0; l < links; ++l) {
    const Complex* u = gauge.links.data() + l * 9;
    total += static_cast<long double>(u[0].real()) + u[4].real() + u[8].real();
  }
  return static_cast<double>(total / (3.0L * static_cast<long double>(links)));
}

NerscSu3Deviation nersc_su3_deviation(const HostGauge& gauge)
{
  check_gauge(gauge, "nersc_su3_deviation");
  NerscSu3Deviation result;
  double worst = -1;
  const std::int64_t links = gauge.volume() * 4;
  for (std::int64_t l = 0; l < links; ++l) {
    const Complex* u = gauge.links.data() + l * 9;
    double unitarity = 0;
    for (int a = 0; a < 3; ++a)
      for (int b = 0; b < 3; ++b) {
        Complex sum = a == b ? Complex(-1, 0) : Complex(0, 0); // (U^+ U - 1)_ab
        for (int k = 0; k < 3; ++k)
          sum += std::conj(u[k * 3 + a]) * u[k * 3 + b];
        unitarity = std::max(unitarity, std::abs(sum));
      }
    const Complex det =
        u[0] * (u[4] * u[8] - u[5] * u[7]) - u[1] * (u[3] * u[8] - u[5] * u[6]) + u[2] * (u[3] * u[7] - u[4] * u[6]);
    const double determinant = std::abs(det - Complex(1, 0));
    result.unitarity = std::max(result.unitarity, unitarity);
    result.determinant = std::max(result.determinant, determinant);
    if (std::max(unitarity, determinant) > worst) {
      worst = std::max(unitarity, determinant);
      result.worst_link = l;
    }
  }
  return result;
}

HostGauge read_nersc(const std::filesystem::path& path, NerscInfo* info)
{
  return Reader(path).read(info);
}

void write_nersc(const std::filesystem::path& path, const HostGauge& gauge, const NerscWriteOptions& options)
{
  const std::string name = path.string();
  check_gauge(gauge, name);
  if (options.ensemble_id.find_first_of("\r\n") != std::string::npos)
    throw InputError(fmt::format("{}: ENSEMBLE_ID must be one line", name));
  const Format format{options.precision, options.storage, options.big_endian};
  // Every number finite; the stored ones (not the third row of two-row storage, which the
  // reader rebuilds in double precision) within the range of the file's precision.
  const double limit = format.precision == NerscPrecision::ieee32 ? std::numeric_limits<float>::max()
                                                                  : std::numeric_limits<double>::max();
  for (std::size_t i = 0; i < gauge.links.size(); ++i) {
    const Complex z = gauge.links[i];
    const bool stored = static_cast<int>(i % 9) < format.rows() * 3;
    const double bound = stored ? limit : std::numeric_limits<double>::max();
    if (!(std::fabs(z.real()) <= bound && std::fabs(z.imag()) <= bound)) {
      throw InputError(fmt::format("{}: number {} of site {} is not finite or does not fit {}", name, i % 36, i / 36,
                                   format.floating_point()));
    }
  }
  const double plaquette = nersc_plaquette(gauge);
  const double link_trace = nersc_link_trace(gauge);
  if (!std::isfinite(plaquette) || !std::isfinite(link_trace))
    throw InputError(fmt::format("{}: the links' plaquette or trace is not finite (not a gauge field)", name));
  const std::uint32_t checksum = format.precision == NerscPrecision::ieee32
                                     ? data_checksum<std::uint32_t>(gauge, format)
                                     : data_checksum<std::uint64_t>(gauge, format);

  std::string header = "BEGIN_HEADER\n";
  const auto line = [&](std::string_view key, const std::string& value) {
    header += fmt::format("{} = {}\n", key, value);
  };
  line("HDR_VERSION", "1.0");
  line("DATATYPE", format.datatype());
  line("STORAGE_FORMAT", "1.0");
  for (int mu = 0; mu < 4; ++mu)
    line(fmt::format("DIMENSION_{}", mu + 1), std::to_string(gauge.extent[mu]));
  // The shortest decimal that reads back as the same double (Grid and SIMULATeQCD print 10
  // digits; more are harmless to every reader, and our own reader then recomputes exactly
  // the header's value however large it is: fields that are not SU(3) included).
  line("LINK_TRACE", fmt::format("{}", link_trace));
  line("PLAQUETTE", fmt::format("{}", plaquette));
  for (int mu = 0; mu < 4; ++mu)
    line(fmt::format("BOUNDARY_{}", mu + 1), "PERIODIC");
  line("CHECKSUM", fmt::format("{:x}", checksum));
  line("ENSEMBLE_ID", options.ensemble_id);
  line("SEQUENCE_NUMBER", std::to_string(options.sequence_number));
  if (options.beta > 0) line("BETA", fmt::format("{}", options.beta));
  line("FLOATING_POINT", format.floating_point());
  line("CREATOR", fmt::format("Tessera {}", build_commit()));
  line("CREATION_DATE", creation_date());
  header += "END_HEADER\n";

  const fs::path tmp = name + ".tmp";
  const auto fail = [&](const std::string& what) {
    const int saved = errno;
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return IoError(fmt::format("{}: cannot write ({}: {})", name, what, std::strerror(saved)));
  };
  {
    OutputFile out(tmp);
    if (!out.is_open()) throw fail(fmt::format("creating {}", tmp.string()));
    if (!out.write_all(header.data(), header.size())) throw fail("header");
    const std::int64_t volume = gauge.volume();
    std::vector<unsigned char> block(static_cast<std::size_t>(std::min(volume, block_sites) * format.bytes_per_site()));
    for (std::int64_t first = 0; first < volume; first += block_sites) {
      const std::int64_t sites = std::min(block_sites, volume - first);
      if (format.precision == NerscPrecision::ieee32) {
        encode<std::uint32_t>(gauge, format, first, sites, block.data());
      } else {
        encode<std::uint64_t>(gauge, format, first, sites, block.data());
      }
      if (!out.write_all(block.data(), static_cast<std::size_t>(sites * format.bytes_per_site()))) throw fail("data");
    }
    if (!out.finish()) throw fail("closing");
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError(fmt::format("{}: cannot write (renaming {}: {})", name, tmp.string(), ec.message()));
  }
}

} // namespace tessera::lqcd
