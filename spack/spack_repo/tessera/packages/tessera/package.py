# SPDX-License-Identifier: Apache-2.0
# Spack recipe for Tessera (Package API v2.0: spack >= 1.0 with the spack-packages builtin
# repository). Written against spack-packages v2026.06.0; not concretised here (see
# docs/building.md, "Clusters: spack").
from spack_repo.builtin.build_systems.cmake import CMakePackage
from spack_repo.builtin.build_systems.cuda import CudaPackage

from spack.package import *


class Tessera(CMakePackage, CudaPackage):
    """Performance-portable C++20 framework on Kokkos for the compute-heavy kernels of
    high-energy physics, nuclear physics and astrophysics (N-body, parton shower, neural
    networks, lattice QCD, adaptive mesh refinement), on MPI and HDF5."""

    # Placeholders: Tessera has no public URL yet. Fill in both before use.
    homepage = "https://example.invalid/tessera"
    git = "https://example.invalid/tessera.git"

    # maintainers(): none yet.

    license("Apache-2.0")

    version("main", branch="main")

    variant(
        "backend",
        default="openmp",
        values=("serial", "openmp", "cuda"),
        multi=False,
        description="Execution space of every kernel (TESSERA_BACKEND)",
    )
    variant(
        "kokkos-kernels",
        default=True,
        description="Use Kokkos Kernels (cuBLAS with +cuda) instead of the portable fallbacks",
    )
    variant("tests", default=False, description="Build the GoogleTest suite")
    variant(
        "native",
        default=False,
        description="Host backends: -march=native (the binaries then run on this CPU only)",
    )

    depends_on("cxx", type="build")
    depends_on("cmake@3.22:", type="build")

    # cmake/TesseraDependencies.cmake: Kokkos >= 4.6, built with the backend's device.
    # Tessera is C++20 and Kokkos' C++ standard propagates to its users.
    depends_on("kokkos@4.6: cxxstd=20")
    depends_on("kokkos+serial", when="backend=serial")
    depends_on("kokkos+openmp", when="backend=openmp")

    # CUDA: Kokkos takes one GPU architecture (its cuda_arch is single-valued), compiled
    # with nvcc_wrapper; Tessera is then compiled with the same wrapper (cmake_args).
    # spack's kokkos conflicts with ^cuda@13: for @:4.7.0, so CUDA 13 gets 4.7.01 or newer.
    for _arch in CudaPackage.cuda_arch_values:
        depends_on(f"kokkos+cuda+wrapper cuda_arch={_arch}", when=f"+cuda cuda_arch={_arch}")
    conflicts("+cuda", when="cuda_arch=none", msg="+cuda needs cuda_arch=<sm>, e.g. 90")
    # KOKKOS_LAMBDA on the device: spack's kokkos@4 passes Kokkos_ENABLE_CUDA_LAMBDA=OFF
    # unless +cuda_lambda, which Kokkos 4 overrides or rejects; Kokkos 5 has no switch.
    requires("^kokkos+cuda_lambda", when="+cuda ^kokkos@:4")

    # The backend and the CUDA build go together: +cuda compiles everything with nvcc_wrapper
    # and TESSERA_BACKEND=cuda needs a Kokkos with CUDA.
    requires("+cuda", when="backend=cuda", msg="backend=cuda needs +cuda cuda_arch=<sm>")
    requires("backend=cuda", when="+cuda", msg="+cuda builds the kernels for the GPU")
    conflicts("+native", when="+cuda", msg="-march=native applies to host backends only")

    depends_on("kokkos-kernels", when="+kokkos-kernels")
    # core/gemm.hpp calls KokkosBlas::gemm, which reaches cuBLAS only with this TPL.
    depends_on("kokkos-kernels+cublas", when="+kokkos-kernels+cuda")

    # MPI is not optional: the comm layer, every driver and the 2-rank tests use it.
    depends_on("mpi")
    # Tessera works with serial HDF5 (per-rank files joined by a virtual dataset) and with
    # parallel HDF5 (collective writes to one file). On a cluster we want the latter, and
    # +mpi makes HDF5 use the same MPI as Tessera; it is also spack's hdf5 default.
    depends_on("hdf5@1.10: +mpi")

    depends_on("fmt")
    # With nvcc, core/CMakeLists.txt turns fmt's consteval format checks off by defining
    # FMT_CONSTEVAL empty. fmt 9 and 10 honour that (#ifndef FMT_CONSTEVAL); fmt 11's
    # base.h defines it unconditionally, so the switch would be lost.
    depends_on("fmt@:10", when="+cuda")
    depends_on("cli11")
    depends_on("nlohmann-json")
    depends_on("tomlplusplus")
    # Header-only, found with find_path; its include directory is part of the exported
    # Tessera targets, hence a link (not build-only) dependency.
    depends_on("random123")
    # The parton shower writes its events through HepMC3 (only physics/shower/src/hepmc.cpp
    # includes it). A link dependency: the static tessera_shower passes it on to whatever links
    # Tessera::shower, and the installed TesseraConfig.cmake finds it. 3.1 (Debian's 3.1.2,
    # whose CMake config defines no target: cmake/TesseraHepMC3.cmake makes one) and newer.
    # spack's hepmc3 recipe declares a Fortran compiler as a build dependency.
    depends_on("hepmc3@3.1:")
    depends_on("googletest", type=("build", "link"), when="+tests")

    def cmake_args(self):
        args = [
            self.define_from_variant("TESSERA_BACKEND", "backend"),
            self.define_from_variant("TESSERA_REQUIRE_KOKKOSKERNELS", "kokkos-kernels"),
            self.define_from_variant("TESSERA_BUILD_TESTS", "tests"),
            # The CMake default is ON: spack builds for its own target unless asked.
            self.define_from_variant("TESSERA_NATIVE_ARCH", "native"),
            # What an install is for: libraries, headers, drivers, lib/cmake/Tessera.
            self.define("TESSERA_BUILD_DRIVERS", True),
            self.define("TESSERA_INSTALL", True),
            # The benchmarks (tessera-bench) time code the tests check; a cluster build leaves
            # them out unless you ask (tools/tessera bench builds them from a checkout).
            self.define("TESSERA_BUILD_PERF", False),
        ]
        if self.spec.satisfies("~kokkos-kernels"):
            # find_package(KokkosKernels QUIET) must not pick one up from outside the spec.
            args.append(self.define("CMAKE_DISABLE_FIND_PACKAGE_KokkosKernels", True))
        if self.spec.satisfies("+cuda"):
            # Kokkos' own compiler: <kokkos-nvcc-wrapper prefix>/bin/nvcc_wrapper.
            args.append(self.define("CMAKE_CXX_COMPILER", self["kokkos"].kokkos_cxx))
        return args
