// SPDX-License-Identifier: Apache-2.0
// The program of a project that builds Tessera inside itself (FetchContent / add_subdirectory;
// CMakeLists.txt beside it): the integers 0 .. n-1 split over the MPI ranks, each rank's share
// summed by a par_reduce, the shares by Comm::sum. Integers, so the answer n (n - 1) / 2 is
// exact on any number of ranks and threads. Also checked: the rank count it was started with
// (argument 1; two singletons would each pass the sum alone), that the backend the project
// chose reached this compilation, and that header and library are the same Tessera version.
// Exit 0 when all hold, 1 otherwise.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include <tessera/core/comm.hpp>
#include <tessera/core/loops.hpp>
#include <tessera/core/runtime.hpp>
#include <tessera/version.hpp>

#if !defined(TESSERA_BACKEND_OPENMP)
#error "TESSERA_BACKEND=openmp, set by the including project, did not reach Tessera::core's users"
#endif
static_assert(std::is_same_v<tessera::ExecSpace, Kokkos::OpenMP>);

int main(int argc, char** argv)
{
  const tessera::Runtime runtime(argc, argv);
  const tessera::Comm& comm = runtime.world();
  const int expected_ranks = argc > 1 ? std::atoi(argv[1]) : 1;

  constexpr std::int64_t n = 1'000'003;
  const auto mine = tessera::block_range(n, comm.rank(), comm.size());
  const std::int64_t first = mine.first;
  std::int64_t partial = 0;
  tessera::par_reduce(
      "consumer::sum", mine.count, KOKKOS_LAMBDA(tessera::Index k, std::int64_t& sum) { sum += first + k; }, partial);
  const std::int64_t total = comm.sum(partial), exact = n * (n - 1) / 2;

  // Every rank sees the same total, size and version, so all ranks agree on the exit code.
  std::string failure;
  if (total != exact)
    failure = fmt::format("sum of 0..{} is {}, expected {}", n - 1, total, exact);
  else if (comm.size() != expected_ranks)
    failure = fmt::format("{} ranks, expected {} (started without mpiexec?)", comm.size(), expected_ranks);
  else if (tessera::version() != TESSERA_VERSION_STRING)
    failure = fmt::format("library version {}, header version {}", tessera::version(), TESSERA_VERSION_STRING);
  if (comm.is_root()) {
    if (failure.empty())
      fmt::print("subdirectory-consumer: sum of 0..{} over {} ranks = {} (ok), Tessera {}\n", n - 1, comm.size(), total,
                 tessera::version());
    else
      fmt::print(stderr, "subdirectory-consumer: FAILED: {}\n", failure);
  }
  return failure.empty() ? 0 : 1;
}
