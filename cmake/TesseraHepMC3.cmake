# SPDX-License-Identifier: Apache-2.0
# HepMC3 as the imported target HepMC3::HepMC3, whatever HepMC3Config.cmake was found:
# 3.2 and newer define the target themselves; 3.1 (Debian's libhepmc3-dev 3.1.2, bookworm to
# sid) only sets variables (HEPMC3_INCLUDE_DIR, HEPMC3_LIB, HEPMC3_LIBRARIES), so the target is
# made here from them. 3.1's config locates itself: its prefix is the folder three levels above
# the config file (<prefix>/share/HepMC3/cmake), so a package unpacked anywhere works with
# HepMC3_DIR=<prefix>/usr/share/HepMC3/cmake or CMAKE_PREFIX_PATH=<prefix>/usr. 3.1.2 installs no
# version file, so no version is asked for.
#
# Used by Tessera's build (TesseraDependencies.cmake) and by its installed package
# (TesseraConfig.cmake, for a static tessera_shower, which links HepMC3 privately).
# tessera_find_hepmc3(): sets HepMC3_FOUND; HepMC3::HepMC3 exists when it is true. The target made
# here is GLOBAL: Tessera inside another project (add_subdirectory) links it from the
# project's folders, and a second find_package(Tessera) finds it made.
macro(tessera_find_hepmc3)
  if(NOT TARGET HepMC3::HepMC3)
    find_package(HepMC3 CONFIG QUIET)
  endif()
  if(NOT TARGET HepMC3::HepMC3 AND HepMC3_FOUND)
    if(HEPMC3_LIB AND HEPMC3_INCLUDE_DIR)
      add_library(HepMC3::HepMC3 UNKNOWN IMPORTED GLOBAL)
      set_target_properties(HepMC3::HepMC3 PROPERTIES IMPORTED_LOCATION "${HEPMC3_LIB}"
                                                      INTERFACE_INCLUDE_DIRECTORIES "${HEPMC3_INCLUDE_DIR}")
    else()
      set(HepMC3_FOUND FALSE)
    endif()
  endif()
  if(TARGET HepMC3::HepMC3)
    set(HepMC3_FOUND TRUE)
  endif()
endmacro()
