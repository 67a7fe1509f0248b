// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every fuzz target shares: MPI and Kokkos started once per process, the input written
// to a private temporary file (for readers that take a path), and the rule that a reader may
// only fail with a tessera::Error (one-line message, non-zero exit in a driver); anything
// else (another exception, a crash, a sanitizer report, a hang) is a finding.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "tessera/core/comm.hpp"

namespace tessera::fuzz {

// The world communicator of the process (MPI_COMM_WORLD of a single rank).
const Comm& world();

// Writes data to a per-process temporary file with the given suffix and returns its path.
std::filesystem::path write_input(const std::uint8_t* data, std::size_t size, const char* suffix);

// Runs f; tessera::Error is the expected way to refuse bad input and is swallowed.
void expect_clean_refusal(const std::function<void()>& f);

} // namespace tessera::fuzz
