#include "tessera/nbody/state.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::nbody {

State allocate(const Comm& comm, std::int64_t n_global)
{
  if (n_global < comm.size()) {
    throw InputError(fmt::format("ic.n = {} is smaller than the number of MPI ranks ({})", n_global, comm.size()));
  }
  const std::int64_t base = n_global / comm.size(), extra = n_global % comm.size();
  const std::int64_t n_local = base + (comm.rank() < extra ? 1 : 0);
  // Device memory per particle: state (~26 doubles) + predictor, forces and ring buffers
  // (~30 doubles): refuse a run that cannot fit instead of failing inside Kokkos.
  const double bytes = static_cast<double>(n_local) * 8.0 * 64.0;
  if (bytes > 0.9 * static_cast<double>(std::numeric_limits<std::size_t>::max()) || n_local > (1LL << 31)) {
    throw InputError(fmt::format("ic.n = {} is too large for one rank", n_global));
  }
  State s;
  s.n_global = n_global;
  s.first = comm.rank() * base + std::min<std::int64_t>(comm.rank(), extra);
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
