// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/forces.hpp"

#include <type_traits>

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

int max_team_size()
{
  const TeamPolicy policy(ExecSpace(), 1, 1);
  const int most = policy.team_size_max(KOKKOS_LAMBDA(const TeamMember&){}, Kokkos::ParallelForTag{});
  return device_is_host ? most : std::min(most, 256);
}

namespace {

// i-particle q of a thread's block from the (double) state; loads of j-particles, one overload
// per kind (no `if constexpr` inside device lambdas: nvcc cannot capture a variable first
// used in one).
template <class Real, int NI>
KOKKOS_FORCEINLINE_FUNCTION void load_i(IBlock<Real, NI>& b, int q, const View<double* [3]>& x,
                                        const View<double* [3]>& v, Index i, bool jerk)
{
  const bool real = i >= 0;
  b.x[q] = real ? Real(x(i, 0)) : Real(0);
  b.y[q] = real ? Real(x(i, 1)) : Real(0);
  b.z[q] = real ? Real(x(i, 2)) : Real(0);
  b.vx[q] = real && jerk ? Real(v(i, 0)) : Real(0);
  b.vy[q] = real && jerk ? Real(v(i, 1)) : Real(0);
  b.vz[q] = real && jerk ? Real(v(i, 2)) : Real(0);
  for (int c = 0; c < 7; ++c)
    b.sums[c][q] = Real(0);
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

// partial(s, k, :) (+)= sums over j in segment s of `jdata` for i = active(k): "=" on the first
// hop of the ring, "+=" on the others. Segment 0 of the first hop also removes the
// self-potential (adds m_i * inv_eps; 0 for acceleration only).
template <class Real, bool Jerk, int NI>
void accumulate(const View<double* [3]>& xi, const View<double* [3]>& vi, const View<double*>& m,
                const View<Index*>& active, Index n_active, const typename Gravity<Real, Jerk>::JView& jdata, Index n_j,
                Real eps2, double inv_eps, const ForceLaunch& launch, bool first_hop,
                const ViewRight<double***>& partial)
{
  using JP = JParticle<Real, Jerk>;
  constexpr int S = n_sums<Jerk>;
  const int team_size = launch.team_size;
  const int tile = launch.tile;
  const int segments = launch.segments;
  const Index segment = launch.segment_length;
  const Index block = static_cast<Index>(team_size) * NI;
  const Index n_blocks = (n_active + block - 1) / block;
  const bool indirect = active.extent(0) > 0;
  const auto policy = team_policy(ExecSpace(), n_blocks * segments, team_size, tile_scratch_bytes<JP>(tile));
  par_for_team(
      Jerk ? "nbody::forces_hermite" : "nbody::forces_accel", policy, KOKKOS_LAMBDA(const TeamMember& team) {
        const Index b = team.league_rank() / segments;
        const int s = static_cast<int>(team.league_rank() % segments);
        const Index j0 = s * segment;
        const Index count = Kokkos::max(Index(0), Kokkos::min(n_j, j0 + segment) - j0);
        Index k[NI];
        IBlock<Real, NI> me;
        for (int q = 0; q < NI; ++q) {
          // Consecutive threads take consecutive i (coalesced loads on GPUs).
          k[q] = b * block + q * team_size + team.team_rank();
          const Index i = k[q] < n_active ? (indirect ? active(k[q]) : k[q]) : -1;
          load_i(me, q, xi, vi, i, Jerk);
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
#pragma unroll 8
#endif
              for (int jj = 0; jj < n; ++jj)
                interact<Real, Jerk, NI>(me, t(jj), eps2);
            });
        for (int q = 0; q < NI; ++q) {
          if (k[q] >= n_active) continue;
          const double self = s == 0 && first_hop ? m(indirect ? active(k[q]) : k[q]) * inv_eps : 0.0;
          for (int c = 0; c < S; ++c) {
            double value = static_cast<double>(me.sums[c][q]);
            if (c == 6) value += self; // the self-pair added -m_i/eps to the potential
            partial(s, k[q], c) = first_hop ? value : partial(s, k[q], c) + value;
          }
        }
      });
}

// sums(k, :) = sum over segments of partial(s, k, :): one team per active particle and one
// team reduction of all components together (each thread loads its segments' records whole;
// fixed order for a given launch, so runs repeat bit for bit).
template <bool Jerk>
void reduce_segments(const ViewRight<double***>& partial, int segments, Index n_active, const ViewRight<double**>& sums)
{
  using Record = PartialSums<n_sums<Jerk>>;
  int team_size = 1;
  if constexpr (!device_is_host) {
    while (team_size < segments && team_size < 128)
      team_size *= 2;
  }
  par_for_team(
      "nbody::reduce_segments", team_policy(ExecSpace(), n_active, team_size, 0),
      KOKKOS_LAMBDA(const TeamMember& team) {
        const Index k = team.league_rank();
        Record total;
        Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(team, segments),
            [&](int s, Record& sum) {
              for (int c = 0; c < Record::size; ++c)
                sum.v[c] += partial(s, k, c);
            },
            Kokkos::Sum<Record>(total));
        Kokkos::single(Kokkos::PerTeam(team), [&] {
          for (int c = 0; c < Record::size; ++c)
            sums(k, c) = total.v[c];
        });
      });
}

