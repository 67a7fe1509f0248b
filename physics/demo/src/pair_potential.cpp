// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/core/tiles.hpp"
#include "tessera/demo/demo.hpp"

namespace tessera::demo {

namespace {
constexpr std::uint32_t particle_stream = 2;

// What a tile holds of each source particle.
struct Source {
  double x, y, z, m;
};
} // namespace

Particles make_particles(const Comm& comm, const Params& p)
{
  const Index n_local = local_extent(p.particles, comm.size(), "particles.n");
  Particles particles;
  particles.position = View<double* [3]>("demo::position", n_local);
  particles.mass = View<double*>("demo::mass", n_local);
  particles.potential = View<double*>("demo::potential", n_local);
  particles.first = comm.rank() * n_local;
  const auto pos = particles.position;
  const auto mass = particles.mass;
  const Index first = particles.first;
  const Index n = p.particles;
  const std::uint64_t seed = p.seed;
  par_for(
      "demo::make_particles", n_local, KOKKOS_LAMBDA(Index i) {
        RandomDraws rng(seed, particle_stream, static_cast<std::uint64_t>(first + i));
        for (int d = 0; d < 3; ++d)
          pos(i, d) = rng.uniform(-1.0, 1.0);
        mass(i) = 1.0 / static_cast<double>(n);
      });
  return particles;
}

double compute_potential(const Comm& comm, const Particles& particles, const Params& p)
{
  const Index n_local = static_cast<Index>(particles.mass.extent(0));
  // The j-particles travelling around the ring, and the buffer they arrive in.
  View<double* [4]> travelling("demo::travelling", n_local), arriving("demo::arriving", n_local);
  {
    const auto pos = particles.position;
    const auto mass = particles.mass;
    par_for(
        "demo::pack_sources", n_local, KOKKOS_LAMBDA(Index j) {
          for (int d = 0; d < 3; ++d)
            travelling(j, d) = pos(j, d);
          travelling(j, 3) = mass(j);
        });
  }
  Kokkos::deep_copy(particles.potential, 0.0);
  const auto pos = particles.position;
  const auto phi = particles.potential;
  const double eps2 = p.softening * p.softening;
  const int tile = p.tile;
  const int team_size = default_tile_team_size();
  const Index teams = (n_local + team_size - 1) / team_size;

  for (int hop = 0; hop < comm.size(); ++hop) {
    const auto sources = travelling;
    const bool own = hop == 0; // on the first hop the sources are the particles themselves
    const auto policy = team_policy(ExecSpace(), teams, team_size, tile_scratch_bytes<Source>(tile));
    par_for_team(
        "demo::pair_potential", policy, KOKKOS_LAMBDA(const TeamMember& team) {
          const Index i = team.league_rank() * team.team_size() + team.team_rank();
          const bool active = i < n_local;
          const double xi = active ? pos(i, 0) : 0.0, yi = active ? pos(i, 1) : 0.0, zi = active ? pos(i, 2) : 0.0;
          double sum = 0;
          for_each_tile<Source>(
              team, n_local, tile,
              [&](Index j) { return Source{sources(j, 0), sources(j, 1), sources(j, 2), sources(j, 3)}; },
              [&](const ScratchView<Source*>& t, Index first, int count) {
                if (!active) return;
                for (int k = 0; k < count; ++k) {
                  if (own && first + k == i) continue;
                  const double dx = t(k).x - xi, dy = t(k).y - yi, dz = t(k).z - zi;
                  sum -= t(k).m / Kokkos::sqrt(dx * dx + dy * dy + dz * dz + eps2);
                }
              });
          if (active) phi(i) += sum;
        });
    if (comm.size() > 1) {
      comm.ring_shift(travelling, arriving);
      std::swap(travelling, arriving);
    }
  }
  double local = 0;
  const auto mass = particles.mass;
  par_reduce(
      "demo::potential_energy", n_local, KOKKOS_LAMBDA(Index i, double& e) { e += 0.5 * mass(i) * phi(i); }, local);
  return comm.sum(local);
}

} // namespace tessera::demo
