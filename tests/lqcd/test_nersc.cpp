// SPDX-License-Identifier: Apache-2.0
// NERSC gauge configurations: write/read round trips in every format, the checksum against
// the file's own words and hand-computed cold fields, the plaquette against a textbook
// implementation and an analytic field, a pinned file from an independent writer, and the
// refusal of damaged files, of links that are not SU(3) and of unwritable places.
#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tessera/core/errors.hpp"
#include "tessera/lqcd/nersc.hpp"

namespace tessera::lqcd {
namespace {

namespace fs = std::filesystem;
using Complex = std::complex<double>;
using Matrix = std::array<Complex, 9>;

// A random SU(3) matrix: Gram-Schmidt of two rows of complex normals, the third row
// conj(row0 x row1), so that U U^+ = 1 and det U = 1 to rounding.
Matrix random_su3(std::mt19937_64& rng)
{
  std::normal_distribution<double> normal;
  Matrix u;
  for (int k = 0; k < 6; ++k)
    u[k] = Complex(normal(rng), normal(rng));
  const auto normalise = [&](int row) {
    double n = 0;
    for (int b = 0; b < 3; ++b)
      n += std::norm(u[row * 3 + b]);
    for (int b = 0; b < 3; ++b)
      u[row * 3 + b] /= std::sqrt(n);
  };
  normalise(0);
  Complex overlap = 0;
  for (int b = 0; b < 3; ++b)
    overlap += std::conj(u[b]) * u[3 + b];
  for (int b = 0; b < 3; ++b)
    u[3 + b] -= overlap * u[b];
  normalise(1);
  u[6] = std::conj(u[1] * u[5] - u[2] * u[4]);
  u[7] = std::conj(u[2] * u[3] - u[0] * u[5]);
  u[8] = std::conj(u[0] * u[4] - u[1] * u[3]);
  return u;
}

HostGauge cold_gauge(std::array<int, 4> extent)
{
  HostGauge g;
  g.extent = extent;
  g.links.assign(static_cast<std::size_t>(g.volume() * 36), Complex(0, 0));
  for (std::int64_t s = 0; s < g.volume(); ++s)
    for (int mu = 0; mu < 4; ++mu)
      for (int a = 0; a < 3; ++a)
        g(s, mu, a, a) = 1;
  return g;
}

HostGauge random_gauge(std::array<int, 4> extent, std::uint64_t seed)
{
  HostGauge g = cold_gauge(extent);
  std::mt19937_64 rng(seed);
  for (std::int64_t s = 0; s < g.volume(); ++s)
    for (int mu = 0; mu < 4; ++mu) {
      const Matrix u = random_su3(rng);
      for (int k = 0; k < 9; ++k)
        g(s, mu, k / 3, k % 3) = u[k];
    }
  return g;
}

bool same_bits(const HostGauge& a, const HostGauge& b)
{
  return a.extent == b.extent && a.links.size() == b.links.size() &&
         std::memcmp(a.links.data(), b.links.data(), a.links.size() * sizeof(Complex)) == 0;
}

std::string slurp(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void spill(const fs::path& path, const std::string& bytes)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::size_t data_offset(const std::string& file)
{
  return file.find("END_HEADER\n") + 11;
}

// The header value of key in the file's bytes.
std::string header_value(const std::string& file, const std::string& key)
{
  const auto at = file.find("\n" + key + " = ");
  if (at == std::string::npos) return "";
  const auto start = at + key.size() + 4;
  return file.substr(start, file.find('\n', start) - start);
}

// The file with key's value replaced (or the whole line removed if value is null).
std::string with_header_value(const std::string& file, const std::string& key, const char* value)
{
  const auto at = file.find("\n" + key + " = ");
  EXPECT_NE(at, std::string::npos) << key;
  const auto end = file.find('\n', at + 1);
  if (!value) return file.substr(0, at) + file.substr(end);
  return file.substr(0, at) + "\n" + key + " = " + value + file.substr(end);
}

// Independent of the reader: the 32-bit words of the data read in the file's byte order
// and summed. (For IEEE64 the two words of a number are its two halves in either order.)
std::uint32_t sum_of_file_words(const std::string& file, bool big_endian)
{
  std::uint32_t sum = 0;
  for (std::size_t i = data_offset(file); i + 4 <= file.size(); i += 4) {
    std::uint32_t w = 0;
    for (int k = 0; k < 4; ++k) {
      const auto byte = static_cast<unsigned char>(file[i + static_cast<std::size_t>(big_endian ? k : 3 - k)]);
      w = (w << 8) | byte;
    }
    sum += w;
  }
  return sum;
}

// Textbook plaquette, independent of nersc_plaquette: explicit coordinates, 3x3 products
// and adjoints, U_mu(x) U_nu(x+mu) U_mu(x+nu)^+ U_nu(x)^+.
double textbook_plaquette(const HostGauge& g)
{
  const auto& L = g.extent;
  const auto index = [&](std::array<int, 4> c) {
    return c[0] + std::int64_t{L[0]} * (c[1] + std::int64_t{L[1]} * (c[2] + std::int64_t{L[2]} * c[3]));
  };
  const auto link = [&](std::array<int, 4> c, int mu) {
    Matrix m;
    for (int k = 0; k < 9; ++k)
      m[k] = g(index(c), mu, k / 3, k % 3);
    return m;
  };
  const auto mul = [](const Matrix& a, const Matrix& b) {
    Matrix c{};
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 3; ++k)
          c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
    return c;
  };
  const auto adj = [](const Matrix& a) {
    Matrix c;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        c[i * 3 + j] = std::conj(a[j * 3 + i]);
    return c;
  };
  double sum = 0;
  std::array<int, 4> c{};
  for (c[3] = 0; c[3] < L[3]; ++c[3])
    for (c[2] = 0; c[2] < L[2]; ++c[2])
      for (c[1] = 0; c[1] < L[1]; ++c[1])
        for (c[0] = 0; c[0] < L[0]; ++c[0])
          for (int mu = 0; mu < 4; ++mu)
            for (int nu = mu + 1; nu < 4; ++nu) {
              auto cmu = c, cnu = c;
              cmu[mu] = (cmu[mu] + 1) % L[mu];
              cnu[nu] = (cnu[nu] + 1) % L[nu];
              const Matrix p = mul(mul(mul(link(c, mu), link(cmu, nu)), adj(link(cnu, mu))), adj(link(c, nu)));
              sum += (p[0] + p[4] + p[8]).real();
            }
  return sum / (18.0 * static_cast<double>(g.volume()));
}

// The read must fail with an IoError whose one-line message names the file and says what.
void expect_refusal(const fs::path& path, const std::string& what)
{
  try {
    (void)read_nersc(path);
    ADD_FAILURE() << path << ": read, expected an IoError mentioning '" << what << "'";
  } catch (const IoError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(what), std::string::npos) << message;
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

class Nersc : public ::testing::Test {
protected:
  void SetUp() override
  {
    dir_ = fs::temp_directory_path() / fmt::format("tessera-nersc-{}-{}", ::getpid(),
                                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override
  {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

TEST_F(Nersc, Ieee64RoundTripIsBitForBitInBothByteOrders)
{
  const HostGauge g = random_gauge({4, 2, 2, 4}, 11);
  for (const bool big : {true, false}) {
    const auto path = dir_ / (big ? "big.nersc" : "little.nersc");
    write_nersc(path, g, {.precision = NerscPrecision::ieee64, .big_endian = big});
    NerscInfo info;
    const HostGauge r = read_nersc(path, &info);
    EXPECT_TRUE(same_bits(g, r)) << path;
    EXPECT_EQ(info.precision, NerscPrecision::ieee64);
    EXPECT_EQ(info.storage, NerscStorage::full_3x3);
    EXPECT_EQ(info.big_endian, big);
    EXPECT_EQ(info.header.at("DATATYPE"), "4D_SU3_GAUGE_3x3");
    EXPECT_EQ(info.header.at("FLOATING_POINT"), big ? "IEEE64BIG" : "IEEE64LITTLE");
    EXPECT_EQ(info.plaquette, nersc_plaquette(g));
    EXPECT_EQ(info.link_trace, nersc_link_trace(g));
    EXPECT_NEAR(std::stod(info.header.at("PLAQUETTE")), info.plaquette, 1e-10);
    EXPECT_NEAR(std::stod(info.header.at("LINK_TRACE")), info.link_trace, 1e-10);
    EXPECT_EQ(fs::file_size(path), data_offset(slurp(path)) + 64 * 4 * 18 * 8);
  }
}

TEST_F(Nersc, FieldsThatAreNotSu3AreRefused)
{
  // Issue 24: all-zero links with a consistent header (checksum 0, plaquette 0, link trace 0,
  // as the writer computes them) passed every check, and the HMC then ran with dH = nan. Only
  // the SU(3) check can catch them: the message says so and where.
  const auto zero_path = dir_ / "zero.nersc";
  HostGauge zero = cold_gauge({2, 2, 2, 2});
  std::fill(zero.links.begin(), zero.links.end(), Complex(0, 0));
  write_nersc(zero_path, zero);
  EXPECT_EQ(header_value(slurp(zero_path), "CHECKSUM"), "0");
  EXPECT_EQ(header_value(slurp(zero_path), "PLAQUETTE"), "0");
  try {
    (void)read_nersc(zero_path);
    ADD_FAILURE() << "all-zero links were read";
  } catch (const IoError& e) {
    EXPECT_EQ(std::string(e.what()), zero_path.string() +
                                         ": the links are not SU(3): max |U^+ U - 1| = 1, max |det U "
                                         "- 1| = 1 (tolerance 1e-05), worst at U_0(x=0, y=0, z=0, t=0)");
  }

  // Unitary but det = exp(0.9 i) on one link, U_2 at site 5 (x=1, y=0, z=1, t=0): a U(3)
  // matrix, caught by the determinant alone: |exp(0.9 i) - 1| = 2 sin(0.45).
  const auto path = dir_ / "not-su3.nersc";
  HostGauge g = random_gauge({2, 2, 2, 2}, 22);
  EXPECT_LT(nersc_su3_deviation(g).unitarity, 1e-14);
  EXPECT_LT(nersc_su3_deviation(g).determinant, 1e-14);
  for (int k = 0; k < 9; ++k)
    g(5, 2, k / 3, k % 3) *= std::polar(1.0, 0.3);
  const auto phase = nersc_su3_deviation(g);
  EXPECT_LT(phase.unitarity, 1e-14);
  EXPECT_NEAR(phase.determinant, 2 * std::sin(0.45), 1e-14);
  EXPECT_EQ(phase.worst_link, 5 * 4 + 2);
  write_nersc(path, g);
  expect_refusal(path, "the links are not SU(3): max |U^+ U - 1| = ");
  expect_refusal(path, fmt::format(", max |det U - 1| = {:.3g} (tolerance 1e-05), worst at U_2(x=1, y=0, z=1, t=0)",
                                   2 * std::sin(0.45)));

  // One number off by 1e-4 is refused, by 1e-6 (single-precision rounding is 6e-8) is not.
  g = random_gauge({2, 2, 2, 2}, 23);
  g(9, 3, 1, 2) += 1e-4;
  write_nersc(path, g);
  expect_refusal(path, "worst at U_3(x=1, y=0, z=0, t=1)");
  g(9, 3, 1, 2) -= 1e-4 - 1e-6;
  write_nersc(path, g);
  EXPECT_TRUE(same_bits(read_nersc(path), g));

  // Links of size 1e10 (plaquette ~1e40): the header's plaquette matches exactly (it is the
  // shortest decimal of the double), the links do not pass.
  g = random_gauge({1, 1, 1, 2}, 22);
  for (auto& z : g.links)
    z *= 1.2345678901e10;
  write_nersc(path, g);
  expect_refusal(path, "the links are not SU(3): max |U^+ U - 1| = 1.52e+20");

  // Two stored rows of size 1e20 fit IEEE32, the rebuilt third row (1e40) does not and need
  // not (found by fuzz_nersc: the writer checked all three rows against FLT_MAX).
  g = random_gauge({1, 1, 1, 2}, 23);
  for (std::int64_t s = 0; s < g.volume(); ++s)
    for (int mu = 0; mu < 4; ++mu) {
      for (int k = 0; k < 6; ++k) {
        const Complex z = g(s, mu, k / 3, k % 3) * 1e20;
        g(s, mu, k / 3, k % 3) = Complex(static_cast<float>(z.real()), static_cast<float>(z.imag()));
      }
      for (int b = 0; b < 3; ++b)
        g(s, mu, 2, b) = std::conj(g(s, mu, 0, (b + 1) % 3) * g(s, mu, 1, (b + 2) % 3) -
                                   g(s, mu, 0, (b + 2) % 3) * g(s, mu, 1, (b + 1) % 3));
    }
  EXPECT_GT(std::abs(g(0, 0, 2, 0)), 1e38);
  EXPECT_NO_THROW(write_nersc(path, g, {.precision = NerscPrecision::ieee32, .storage = NerscStorage::two_rows}));
  expect_refusal(path, "the links are not SU(3)");
}

TEST_F(Nersc, Ieee32RoundTripRoundsToFloat)
{
  const HostGauge g = random_gauge({2, 2, 2, 2}, 12);
  for (const auto storage : {NerscStorage::full_3x3, NerscStorage::two_rows})
    for (const bool big : {true, false}) {
      const auto path = dir_ / "single.nersc";
      write_nersc(path, g, {.precision = NerscPrecision::ieee32, .storage = storage, .big_endian = big});
      NerscInfo info;
      const HostGauge r = read_nersc(path, &info);
      EXPECT_EQ(info.precision, NerscPrecision::ieee32);
      EXPECT_EQ(info.storage, storage);
      for (std::size_t i = 0; i < g.links.size(); ++i) {
        const bool stored = storage == NerscStorage::full_3x3 || i % 9 < 6;
        const Complex rounded(static_cast<float>(g.links[i].real()), static_cast<float>(g.links[i].imag()));
        if (stored) {
          ASSERT_EQ(r.links[i], rounded) << i; // exactly the float
        } else {
          ASSERT_LT(std::abs(r.links[i] - g.links[i]), 1e-6) << i; // rebuilt from float rows
        }
      }
    }
}

TEST_F(Nersc, TwoRowStorageRebuildsTheThirdRow)
{
  const HostGauge g = random_gauge({2, 2, 2, 2}, 13);
  const auto path = dir_ / "two-rows.nersc";
  write_nersc(path, g, {.storage = NerscStorage::two_rows});
  NerscInfo info;
  const HostGauge r = read_nersc(path, &info);
  EXPECT_EQ(info.header.at("DATATYPE"), "4D_SU3_GAUGE");
  EXPECT_EQ(fs::file_size(path), data_offset(slurp(path)) + 16 * 4 * 12 * 8);
  double worst = 0;
  for (std::size_t i = 0; i < g.links.size(); ++i) {
    if (i % 9 < 6) {
      ASSERT_EQ(std::memcmp(&r.links[i], &g.links[i], sizeof(Complex)), 0) << i;
    } else {
      worst = std::max(worst, std::abs(r.links[i] - g.links[i]));
    }
  }
  EXPECT_LT(worst, 1e-14);
}

TEST_F(Nersc, ColdFieldHasUnitPlaquetteAndLinkTrace)
{
  const HostGauge g = cold_gauge({2, 2, 2, 2});
  EXPECT_EQ(nersc_plaquette(g), 1.0);
  EXPECT_EQ(nersc_link_trace(g), 1.0);
  write_nersc(dir_ / "cold.nersc", g);
  const std::string file = slurp(dir_ / "cold.nersc");
  EXPECT_EQ(header_value(file, "PLAQUETTE"), "1");
  EXPECT_EQ(header_value(file, "LINK_TRACE"), "1");
  NerscInfo info;
  EXPECT_TRUE(same_bits(read_nersc(dir_ / "cold.nersc", &info), g));
  EXPECT_EQ(info.plaquette, 1.0);
}

TEST_F(Nersc, PlaquetteMatchesTextbookAndAnalyticFields)
{
  // A random field on an asymmetric lattice against the textbook implementation.
  const HostGauge g = random_gauge({2, 3, 1, 4}, 14);
  EXPECT_NEAR(nersc_plaquette(g), textbook_plaquette(g), 1e-14);
  // An abelian field with one unit of flux per xy plaquette: U_x(x, y, z, t) =
  // diag(e^{i theta y}, e^{-i theta y}, 1), theta = 2 pi / Ly, all other links 1. Each xy
  // plaquette is diag(e^{-i theta}, e^{i theta}, 1) (also across the periodic boundary,
  // since Ly theta = 2 pi), so <Re tr U_P / 3> = (5 + (1 + 2 cos theta) / 3) / 6; the x
  // links' traces 1 + 2 cos(theta y) average to 1 over y, so the link trace is (3 + 3 + 3 + 1)/12.
  const std::array<int, 4> extent{2, 4, 2, 2};
  HostGauge flux = cold_gauge(extent);
  const double theta = 2 * M_PI / extent[1];
  for (std::int64_t s = 0; s < flux.volume(); ++s) {
    const int y = static_cast<int>(s / extent[0] % extent[1]);
    flux(s, 0, 0, 0) = std::polar(1.0, theta * y);
    flux(s, 0, 1, 1) = std::polar(1.0, -theta * y);
  }
  EXPECT_NEAR(nersc_plaquette(flux), (5 + (1 + 2 * std::cos(theta)) / 3) / 6, 1e-15);
  EXPECT_NEAR(nersc_plaquette(flux), 8.0 / 9.0, 1e-15);
  EXPECT_NEAR(nersc_link_trace(flux), 10.0 / 12.0, 1e-15);
  EXPECT_NEAR(textbook_plaquette(flux), 8.0 / 9.0, 1e-15);
}

TEST_F(Nersc, ChecksumOfColdFieldsByHand)
{
  // One site, four unit links: the only non-zero words are those of the diagonal 1.0s
  // (imaginary parts and off-diagonals are +0.0, all-zero words). 1.0f = 0x3f800000;
  // 1.0 = 0x3ff00000'00000000 contributes 0x3ff00000 + 0. Three rows store 12 ones, two rows 8:
  //   12 * 0x3f800000 = 0x2fa000000 -> 0xfa000000    12 * 0x3ff00000 = 0x2ff400000 -> 0xff400000
  //    8 * 0x3f800000 = 0x1fc000000 -> 0xfc000000     8 * 0x3ff00000 = 0x1ff800000 -> 0xff800000
  struct Case {
    NerscPrecision precision;
    NerscStorage storage;
    std::uint32_t checksum;
    const char* text;
  };
  const Case cases[] = {{NerscPrecision::ieee32, NerscStorage::full_3x3, 0xfa000000u, "fa000000"},
                        {NerscPrecision::ieee64, NerscStorage::full_3x3, 0xff400000u, "ff400000"},
                        {NerscPrecision::ieee32, NerscStorage::two_rows, 0xfc000000u, "fc000000"},
                        {NerscPrecision::ieee64, NerscStorage::two_rows, 0xff800000u, "ff800000"}};
  const HostGauge g = cold_gauge({1, 1, 1, 1});
  for (const auto& c : cases)
    for (const bool big : {true, false}) {
      const auto path = dir_ / "cold.nersc";
      write_nersc(path, g, {.precision = c.precision, .storage = c.storage, .big_endian = big});
      NerscInfo info;
      (void)read_nersc(path, &info);
      EXPECT_EQ(info.checksum, c.checksum) << c.text;
      EXPECT_EQ(header_value(slurp(path), "CHECKSUM"), c.text);
    }
}

TEST_F(Nersc, ChecksumIsTheSumOfTheFilesWords)
{
  const HostGauge g = random_gauge({2, 1, 3, 2}, 15);
  for (const auto precision : {NerscPrecision::ieee32, NerscPrecision::ieee64})
    for (const auto storage : {NerscStorage::full_3x3, NerscStorage::two_rows})
      for (const bool big : {true, false}) {
        const auto path = dir_ / "random.nersc";
        write_nersc(path, g, {.precision = precision, .storage = storage, .big_endian = big});
        const std::string file = slurp(path);
        const std::uint32_t expected = sum_of_file_words(file, big);
        NerscInfo info;
        (void)read_nersc(path, &info);
        EXPECT_EQ(info.checksum, expected);
        EXPECT_EQ(header_value(file, "CHECKSUM"), fmt::format("{:x}", expected)); // lower case, no 0x
      }
}

TEST_F(Nersc, ReadsAPinnedFileOfAnIndependentWriter)
{
  // Written by a pure-Python NERSC writer (random SU(3) links rounded to float, two rows,
  // big endian; its own checksum, plaquette and link trace), 1x1x1x2 sites.
  const std::string header = R"(BEGIN_HEADER
HDR_VERSION = 1.0
DATATYPE = 4D_SU3_GAUGE
STORAGE_FORMAT = 1.0
DIMENSION_1 = 1
DIMENSION_2 = 1
DIMENSION_3 = 1
DIMENSION_4 = 2
LINK_TRACE = 0.02835872252
PLAQUETTE = -0.01214124149
BOUNDARY_1 = PERIODIC
BOUNDARY_2 = PERIODIC
BOUNDARY_3 = PERIODIC
BOUNDARY_4 = PERIODIC
CHECKSUM = eb257d9b
ENSEMBLE_ID = python-reference
SEQUENCE_NUMBER = 1
FLOATING_POINT = IEEE32BIG
CREATOR = make_nersc.py
END_HEADER
)";
  const char* words = "be5e6a4e 3ede45b2 be4486c3 be88ee68 bf4a18c1 be3967cd 3f09e56f 3edb06c9 3f337d7a bbea7790 "
                      "bd1f449b be3bf8a7 bf0774db 3e8b11cd 3e24aee2 3e2238e9 bf09837b bf0dc8b0 bf098728 bd325c40 "
                      "3f1ac709 bee0b666 3e896d86 3e902b5a 3e08481f 3e2e016a be91ef41 3f3d8eb8 3e75b945 3f041bec "
                      "bf02b0ee bf1dcb89 be790fe7 be0a8de7 3f01b7e9 3e229f13 be71c425 bf014986 be8cac2e 3f24f505 "
                      "beda523b 3e0446b2 3ed50175 bdf3502d 3f24b072 bc2411c5 bf16afb6 be6a5ab0 bd602c59 bed7c386 "
                      "3e8350b4 bd038a18 bf41574b 3eda8ef6 3d40d517 3ed14418 3f688e84 3b5670a5 3d97420f bbaf7d5c "
                      "3ea228b7 bea13034 be6e8f10 bf26a011 befef345 be8bf10b 3f0319b1 bf0558c9 be5951b3 3d8c9e8b "
                      "3f24faee 3d163d73 bf07c9d1 bf33fa3a 3dcc5833 be527b4c bea00fc4 3e8bb470 3e6cf2d8 be965a36 "
                      "3e387192 3ddf100f 3f39790e 3f0a19a2 3e5b50ed 3e679dc4 bf25cb3e 3f077f9a 3ec9efed 3e5ff4e7 "
                      "bf2867c9 be8dabf2 3e51d05d 3db3883b 3ef60893 3eeab087";
  std::string file = header;
  std::istringstream hex(words);
  std::vector<float> numbers;
  for (std::uint32_t w; hex >> std::hex >> w;) {
    for (int shift = 24; shift >= 0; shift -= 8)
      file += static_cast<char>((w >> shift) & 0xff);
    float f;
    std::memcpy(&f, &w, 4);
    numbers.push_back(f);
  }
  ASSERT_EQ(numbers.size(), 2u * 4 * 12);
  spill(dir_ / "python.nersc", file);
  NerscInfo info;
  const HostGauge g = read_nersc(dir_ / "python.nersc", &info);
  EXPECT_EQ(info.checksum, 0xeb257d9bu);
  EXPECT_NEAR(info.plaquette, -0.01214124149, 1e-10);
  EXPECT_NEAR(info.link_trace, 0.02835872252, 1e-10);
  EXPECT_EQ(info.header.at("CREATOR"), "make_nersc.py");
  EXPECT_EQ(g(1, 3, 1, 2), Complex(numbers[94], numbers[95])); // site t = 1, mu = t, row 1, column 2
  EXPECT_NEAR(std::abs(g(0, 0, 2, 2) - std::conj(g(0, 0, 0, 0) * g(0, 0, 1, 1) - g(0, 0, 0, 1) * g(0, 0, 1, 0))), 0,
              1e-15);
}

TEST_F(Nersc, DamagedDataIsRefused)
{
  const auto path = dir_ / "damaged.nersc";
  write_nersc(path, random_gauge({2, 2, 2, 2}, 16));
  const std::string good = slurp(path);

  std::string flipped = good;
  flipped[data_offset(good) + 1000] ^= 0x10;
  spill(path, flipped);
  expect_refusal(path, "checksum mismatch: header 0x");

  spill(path, good.substr(0, good.size() - 1));
  expect_refusal(path, "the header promises");
  spill(path, good + "x");
  expect_refusal(path, "the header promises");

  // A NaN with a checksum that matches it.
  std::string nan = good;
  const double not_a_number = std::nan("");
  std::uint64_t bits;
  std::memcpy(&bits, &not_a_number, 8);
  for (int k = 0; k < 8; ++k) // big endian
    nan[data_offset(good) + 8 * 40 + static_cast<std::size_t>(k)] = static_cast<char>(bits >> (56 - 8 * k));
  nan = with_header_value(nan, "CHECKSUM", fmt::format("{:x}", sum_of_file_words(nan, true)).c_str());
  spill(path, nan);
  expect_refusal(path, "not finite");
}

TEST_F(Nersc, HeaderPlaquetteAndLinkTraceAreChecked)
{
  const auto path = dir_ / "header.nersc";
  const HostGauge g = random_gauge({2, 2, 2, 2}, 17);
  write_nersc(path, g);
  const std::string good = slurp(path);
  const double plaquette = std::stod(header_value(good, "PLAQUETTE"));
  // The checksum covers the data only: it still matches after these edits.
  spill(path, with_header_value(good, "PLAQUETTE", fmt::format("{:.10g}", plaquette + 2e-5).c_str()));
  expect_refusal(path, "plaquette mismatch");
  spill(path, with_header_value(good, "PLAQUETTE", fmt::format("{:.10g}", plaquette + 5e-6).c_str()));
  EXPECT_NO_THROW((void)read_nersc(path)); // within Grid's 1e-5
  const double trace = std::stod(header_value(good, "LINK_TRACE"));
  spill(path, with_header_value(good, "LINK_TRACE", fmt::format("{:.10g}", trace + 2e-6).c_str()));
  expect_refusal(path, "link trace mismatch");
  // Both are optional.
  spill(path, with_header_value(with_header_value(good, "PLAQUETTE", nullptr), "LINK_TRACE", nullptr));
  NerscInfo info;
  EXPECT_TRUE(same_bits(read_nersc(path, &info), g));
  EXPECT_EQ(info.header.count("PLAQUETTE"), 0u);
}

TEST_F(Nersc, BadHeadersAreRefused)
{
  const auto path = dir_ / "header.nersc";
  write_nersc(path, random_gauge({2, 2, 2, 2}, 18));
  const std::string good = slurp(path);
  struct Case {
    const char* key;
    const char* value; // nullptr: line removed
    const char* what;
  };
  const Case cases[] = {
      {"DIMENSION_1", "two", "DIMENSION_1 = 'two' is not an integer"},
      {"DIMENSION_2", "2.0", "is not an integer"},
      {"DIMENSION_2", "", "is not an integer"},
      {"DIMENSION_3", "0", "not a positive extent"},
      {"DIMENSION_4", "-2", "not a positive extent"},
      {"DIMENSION_1", "4294967296", "more than 2^31 sites"},
      {"DIMENSION_4", "99999999999999999999999", "not an integer"},
      {"DIMENSION_4", nullptr, "no DIMENSION_4"},
      {"DATATYPE", "4D_SU2_GAUGE", "DATATYPE = '4D_SU2_GAUGE'"},
      {"DATATYPE", nullptr, "no DATATYPE"},
      {"FLOATING_POINT", "IEEE16BIG", "FLOATING_POINT = 'IEEE16BIG'"},
      {"CHECKSUM", "nothex", "CHECKSUM = 'nothex'"},
      {"CHECKSUM", "1ffffffff", "not a 32-bit"},
      {"CHECKSUM", nullptr, "no CHECKSUM"},
      {"PLAQUETTE", "nan", "PLAQUETTE = 'nan' is not a finite number"},
      {"LINK_TRACE", "0.5x", "LINK_TRACE = '0.5x'"},
  };
  for (const auto& c : cases) {
    spill(path, with_header_value(good, c.key, c.value));
    expect_refusal(path, c.what);
  }
  // 65536^2 x 2 x 2 sites: over 2^31, refused before any allocation.
  spill(path, with_header_value(with_header_value(good, "DIMENSION_1", "65536"), "DIMENSION_2", "65536"));
  expect_refusal(path, "more than 2^31 sites");
  // Odd and unit extents are fine; a size that does not match the header is not.
  spill(path, with_header_value(good, "DIMENSION_1", "3"));
  expect_refusal(path, "the header promises");

  const auto end = good.find("END_HEADER\n");
  spill(path, good.substr(0, end) + good.substr(end + 11));
  expect_refusal(path, "END_HEADER");
  spill(path, "hello, world\n" + good.substr(good.find('\n') + 1));
  expect_refusal(path, "not a NERSC configuration");
  spill(path, "");
  expect_refusal(path, "not a NERSC configuration");
  spill(path, "BEGIN_HEADER\nDATATYPE 4D_SU3_GAUGE\nEND_HEADER\n");
  expect_refusal(path, "is not KEY = VALUE");
  spill(path, "BEGIN_HEADER\nDATA TYPE = 4D_SU3_GAUGE\nEND_HEADER\n");
  expect_refusal(path, "is not a name");
  spill(path, "BEGIN_HEADER\nA = 1\nA = 2\nEND_HEADER\n");
  expect_refusal(path, "appears twice");
  spill(path, std::string("BEGIN_HEADER\nA = \x01\nEND_HEADER\n"));
  expect_refusal(path, "control character");
  spill(path, "BEGIN_HEADER\n" + std::string(70000, 'A'));
  expect_refusal(path, "no END_HEADER line in the first 65536 bytes");
  expect_refusal(dir_ / "missing.nersc", "no such file");
  expect_refusal(dir_, "not a regular file");
}

TEST_F(Nersc, HeaderSyntaxIsLenientWhereTheFormatIs)
{
  const auto path = dir_ / "spaces.nersc";
  const HostGauge g = random_gauge({1, 2, 1, 3}, 19);
  write_nersc(path, g, {.precision = NerscPrecision::ieee32, .big_endian = true});
  std::string file = slurp(path);
  // Arbitrary spaces, CRLF line ends, blank lines, unknown keys, a 0x checksum prefix.
  file = with_header_value(file, "DIMENSION_1", "1");
  const auto at = file.find("DIMENSION_1 = 1\n");
  file.replace(at, 16, "  DIMENSION_1\t=   1  \r\n\nMY_KEY = hello world\n");
  file = with_header_value(file, "CHECKSUM", ("0X" + header_value(file, "CHECKSUM")).c_str());
  spill(path, file);
  NerscInfo info;
  const HostGauge r = read_nersc(path, &info);
  EXPECT_EQ(r.extent, g.extent);
  EXPECT_EQ(info.header.at("DIMENSION_1"), "1");
  EXPECT_EQ(info.header.at("MY_KEY"), "hello world");
}

TEST_F(Nersc, ByteOrderOfPlainIeeeNamesComesFromTheChecksum)
{
  const HostGauge g = random_gauge({2, 2, 1, 2}, 20);
  const auto path = dir_ / "plain.nersc";
  for (const auto precision : {NerscPrecision::ieee32, NerscPrecision::ieee64})
    for (const bool big : {true, false}) {
      write_nersc(path, g, {.precision = precision, .big_endian = big});
      const std::string plain = precision == NerscPrecision::ieee32 ? "IEEE32" : "IEEE64";
      spill(path, with_header_value(slurp(path), "FLOATING_POINT", plain.c_str()));
      NerscInfo info;
      const HostGauge r = read_nersc(path, &info);
      EXPECT_EQ(info.big_endian, big) << plain;
      if (precision == NerscPrecision::ieee64) {
        EXPECT_TRUE(same_bits(r, g));
      }
    }
  // No FLOATING_POINT at all: the archive's IEEE32BIG.
  write_nersc(path, g, {.precision = NerscPrecision::ieee32, .big_endian = true});
  spill(path, with_header_value(slurp(path), "FLOATING_POINT", nullptr));
  NerscInfo info;
  (void)read_nersc(path, &info);
  EXPECT_EQ(info.precision, NerscPrecision::ieee32);
  EXPECT_TRUE(info.big_endian);
}

TEST_F(Nersc, WriterHeaderKeys)
{
  const auto path = dir_ / "keys.nersc";
  write_nersc(path, cold_gauge({1, 1, 1, 2}),
              {.precision = NerscPrecision::ieee32, .ensemble_id = "quenched b6.0", .sequence_number = 42, .beta = 6});
  NerscInfo info;
  (void)read_nersc(path, &info);
  const std::map<std::string, std::string> expected = {{"HDR_VERSION", "1.0"},
                                                       {"DATATYPE", "4D_SU3_GAUGE_3x3"},
                                                       {"STORAGE_FORMAT", "1.0"},
                                                       {"DIMENSION_1", "1"},
                                                       {"DIMENSION_4", "2"},
                                                       {"BOUNDARY_1", "PERIODIC"},
                                                       {"BOUNDARY_4", "PERIODIC"},
                                                       {"ENSEMBLE_ID", "quenched b6.0"},
                                                       {"SEQUENCE_NUMBER", "42"},
                                                       {"BETA", "6"},
                                                       {"FLOATING_POINT", "IEEE32BIG"},
                                                       {"CHECKSUM", "f4000000"}}; // 2 x 0xfa000000
  for (const auto& [key, value] : expected)
    EXPECT_EQ(info.header[key], value) << key;
  for (const char* key : {"LINK_TRACE", "PLAQUETTE", "CREATOR", "CREATION_DATE"})
    EXPECT_EQ(info.header.count(key), 1u) << key;
  const std::string file = slurp(path);
  EXPECT_EQ(file.rfind("BEGIN_HEADER\nHDR_VERSION = 1.0\nDATATYPE = ", 0), 0u);
  write_nersc(path, cold_gauge({1, 1, 1, 2}));
  EXPECT_EQ(slurp(path).find("BETA"), std::string::npos); // only when beta > 0
}

TEST_F(Nersc, WriterIsAtomicAndReportsFailures)
{
  const HostGauge g = random_gauge({2, 2, 2, 2}, 21);
  const auto path = dir_ / "config.nersc";
  write_nersc(path, g);
  write_nersc(path, g, {.precision = NerscPrecision::ieee32}); // replaces the first
  const std::string good = slurp(path);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename(), "config.nersc");
    ++entries;
  }
  EXPECT_EQ(entries, 1); // no config.nersc.tmp left behind
  NerscInfo info;
  (void)read_nersc(path, &info);
  EXPECT_EQ(info.precision, NerscPrecision::ieee32);

  const auto expect_io_error = [&](const fs::path& target) {
    try {
      write_nersc(target, g);
      ADD_FAILURE() << target << ": written, expected an IoError";
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(target.string() + ".tmp")) << target;
  };
  expect_io_error(dir_ / "no-such-directory" / "config.nersc");
  expect_io_error(path / "config.nersc"); // the parent is a file
  fs::create_directory(dir_ / "a-directory");
  expect_io_error(dir_ / "a-directory"); // the rename fails: the name is a directory
  if (::geteuid() != 0) {                // root writes into read-only directories anyway
    fs::create_directory(dir_ / "read-only");
    fs::permissions(dir_ / "read-only", fs::perms::owner_read | fs::perms::owner_exec);
    expect_io_error(dir_ / "read-only" / "config.nersc");
  }
  EXPECT_EQ(slurp(path), good); // the earlier file is untouched
}

TEST_F(Nersc, WriterRefusesInconsistentGauges)
{
  HostGauge g = cold_gauge({2, 2, 2, 2});
  g.links.pop_back();
  EXPECT_THROW(write_nersc(dir_ / "short.nersc", g), InputError);
  g = cold_gauge({2, 2, 2, 2});
  g(3, 1, 2, 0) = Complex(std::nan(""), 0);
  EXPECT_THROW(write_nersc(dir_ / "nan.nersc", g), InputError);
  g = cold_gauge({2, 2, 2, 2});
  g(3, 1, 2, 0) = Complex(1e300, 0);
  EXPECT_THROW(write_nersc(dir_ / "huge.nersc", g, {.precision = NerscPrecision::ieee32}), InputError);
  g.extent[2] = 0;
  EXPECT_THROW(write_nersc(dir_ / "empty.nersc", g), InputError);
  EXPECT_THROW(write_nersc(dir_ / "id.nersc", cold_gauge({1, 1, 1, 1}), {.ensemble_id = "two\nlines"}), InputError);
  EXPECT_TRUE(fs::is_empty(dir_));
}

} // namespace
} // namespace tessera::lqcd