template <class Real, bool Jerk>
void pack_j(const View<double* [3]>& x, const View<double* [3]>& v, const View<double*>& m,
            const typename Gravity<Real, Jerk>::JView& out)
{
  const Index n = static_cast<Index>(m.extent(0));
  constexpr int fields = j_fields<Jerk>;
  par_for(
      "nbody::pack_j", static_cast<Index>(out.extent(0)), KOKKOS_LAMBDA(Index j) {
        const bool real = j < n;
        for (int d = 0; d < 3; ++d)
          out(j, d) = real ? Real(x(j, d)) : Real(0);
        out(j, 3) = real ? Real(m(j)) : Real(0);
        for (int d = 0; d < fields - 4; ++d) // velocities: Hermite only
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
  constexpr int ni_default = default_i_per_thread<Real, Jerk>;
  if (config_.i_per_thread <= 0) config_.i_per_thread = ni_default;
  constexpr bool more_ni = sizeof(Real) == 4 && !Jerk; // the FP32 acceleration kernel
  const int ni = config_.i_per_thread;
  if (ni != ni_default && !(more_ni && (ni == 1 || ni == 2 || ni == 4))) {
    throw Error(ExitCode::failure,
                fmt::format("nbody::Gravity: {} i-particles per thread: this kernel is built for {}{}", ni, ni_default,
                            more_ni ? ", 1, 2 and 4" : " only"));
  }
  travelling_ = JView("nbody::j_travelling", n_max_);
  arriving_ = JView("nbody::j_arriving", comm.size() > 1 ? n_max_ : 0);
}

template <class Real, bool Jerk>
ForceLaunch Gravity<Real, Jerk>::launch_for(Index n_active) const
{
  ForceLaunch launch{config_.team_size, 1, config_.tile, n_max_, config_.i_per_thread};
  if constexpr (!device_is_host) {
    // Few active i: teams shrink to the active count (whole warps), so no thread idles.
    const Index warps = std::max<Index>(1, (n_active + 31) / 32);
    launch.team_size = static_cast<int>(std::min<Index>(config_.team_size, 32 * warps));
  }
  if (config_.j_split > 0) {
    launch.segments = config_.j_split;
  } else {
    // Enough teams to fill the machine, with segments of at least one warp's worth of j: a
    // thread per host thread; on GPUs half a thread per hardware thread (the FP64 kernel's
    // registers let an SM hold about half its maximum; more segments only add partial sums),
    // times the i per thread: with NI i per thread as many (i, segment) pairs as with one,
    // i.e. as many teams of the same length, so that the last wave of teams stays as small
    // a part of the run (at N = 2^17 and 4 i per thread: 17 segments, 4352 teams of 128).
    const int concurrency = ExecSpace().concurrency();
    const int ni = launch.i_per_thread;
    const Index threads_wanted = std::max<Index>(1, device_is_host ? concurrency : Index(concurrency / 2) * ni);
    const Index block = static_cast<Index>(launch.team_size) * ni;
    const Index blocks = std::max<Index>(1, (n_active + block - 1) / block);
    const Index by_occupancy = (threads_wanted + blocks * launch.team_size - 1) / (blocks * launch.team_size);
    const Index by_length = std::max<Index>(1, n_max_ / 32);
    launch.segments = static_cast<int>(std::clamp<Index>(by_occupancy, 1, by_length));
  }
  launch.segment_length = (n_max_ + launch.segments - 1) / launch.segments;
  launch.tile = static_cast<int>(std::min<Index>(config_.tile, std::max<Index>(1, launch.segment_length)));
  return launch;
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
  constexpr int S = n_sums<Jerk>;
  if (sums.extent(0) < static_cast<std::size_t>(n_active) || sums.extent(1) != static_cast<std::size_t>(S)) {
    throw Error(ExitCode::failure, fmt::format("nbody::Gravity: sums must be ({} or more) x {}, not {} x {}", n_active,
                                               S, sums.extent(0), sums.extent(1)));
  }
  const ForceLaunch launch = launch_for(n_active);
  // One segment: the kernel writes the sums directly (no partial buffer, no reduction).
  ViewRight<double***> partial(sums.data(), 1, sums.extent(0), S);
  if (launch.segments > 1) {
    if (partial_.extent(0) < static_cast<std::size_t>(launch.segments) ||
        partial_.extent(1) < static_cast<std::size_t>(n_active)) {
      partial_ = ViewRight<double***>("nbody::partial_forces", launch.segments, std::max<Index>(n_active, n_local_), S);
    }
    partial = partial_;
  }
  pack(xi, vi, m);
  // Acceleration only: at least min_softening2, which makes the self-pair vanish (forces.hpp).
  const Real eps2 =
      Jerk ? static_cast<Real>(eps_ * eps_) : std::max(static_cast<Real>(eps_ * eps_), min_softening2<Real>);
  const double inv_eps = Jerk && eps_ > 0 ? 1.0 / eps_ : 0.0;
  for (int hop = 0; hop < comm_->size(); ++hop) {
    if (n_active > 0) {
      const auto run = [&](auto ni) {
        accumulate<Real, Jerk, decltype(ni)::value>(xi, vi, m, active, n_active, travelling_, n_max_, eps2, inv_eps,
                                                    launch, hop == 0, partial);
      };
      constexpr int ni_default = default_i_per_thread<Real, Jerk>;
      if constexpr (sizeof(Real) == 4 && !Jerk) {
        if (launch.i_per_thread == 1 && ni_default != 1)
          run(std::integral_constant<int, 1>());
        else if (launch.i_per_thread == 2 && ni_default != 2)
          run(std::integral_constant<int, 2>());
        else if (launch.i_per_thread == 4 && ni_default != 4)
          run(std::integral_constant<int, 4>());
        else
          run(std::integral_constant<int, ni_default>());
      } else {
        run(std::integral_constant<int, ni_default>());
      }
    }
    if (comm_->size() > 1) {
      comm_->ring_shift(travelling_, arriving_);
      std::swap(travelling_, arriving_);
    }
  }
  if (launch.segments > 1 && n_active > 0) reduce_segments<Jerk>(partial, launch.segments, n_active, sums);
  last_interactions_ = static_cast<std::int64_t>(n_active) * n_global_;
}

template class Gravity<double, true>;
template class Gravity<double, false>;
template class Gravity<float, false>;

} // namespace tessera::nbody
