# SPDX-License-Identifier: Apache-2.0
# Helpers shared by every module: warnings, a module library, a driver, a test at 1 and 2
# MPI ranks.

# Warnings and code generation for our own targets only (no global flags).
#   -fno-math-errno: sqrt sets no errno, so host compilers can vectorise loops that call it
#                    (the N-body i-blocks); nothing in Tessera reads errno after maths.
#   -march=native:   host backends only, with TESSERA_NATIVE_ARCH (default ON): Tessera is
#                    built per machine, and the host kernels need its vector width (AVX2,
#                    AVX-512). Turn it off for binaries that must run on other CPUs.
function(tessera_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # nvcc_wrapper passes host-compiler flags through -Xcompiler.
    target_compile_options(${target} PRIVATE -Wall -Wextra -fno-math-errno)
    if(TESSERA_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(TESSERA_NATIVE_ARCH AND NOT TESSERA_KOKKOS_HAS_CUDA)
      target_compile_options(${target} PRIVATE -march=native)
    endif()
    if(TESSERA_SANITIZE)
      # Every finding is an error (no recovery), with frame pointers for readable stacks.
      # -g1: line tables and function names, all a sanitizer's stack (and the leak
      # suppressions) need; full debug information of Kokkos' templates cost a quarter more
      # compile time (nn's training.cpp: 33 s of g++ with -g, 25 s with -g1).
      # TESSERA_SANITIZE_OPTIMIZATION: -O1 keeps instrumented tests within their limits (the
      # HMC is already ~150x slower than plain); the fuzz preset's -O0 halves its compile time
      # (clang, core's driver.cpp: 32 s at -O1, 15 s at -O0), and its readers spend their time
      # in libhdf5 and parsing, not in Tessera's kernels.
      target_compile_options(${target} PRIVATE -fsanitize=${TESSERA_SANITIZE} -fno-sanitize-recover=all
                                               -fno-omit-frame-pointer ${TESSERA_SANITIZE_OPTIMIZATION} -g1)
      target_link_options(${target} PRIVATE -fsanitize=${TESSERA_SANITIZE})
    endif()
  endif()
endfunction()

# tessera_precompiled_headers(<target> [TEST]): the target reuses one of two precompiled
# headers (cmake/pch/): tessera_pch for libraries, drivers and benchmarks, tessera_pch_test
# (with GoogleTest) for the tests. Kokkos and the other third-party headers cost g++ ~3.5 s per
# file, most of a build on CI's 2 cores; parsed once per build instead. The headers are built
# with the flags every Tessera target gets here (tessera_set_warnings), which is what lets the
# compiler use them (-Winvalid-pch says when it cannot). Not with CUDA (nvcc has none), not for
# tessera_core (the headers' own targets link it), and not in the fuzz build: that build
# compiles every library source without them, so a source missing an include fails there.
function(tessera_precompiled_headers target)
  cmake_parse_arguments(ARG "TEST" "" "" ${ARGN})
  if(NOT TESSERA_PRECOMPILE_HEADERS OR TESSERA_KOKKOS_HAS_CUDA OR TESSERA_FUZZ)
    return()
  endif()
  set(pch tessera_pch)
  if(ARG_TEST)
    set(pch tessera_pch_test)
  endif()
  if(NOT TARGET ${pch})
    add_library(${pch} OBJECT "${PROJECT_SOURCE_DIR}/cmake/pch/empty.cpp")
    target_link_libraries(${pch} PRIVATE tessera_core)
    if(ARG_TEST)
      target_link_libraries(${pch} PRIVATE GTest::gtest)
    endif()
    tessera_set_warnings(${pch})
    target_precompile_headers(${pch} PRIVATE "${PROJECT_SOURCE_DIR}/cmake/pch/${pch}.hpp")
  endif()
  target_precompile_headers(${target} REUSE_FROM ${pch})
endfunction()

# tessera_add_module(<domain> SOURCES ...): the library tessera_<domain> (Tessera::<domain>),
# its headers in include/tessera/<domain>/ of the module's folder.
function(tessera_add_module domain)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  add_library(tessera_${domain} ${ARG_SOURCES})
  add_library(Tessera::${domain} ALIAS tessera_${domain})
  set_target_properties(tessera_${domain} PROPERTIES EXPORT_NAME ${domain})
  target_link_libraries(tessera_${domain} PUBLIC tessera_core)
  target_include_directories(tessera_${domain} PUBLIC "$<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>"
                                                      "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
  tessera_set_warnings(tessera_${domain})
  tessera_precompiled_headers(tessera_${domain})
  if(TESSERA_INSTALL)
    tessera_install_library(tessera_${domain} "${CMAKE_CURRENT_SOURCE_DIR}/include")
  endif()
endfunction()

# tessera_add_driver(<name> SOURCES ... LIBS ...): the executable tessera-<name>.
function(tessera_add_driver name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(tessera-${name} ${ARG_SOURCES})
  target_link_libraries(tessera-${name} PRIVATE ${ARG_LIBS})
  tessera_set_warnings(tessera-${name})
  tessera_precompiled_headers(tessera-${name})
  if(TESSERA_INSTALL)
    install(TARGETS tessera-${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endfunction()

# The environment every test runs in: quiet, reproducible MPI and OpenMP. Tests that start
# several ranks use TESSERA_TEST_ENVIRONMENT_MPI (one thread per rank on 2 cores).
execute_process(COMMAND ${MPIEXEC_EXECUTABLE} --version OUTPUT_VARIABLE _tessera_mpiexec_version
                ERROR_QUIET)
# Shared memory only (no network probing, no warnings about interfaces): OpenMPI 5 calls
# its shared-memory transport "sm", OpenMPI 4 "vader".
set(_tessera_btl "")
if(_tessera_mpiexec_version MATCHES "Open MPI\\) 5|OpenRTE\\) 5|prterun")
  set(_tessera_btl "OMPI_MCA_btl=self,sm")
elseif(_tessera_mpiexec_version MATCHES "Open MPI\\) 4|OpenRTE\\) 4")
  set(_tessera_btl "OMPI_MCA_btl=self,vader")
endif()
# OMP_WAIT_POLICY=passive: ctest -j 2 runs two tests of 2 threads each on the 2 cores of a CI
# host, and threads that spin at OpenMP barriers take the cores from the other test's (two
# instrumented lattice tests side by side: 37 s each spinning, 20 s passive). Tests that have
# the cores to themselves (PROCESSORS 2: SLOW) spin (TESSERA_TEST_ENVIRONMENT_ALONE).
set(TESSERA_TEST_ENVIRONMENT
    "OMP_PROC_BIND=false" "OMP_NUM_THREADS=2" "OMP_WAIT_POLICY=passive"
    "OMPI_ALLOW_RUN_AS_ROOT=1" "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1" ${_tessera_btl}
    "OMPI_MCA_rmaps_base_oversubscribe=1" "PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe")

# Sanitizer builds: leaks are errors except those of the MPI and HDF5 libraries' own start-up
# (tools/sanitizers/lsan.supp); stacks on every report. The slow unwinder on malloc is needed
# to see through libc (no frame pointers) to OpenMPI's frames, which the suppressions name.
if(TESSERA_SANITIZE)
  list(APPEND TESSERA_TEST_ENVIRONMENT
       "ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:strict_string_checks=1:detect_stack_use_after_return=1"
       "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tools/sanitizers/lsan.supp:print_suppressions=0"
       "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endif()

set(TESSERA_TEST_ENVIRONMENT_MPI ${TESSERA_TEST_ENVIRONMENT})
set(TESSERA_TEST_ENVIRONMENT_ALONE ${TESSERA_TEST_ENVIRONMENT})
list(TRANSFORM TESSERA_TEST_ENVIRONMENT_ALONE REPLACE "^OMP_WAIT_POLICY=.*" "OMP_WAIT_POLICY=active")

# Per-test time limit: instrumented code runs 2-4x slower (the integrator test: 60 s plain,
# 160 s under the sanitizers on 2 cores).
set(TESSERA_TEST_TIMEOUT 300)
if(TESSERA_SANITIZE)
  set(TESSERA_TEST_TIMEOUT 1200)
endif()
list(TRANSFORM TESSERA_TEST_ENVIRONMENT_MPI REPLACE "^OMP_NUM_THREADS=.*" "OMP_NUM_THREADS=1")

if(_tessera_mpiexec_version MATCHES "Open MPI|OpenRTE")
  set(TESSERA_MPIEXEC_EXTRA_FLAGS --oversubscribe)
endif()

# tessera_add_test(<name> SOURCES ... LIBS ... [RANKS 1 2] LABELS ... [SLOW] [SLOW_TESTS pattern])
# One GoogleTest executable; with RANKS, one ctest entry per rank count (name.np<N>),
# launched through mpiexec (all but the largest count labelled "fewer_ranks"); without, a
# single plain run. SLOW: a test whose time goes into
# problem size: it gets both cores to itself (its 2 threads would otherwise share them with
# another test's) and the label "slow", which the sanitizer suite leaves out (docs/building.md
# says why that loses no coverage). SLOW_TESTS: only the GoogleTest cases matching the
# pattern (gtest_filter syntax, e.g. "Sod.*:Hmc.Thermalises*") are slow: they run as the ctest
# entry <name>.slow, the others as <name>. SPLIT_TESTS: the cases matching the pattern run as
# their own entry <name>.split in both suites, so that neither entry nears a minute when
# instrumented on 2 cores (a test near its time limit fails on a busy machine).
function(tessera_add_test name)
  cmake_parse_arguments(ARG "SLOW" "SLOW_TESTS;SPLIT_TESTS" "SOURCES;LIBS;RANKS;LABELS" ${ARGN})
  set(_fast_labels ${ARG_LABELS})
  if(ARG_SLOW)
    list(APPEND ARG_LABELS slow)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} tessera_test_main)
  tessera_set_warnings(${name})
  tessera_precompiled_headers(${name} TEST)
  if(ARG_RANKS)
    # The entries below the largest rank count get the label "fewer_ranks", which the
    # sanitizer suite leaves out: every rank runs the same code, so the largest count covers
    # what the smaller ones run, and the openmp suite checks that the counts agree.
    list(SORT ARG_RANKS COMPARE NATURAL)
    list(GET ARG_RANKS -1 _most_ranks)
    foreach(np IN LISTS ARG_RANKS)
      add_test(NAME ${name}.np${np}
               COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${TESSERA_MPIEXEC_EXTRA_FLAGS}
                       ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
      # One OpenMP thread per rank when ranks share the 2 cores of a CI host.
      set(_env ${TESSERA_TEST_ENVIRONMENT})
      if(np GREATER 1)
        list(TRANSFORM _env REPLACE "^OMP_NUM_THREADS=.*" "OMP_NUM_THREADS=1")
      endif()
      set(_rank_labels ${ARG_LABELS} mpi)
      if(np LESS _most_ranks)
        list(APPEND _rank_labels fewer_ranks)
      endif()
      set_tests_properties(${name}.np${np} PROPERTIES LABELS "${_rank_labels}" PROCESSORS ${np}
                           ENVIRONMENT "${_env}" TIMEOUT ${TESSERA_TEST_TIMEOUT})
    endforeach()
  else()
    # gtest_filter: the patterns to run, or after a '-' those to leave out, ':'-separated.
    set(_elsewhere ${ARG_SPLIT_TESTS})
    if(ARG_SLOW_TESTS)
      list(APPEND _elsewhere ${ARG_SLOW_TESTS})
    endif()
    list(JOIN _elsewhere ":" _elsewhere)
    if(_elsewhere)
      add_test(NAME ${name} COMMAND ${name} --gtest_filter=-${_elsewhere})
    else()
      add_test(NAME ${name} COMMAND ${name})
    endif()
    # Entries that share the cores with another test, and those (slow) that have them alone.
    set(_shared ${name})
    set(_alone "")
    if(ARG_SPLIT_TESTS)
      add_test(NAME ${name}.split COMMAND ${name} --gtest_filter=${ARG_SPLIT_TESTS})
      # The split cases of a SLOW test are slow too.
      set_tests_properties(${name}.split PROPERTIES LABELS "${ARG_LABELS}")
      list(APPEND _shared ${name}.split)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
    if(ARG_SLOW_TESTS)
      add_test(NAME ${name}.slow COMMAND ${name} --gtest_filter=${ARG_SLOW_TESTS})
      set_tests_properties(${name} PROPERTIES LABELS "${_fast_labels}")
      set_tests_properties(${name}.slow PROPERTIES LABELS "${_fast_labels};slow")
      list(APPEND _alone ${name}.slow)
    elseif(ARG_SLOW)
      set(_alone ${_shared})
      set(_shared "")
    endif()
    if(_shared)
      set_tests_properties(${_shared} PROPERTIES ENVIRONMENT "${TESSERA_TEST_ENVIRONMENT}" TIMEOUT ${TESSERA_TEST_TIMEOUT})
    endif()
    if(_alone)
      set_tests_properties(${_alone} PROPERTIES PROCESSORS 2 ENVIRONMENT "${TESSERA_TEST_ENVIRONMENT_ALONE}"
                                                TIMEOUT ${TESSERA_TEST_TIMEOUT})
    endif()
  endif()
endfunction()
