# SPDX-License-Identifier: Apache-2.0
# Every dependency through find_package (or find_path for header-only ones without a CMake
# package). Nothing is downloaded or vendored.

find_package(Kokkos 4.6 REQUIRED)

# The backend the kernels run on must exist in the Kokkos we were given.
string(TOUPPER "${TESSERA_BACKEND}" _tessera_backend_upper)
if(NOT TESSERA_BACKEND STREQUAL "default")
  if(NOT TESSERA_BACKEND MATCHES "^(serial|openmp|cuda)$")
    message(FATAL_ERROR "TESSERA_BACKEND='${TESSERA_BACKEND}': expected default, serial, openmp or cuda")
  endif()
  kokkos_check(DEVICES ${_tessera_backend_upper} RETURN_VALUE _tessera_has_backend)
  if(NOT _tessera_has_backend)
    message(FATAL_ERROR
      "TESSERA_BACKEND=${TESSERA_BACKEND}, but the Kokkos found at ${Kokkos_DIR} "
      "was built without ${_tessera_backend_upper} (it has: ${Kokkos_DEVICES}). "
      "Point Kokkos_ROOT (or the KOKKOS_ROOT environment variable used by the presets) "
      "at a Kokkos built with it.")
  endif()
endif()
kokkos_check(DEVICES CUDA RETURN_VALUE TESSERA_KOKKOS_HAS_CUDA)
message(STATUS "Tessera: Kokkos ${Kokkos_VERSION} at ${Kokkos_DIR}, devices ${Kokkos_DEVICES}, "
               "backend ${TESSERA_BACKEND}")

find_package(KokkosKernels QUIET)
if(KokkosKernels_FOUND)
  message(STATUS "Tessera: Kokkos Kernels ${KokkosKernels_VERSION} found")
elseif(TESSERA_REQUIRE_KOKKOSKERNELS)
  message(FATAL_ERROR "Kokkos Kernels is required by this preset but was not found; "
                      "set KokkosKernels_ROOT (see README, 'Building on a GPU machine')")
else()
  message(STATUS "Tessera: Kokkos Kernels not found; the portable fallbacks are used")
endif()

find_package(MPI REQUIRED COMPONENTS CXX)
find_package(HDF5 REQUIRED COMPONENTS C)
if(HDF5_IS_PARALLEL)
  message(STATUS "Tessera: HDF5 ${HDF5_VERSION} (parallel): collective writes to one file")
else()
  message(STATUS "Tessera: HDF5 ${HDF5_VERSION} (serial): per-rank files joined by a virtual dataset")
endif()
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(tomlplusplus REQUIRED)

# The parton shower writes its events through HepMC3 (physics/shower, only its .cpp files).
include(TesseraHepMC3)
tessera_find_hepmc3()
if(NOT HepMC3_FOUND)
  message(FATAL_ERROR
    "HepMC3 was not found; the parton shower (tessera_shower) writes its events with it. Install "
    "it (Debian/Ubuntu: libhepmc3-dev; spack: hepmc3) or point HepMC3_DIR at the folder holding "
    "HepMC3Config.cmake (<prefix>/share/HepMC3/cmake).")
endif()
get_target_property(_tessera_hepmc3_location HepMC3::HepMC3 LOCATION)
message(STATUS "Tessera: HepMC3 at ${_tessera_hepmc3_location} (config ${HepMC3_DIR})")

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED
          DOC "Random123 headers (Debian: librandom123-dev)")
add_library(tessera_random123 INTERFACE)
set_target_properties(tessera_random123 PROPERTIES EXPORT_NAME random123)
target_include_directories(tessera_random123 SYSTEM INTERFACE "${RANDOM123_INCLUDE_DIR}")
if(TESSERA_INSTALL)
  install(TARGETS tessera_random123 EXPORT TesseraTargets)
endif()

if(TESSERA_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
