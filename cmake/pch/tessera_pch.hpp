// SPDX-License-Identifier: Apache-2.0
// The headers that nearly every Tessera source includes and that dominate its compile time
// (Kokkos alone is ~3 s of g++ per file): precompiled once per build for the libraries,
// drivers and benchmarks (TESSERA_PRECOMPILE_HEADERS; cmake/TesseraTargets.cmake). Only
// third-party and standard headers: Tessera's own change too often to be worth it.
#pragma once

#include <Kokkos_Core.hpp>
#include <fmt/format.h>
#include <hdf5.h>
#include <mpi.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>
