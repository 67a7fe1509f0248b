// SPDX-License-Identifier: Apache-2.0
// NERSC gauge configurations (lqcd::read_nersc): any bytes as a file. Mutated data rarely
// keeps its checksum, so an input refused only for its checksum is read a second time with
// the CHECKSUM the reader computed, which lets the fuzzer reach the finite-number and
// plaquette checks behind it. A configuration that reads is written back in its own format
// and must read back bit for bit (so the writer is fuzzed too).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fuzz_common.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/lqcd/nersc.hpp"

namespace {

using namespace tessera;

// The input with the value of its CHECKSUM header line replaced by hex, in the same number
// of bytes where possible (so that the data stays where it was), or "" without such a line.
std::string with_checksum(const std::string& file, std::string hex)
{
  const auto end = file.find("\nEND_HEADER");
  const auto key = file.find("\nCHECKSUM");
  if (key == std::string::npos || end == std::string::npos || key > end) return "";
  const auto eq = file.find('=', key);
  const auto eol = file.find('\n', key + 1);
  if (eq == std::string::npos || eol == std::string::npos || eq > eol) return "";
  const std::size_t room = eol - eq - 1;
  hex.erase(0, std::min(hex.find_first_not_of('0'), hex.size() - 1));
  if (room > hex.size() + 1) hex.insert(0, room - hex.size() - 1, '0');
  return file.substr(0, eq + 1) + " " + hex + file.substr(eol);
}

void read_and_write_back(const std::filesystem::path& path)
{
  lqcd::NerscInfo info;
  const lqcd::HostGauge gauge = lqcd::read_nersc(path, &info); // may refuse the input
  // From here on every failure is a finding: a configuration that was read must survive
  // its own round trip.
  try {
    const auto copy = std::filesystem::path(path.string() + ".copy");
    lqcd::write_nersc(copy, gauge,
                      {.precision = info.precision, .storage = info.storage, .big_endian = info.big_endian});
    lqcd::NerscInfo again;
    const lqcd::HostGauge back = lqcd::read_nersc(copy, &again);
    if (back.extent != gauge.extent || back.links.size() != gauge.links.size() ||
        std::memcmp(back.links.data(), gauge.links.data(), gauge.links.size() * sizeof(gauge.links[0])) != 0 ||
        again.checksum != info.checksum)
      throw std::runtime_error("the configuration read back differs");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz_nersc: round trip failed: %s\n", e.what());
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)fuzz::world();
  const auto path = fuzz::write_input(data, size, ".nersc");
  std::string message;
  fuzz::expect_clean_refusal([&] {
    try {
      read_and_write_back(path);
    } catch (const Error& e) {
      message = e.what();
      throw;
    }
  });
  const auto at = message.find("checksum mismatch: header 0x");
  const auto computed = message.find(", data 0x");
  if (at != std::string::npos && computed != std::string::npos) {
    const std::string fixed =
        with_checksum(std::string(reinterpret_cast<const char*>(data), size), message.substr(computed + 9, 8));
    if (!fixed.empty()) {
      const auto second =
          fuzz::write_input(reinterpret_cast<const std::uint8_t*>(fixed.data()), fixed.size(), ".nersc");
      fuzz::expect_clean_refusal([&] { read_and_write_back(second); });
    }
  }
  return 0;
}
