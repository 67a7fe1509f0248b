// SPDX-License-Identifier: Apache-2.0
// An app that starts MPI and Kokkos itself and uses tessera::Runtime inside: the Runtime must
// leave both running when it ends (it did not start them), so the app can keep computing and
// end them itself. Exit 0 when all of that holds; a failure aborts (Kokkos: "constructed
// after finalize()") or exits 1.
#include <cstdio>

#include <mpi.h>

#include <Kokkos_Core.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/loops.hpp"
#include "tessera/core/runtime.hpp"

namespace {
double sum_of_indices(tessera::Index n)
{
  double total = 0;
  tessera::par_reduce("own_runtime::sum", n, KOKKOS_LAMBDA(tessera::Index i, double& s) { s += i; }, total);
  return total;
}
} // namespace

int main(int argc, char** argv)
{
  MPI_Init(&argc, &argv);
  int failures = 0;
  {
    const Kokkos::ScopeGuard kokkos(argc, argv);
    {
      const tessera::Runtime runtime(argc, argv);
      failures += runtime.world().sum(1) != runtime.world().size();
      failures += sum_of_indices(100) != 4950.0;
    }
    // The Runtime has ended: Kokkos and MPI are still the app's.
    failures += !Kokkos::is_initialized() || Kokkos::is_finalized();
    failures += sum_of_indices(1000) != 499500.0;
    int finalized = 0;
    MPI_Finalized(&finalized);
    failures += finalized != 0;
    int ranks = 0, total = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    const int one = 1;
    MPI_Allreduce(&one, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    failures += total != ranks;
  }
  MPI_Finalize();
  if (failures != 0)
    std::fprintf(stderr, "own_runtime: %d check(s) failed\n", failures);
  else
    std::printf("own_runtime: MPI and Kokkos outlived the Runtime\n");
  return failures == 0 ? 0 : 1;
}
