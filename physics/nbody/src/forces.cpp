#include "tessera/nbody/forces.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::nbody {

ForceConfig default_force_config()
{
  if constexpr (device_is_host) {
    return {1, 256, 0};
  } else {
    return {128, 128, 0};
  }
}

namespace {

// Loads of i- and j-particles, one overload per kind (no `if constexpr` inside device
// lambdas: nvcc cannot capture a variable first used in one).
template <class Real>
KOKKOS_FORCEINLINE_FUNCTION void load_i(JParticle<Real, true>& p, const View<double* [3]>& x,
                                        const View<double* [3]>& v, Index i)
{
  p = {Real(x(i, 0)), Real(x(i, 1)), Real(x(i, 2)), Real(0), Real(v(i, 0)), Real(v(i, 1)), Real(v(i, 2))};
}
template <class Real>
KOKKOS_FORCEINLINE_FUNCTION void load_i(JParticle<Real, false>& p, const View<double* [3]>& x, const View<double* [3]>&,
                                        Index i)
{
  p = {Real(x(i, 0)), Real(x(i, 1)), Real(x(i, 2)), Real(0)};
}
template <class Real, class JView>
KOKKOS_FORCEINLINE_FUNCTION void load_j(JParticle<Real, true>& p, const JView& d, Index j)
{
  p = {d(j, 0), d(j, 1), d(j, 2), d(j, 3), d(j, 4), d(j, 5), d(j, 6)};
}
template <class Real, class JView>
KOKKOS_FORCEINLINE_FUNCTION void load_j(JParticle<Real, false>& p, const JView& d, Index j)
{
  p = {d(j, 0), d(j, 1), d(j, 2), d(j, 3)};
}

// partial(s, k, :) += sums over j in segment s of `jdata` for i = active(k).
template <class Real, bool Jerk, int NI>
void accumulate(const View<double* [3]>& xi, const View<double* [3]>& vi, const View<Index*>& active, Index n_active,
                const typename Gravity<Real, Jerk>::JView& jdata, Index n_j, Real eps2, const ForceConfig& config,
                int segments, const ViewRight<double***>& partial)
{
  using JP = JParticle<Real, Jerk>;
  constexpr int S = n_sums<Jerk>;
  const int team_size = config.team_size;
  const int tile = config.tile;
  const Index block = static_cast<Index>(team_size) * NI;
  const Index n_blocks = (n_active + block - 1) / block;
  const Index segment = (n_j + segments - 1) / segments;
  const bool indirect = active.extent(0) > 0;
  const auto policy = team_policy(ExecSpace(), n_blocks * segments, team_size, tile_scratch_bytes<JP>(tile));
  par_for_team(
      Jerk ? "nbody::forces_hermite" : "nbody::forces_accel", policy, KOKKOS_LAMBDA(const TeamMember& team) {
        const Index b = team.league_rank() / segments;
        const int s = static_cast<int>(team.league_rank() % segments);
        const Index j0 = s * segment;
        const Index count = Kokkos::max(Index(0), Kokkos::min(n_j, j0 + segment) - j0);
        Index k[NI];
        JP me[NI];
        Real sums[NI][S];
        for (int q = 0; q < NI; ++q) {
          // Consecutive threads take consecutive i (coalesced loads on GPUs).
          k[q] = b * block + q * team_size + team.team_rank();
          const Index i = k[q] < n_active ? (indirect ? active(k[q]) : k[q]) : -1;
          me[q] = JP{};
          if (i >= 0) load_i(me[q], xi, vi, i);
          for (int c = 0; c < S; ++c)
            sums[q][c] = Real(0);
        }
        for_each_tile<JP>(
            team, count, tile,
            [&](Index j) {
              JP p;
              load_j<Real>(p, jdata, j0 + j);
              return p;
            },
            [&](const ScratchView<JP*>& t, Index, int n) {
#if defined(__CUDA_ARCH__)
#pragma unroll 4
#endif
              for (int jj = 0; jj < n; ++jj) {
                const JP other = t(jj);
                for (int q = 0; q < NI; ++q)
                  interact<Real, Jerk>(me[q], other, eps2, sums[q]);
              }
            });
        for (int q = 0; q < NI; ++q) {
          if (k[q] < n_active) {
            for (int c = 0; c < S; ++c)
              partial(s, k[q], c) += static_cast<double>(sums[q][c]);
          }
        }
      });
}

// sums(k, :) = sum over segments of partial(s, k, :), in segment order; minus self-potential.
template <bool Jerk>
void reduce_segments(const ViewRight<double***>& partial, int segments, Index n_active, const View<Index*>& active,
                     const View<double*>& m, double eps, const ViewRight<double**>& sums)
{
  constexpr int S = n_sums<Jerk>;
  const bool indirect = active.extent(0) > 0;
  const double inv_eps = eps > 0 ? 1.0 / eps : 0.0;
  par_for(
      "nbody::reduce_segments", n_active, KOKKOS_LAMBDA(Index k) {
        for (int c = 0; c < S; ++c) {
          double total = 0;
          for (int s = 0; s < segments; ++s)
            total += partial(s, k, c);
          sums(k, c) = total;
        }
        if (Jerk) { // a plain if: nvcc cannot capture inside `if constexpr` in a device lambda
          const Index i = indirect ? active(k) : k;
          sums(k, 6) += m(i) * inv_eps; // the self-pair added -m_i/eps
        }
      });
}

template <class Real, bool Jerk>
void pack_j(const View<double* [3]>& x, const View<double* [3]>& v, const View<double*>& m,
            const typename Gravity<Real, Jerk>::JView& out)
{
  const Index n = static_cast<Index>(m.extent(0));
  constexpr int width = Gravity<Real, Jerk>::width;
  par_for(
      "nbody::pack_j", static_cast<Index>(out.extent(0)), KOKKOS_LAMBDA(Index j) {
        const bool real = j < n;
        for (int d = 0; d < 3; ++d)
          out(j, d) = real ? Real(x(j, d)) : Real(0);
        out(j, 3) = real ? Real(m(j)) : Real(0);
        for (int d = 0; d < width - 4; ++d) // velocities: Hermite only
          out(j, 4 + d) = real ? Real(v(j, d)) : Real(0);
      });
}

} // namespace

