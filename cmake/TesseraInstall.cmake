# SPDX-License-Identifier: Apache-2.0
# Tessera as a CMake package: `cmake --install <build> --prefix P`, then in a user's project
# find_package(Tessera COMPONENTS core nbody) with Tessera_ROOT=P (or CMAKE_PREFIX_PATH).
# A build folder works too (its own TesseraConfig.cmake, Tessera_DIR=<build>), as does
# add_subdirectory / FetchContent (the targets Tessera::core, Tessera::<domain> exist then).
#
# Installed: the libraries (one export set, TesseraTargets), the public headers
# (tessera/core/*.hpp, tessera/<domain>/*.hpp, tessera/version.hpp), the drivers, the package
# files under lib/cmake/Tessera, the licence and the changelog.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TESSERA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/Tessera" CACHE STRING
    "Where the package files go, relative to the install prefix")

# tessera_install_library(<target> <include folder>): the library into the export set and its
# public headers (only *.hpp: nothing private lives under include/).
function(tessera_install_library target include_dir)
  install(TARGETS ${target} EXPORT TesseraTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(DIRECTORY "${include_dir}/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
endfunction()

# Called once, after every library target exists (top-level CMakeLists.txt).
function(tessera_install_package)
  install(FILES "${PROJECT_BINARY_DIR}/include/tessera/version.hpp" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tessera)
  install(EXPORT TesseraTargets NAMESPACE Tessera:: DESTINATION ${TESSERA_INSTALL_CMAKEDIR})
  configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/TesseraConfig.cmake.in"
                                "${PROJECT_BINARY_DIR}/TesseraConfig.cmake"
                                INSTALL_DESTINATION ${TESSERA_INSTALL_CMAKEDIR})
  # 0.x: a new minor version may change the API (CHANGELOG.md), so only the same minor matches.
  write_basic_package_version_file("${PROJECT_BINARY_DIR}/TesseraConfigVersion.cmake"
                                   COMPATIBILITY SameMinorVersion)
  install(FILES "${PROJECT_BINARY_DIR}/TesseraConfig.cmake" "${PROJECT_BINARY_DIR}/TesseraConfigVersion.cmake"
                "${PROJECT_SOURCE_DIR}/cmake/TesseraHepMC3.cmake" DESTINATION ${TESSERA_INSTALL_CMAKEDIR})
  install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" "${PROJECT_SOURCE_DIR}/CHANGELOG.md"
          DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tessera)
  # The build tree as a package of its own (Tessera_DIR=<build folder>).
  export(EXPORT TesseraTargets NAMESPACE Tessera:: FILE "${PROJECT_BINARY_DIR}/TesseraTargets.cmake")
  configure_file("${PROJECT_SOURCE_DIR}/cmake/TesseraHepMC3.cmake" "${PROJECT_BINARY_DIR}/TesseraHepMC3.cmake" COPYONLY)
endfunction()
