// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/state.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::nbody {

State allocate(const Comm& comm, std::int64_t n_global)
{
  if (n_global < comm.size()) {
    throw InputError(fmt::format("ic.n = {} is smaller than the number of MPI ranks ({})", n_global, comm.size()));
  }
  const auto mine = block_range(n_global, comm.rank(), comm.size());
  const std::int64_t n_local = mine.count;
  // Device memory per particle: the state (23 doubles), predictor, ring, force and
  // partial-sum buffers (about 40 more): refuse a run that cannot fit, before allocating.
  check_memory(comm, static_cast<double>(n_local) * 8.0 * 64.0, fmt::format("ic.n = {}", n_global),
               "use more ranks or fewer particles");
  State s;
  s.n_global = n_global;
  s.first = mine.first;
  s.x = View<double* [3]>("nbody::x", n_local);
  s.v = View<double* [3]>("nbody::v", n_local);
  s.m = View<double*>("nbody::m", n_local);
  s.id = View<std::int64_t*>("nbody::id", n_local);
  s.a = View<double* [3]>("nbody::a", n_local);
  s.j = View<double* [3]>("nbody::jerk", n_local);
  s.pot = View<double*>("nbody::pot", n_local);
  s.t = View<double*>("nbody::t", n_local);
  s.dt = View<double*>("nbody::dt", n_local);
  const auto id = s.id;
  const std::int64_t first = s.first;
  par_for("nbody::ids", n_local, KOKKOS_LAMBDA(Index i) { id(i) = first + i; });
  return s;
}

} // namespace tessera::nbody
