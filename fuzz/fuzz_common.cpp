// SPDX-License-Identifier: Apache-2.0
#include "fuzz_common.hpp"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::fuzz {
namespace {

// Started on first use and kept for the whole process (libFuzzer never returns to main).
Runtime& runtime()
{
  static int argc = 1;
  static char name[] = "tessera-fuzz";
  static char* args[] = {name, nullptr};
  static char** argv = args;
  static Runtime instance(argc, argv);
  return instance;
}

} // namespace

const Comm& world()
{
  return runtime().world();
}

std::filesystem::path write_input(const std::uint8_t* data, std::size_t size, const char* suffix)
{
  const auto path = std::filesystem::temp_directory_path() / ("tessera-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) std::abort(); // the fuzzing machine itself is broken: stop loudly
  return path;
}

void expect_clean_refusal(const std::function<void()>& f)
{
  try {
    f();
  } catch (const Error&) {
    // The documented refusal of bad input.
  }
}

} // namespace tessera::fuzz
