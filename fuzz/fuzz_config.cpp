// SPDX-License-Identifier: Apache-2.0
// Input-file parser: any bytes as a TOML input deck for tessera-nbody (the richest schema),
// then validation into Params. Refusal must be a tessera::Error.
#include <string>

#include "fuzz_common.hpp"
#include "tessera/core/config.hpp"
#include "tessera/nbody/params.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace tessera;
  (void)fuzz::world();
  static const ConfigSchema schema = nbody::schema();
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_clean_refusal([&] {
    const Config config = Config::parse(schema, text, "fuzz.toml");
    (void)nbody::params_from(config);
  });
  return 0;
}