template <class Real, bool Jerk>
Gravity<Real, Jerk>::Gravity(const Comm& comm, Index n_local, double softening, ForceConfig config)
    : comm_(&comm), n_local_(n_local), n_max_(comm.max(n_local)), n_global_(comm.sum(std::int64_t{n_local})),
      eps_(softening), config_(config)
{
  const auto defaults = default_force_config();
  if (config_.team_size <= 0) config_.team_size = defaults.team_size;
  if (config_.tile <= 0) config_.tile = defaults.tile;
  travelling_ = JView("nbody::j_travelling", n_max_);
  arriving_ = JView("nbody::j_arriving", comm.size() > 1 ? n_max_ : 0);
}

template <class Real, bool Jerk>
int Gravity<Real, Jerk>::segments_for(Index n_active) const
{
  if (config_.j_split > 0) return config_.j_split;
  // Enough teams to fill the machine: about one thread per hardware thread of the backend.
  const Index threads_wanted = ExecSpace().concurrency();
  const Index block = static_cast<Index>(config_.team_size) * i_per_thread;
  const Index blocks = std::max<Index>(1, (n_active + block - 1) / block);
  const Index by_occupancy = (threads_wanted + blocks * config_.team_size - 1) / (blocks * config_.team_size);
  const Index by_tiles = std::max<Index>(1, n_max_ / (4 * config_.tile)); // each segment >= 4 tiles
  return static_cast<int>(std::clamp<Index>(by_occupancy, 1, by_tiles));
}

template <class Real, bool Jerk>
void Gravity<Real, Jerk>::pack(const View<double* [3]>& x, const View<double* [3]>& v, const View<double*>& m)
{
  pack_j<Real, Jerk>(x, v, m, travelling_);
}

template <class Real, bool Jerk>
void Gravity<Real, Jerk>::compute(const View<double* [3]>& xi, const View<double* [3]>& vi, const View<double*>& m,
                                  const View<Index*>& active, Index n_active, const ViewRight<double**>& sums)
{
  const int segments = segments_for(n_active);
  if (partial_.extent(0) < static_cast<std::size_t>(segments) ||
      partial_.extent(1) < static_cast<std::size_t>(n_active)) {
    partial_ =
        ViewRight<double***>("nbody::partial_forces", segments, std::max<Index>(n_active, n_local_), n_sums<Jerk>);
  }
  const auto partial =
      Kokkos::subview(partial_, Kokkos::make_pair(0, segments), Kokkos::make_pair(Index(0), n_active), Kokkos::ALL);
  Kokkos::deep_copy(partial, 0.0);
  pack(xi, vi, m);
  const Real eps2 = static_cast<Real>(eps_ * eps_);
  for (int hop = 0; hop < comm_->size(); ++hop) {
    if (n_active > 0) {
      accumulate<Real, Jerk, i_per_thread>(xi, vi, active, n_active, travelling_, n_max_, eps2, config_, segments,
                                           partial_);
    }
    if (comm_->size() > 1) {
      comm_->ring_shift(travelling_, arriving_);
      std::swap(travelling_, arriving_);
    }
  }
  reduce_segments<Jerk>(partial_, segments, n_active, active, m, Jerk ? eps_ : 0.0, sums);
  last_interactions_ = static_cast<std::int64_t>(n_active) * n_global_;
}

template class Gravity<double, true>;
template class Gravity<double, false>;
template class Gravity<float, false>;

} // namespace tessera::nbody
