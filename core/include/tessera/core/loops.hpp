// SPDX-License-Identifier: Apache-2.0
#pragma once
// Labelled loop wrappers. Every kernel of Tessera goes through these, so that (a) each has
// a label that shows in Kokkos Tools profiles and (b) the loop pattern is chosen here, once
// per backend, never in physics code. Bounds are half-open [begin, end).

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "tessera/core/spaces.hpp"

namespace tessera {

using Index = std::int64_t;

// 1-D range [0, n) or [begin, end).
template <class F>
void par_for(const std::string& label, const ExecSpace& space, Index begin, Index end, const F& f)
{
  Kokkos::parallel_for(label, Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(space, begin, end), f);
}
template <class F>
void par_for(const std::string& label, Index n, const F& f)
{
  par_for(label, ExecSpace{}, 0, n, f);
}

// Multi-dimensional ranges, rank 2 to 4, as {begin...}, {end...}, over LayoutRight data (the
// convention of every multi-dimensional field here). MDRangePolicy tiles the iteration space;
// the iteration is Right inside and across tiles, so the last index maps to consecutive
// threads (CUDA) or is the inner loop (OpenMP): the contiguous one in LayoutRight. Kokkos'
// own default on CUDA is Left (first index fastest, for LayoutLeft Views): with LayoutRight
// data it made every warp's loads strided, 10x slower in the AMR hydro kernels on an H100.
namespace detail {
// LaunchBounds<0, 0>: none. On CUDA, LaunchBounds<T, B> makes the compiler keep the kernel's
// registers low enough for B blocks of T threads per multiprocessor (ignored on hosts).
template <std::size_t Rank, unsigned MaxThreads = 0, unsigned MinBlocks = 0>
using MDPolicy = Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<Rank, Kokkos::Iterate::Right, Kokkos::Iterate::Right>,
                                       Kokkos::IndexType<Index>, Kokkos::LaunchBounds<MaxThreads, MinBlocks>>;

template <std::size_t Rank, unsigned MaxThreads = 0, unsigned MinBlocks = 0>
MDPolicy<Rank, MaxThreads, MinBlocks> md_policy(const ExecSpace& space, const std::array<Index, Rank>& begin,
                                                const std::array<Index, Rank>& end)
{
  typename MDPolicy<Rank, MaxThreads, MinBlocks>::point_type lo{}, hi{};
  for (std::size_t r = 0; r < Rank; ++r) {
    lo[r] = begin[r];
    hi[r] = end[r];
  }
  return MDPolicy<Rank, MaxThreads, MinBlocks>(space, lo, hi);
}
} // namespace detail

template <std::size_t Rank, class F>
void par_for_md(const std::string& label, const ExecSpace& space, const std::array<Index, Rank>& begin,
                const std::array<Index, Rank>& end, const F& f)
{
  static_assert(Rank >= 2 && Rank <= 4, "par_for_md: rank 2 to 4");
  Kokkos::parallel_for(label, detail::md_policy<Rank>(space, begin, end), f);
}
template <std::size_t Rank, class F>
void par_for_md(const std::string& label, const std::array<Index, Rank>& begin, const std::array<Index, Rank>& end,
                const F& f)
{
  par_for_md<Rank>(label, ExecSpace{}, begin, end, f);
}
// Braced bounds deduce the rank: par_for_md("x", {0, 0}, {nx, ny}, f).
template <std::size_t Rank, class F>
void par_for_md(const std::string& label, const Index (&begin)[Rank], const Index (&end)[Rank], const F& f)
{
  par_for_md<Rank>(label, ExecSpace{}, std::to_array(begin), std::to_array(end), f);
}
// The same with launch bounds (see MDPolicy): for register-heavy kernels whose occupancy the
// register count limits. Tiles must not exceed MaxThreads threads.
template <std::size_t Rank, unsigned MaxThreads, unsigned MinBlocks, class F>
void par_for_md_bounded(const std::string& label, const std::array<Index, Rank>& begin,
                        const std::array<Index, Rank>& end, const F& f)
{
  static_assert(Rank >= 2 && Rank <= 4, "par_for_md_bounded: rank 2 to 4");
  Kokkos::parallel_for(label, detail::md_policy<Rank, MaxThreads, MinBlocks>(ExecSpace{}, begin, end), f);
}

// Sweeps of a field, named as the loop's second argument: the iteration follows the field's
// layout (its contiguous index fastest: the last for LayoutRight, the first for LayoutLeft,
// which tessera::View<T**> has on CUDA), so any View is swept along the grain on every backend.
// Over the whole field, or over [begin, end) given in braces (an interior without ghosts):
//   par_for_md("x", field, KOKKOS_LAMBDA(Index i, Index j) { ... });
//   par_for_md("x", field, {1, 1}, {nx + 1, ny + 1}, KOKKOS_LAMBDA(Index i, Index j) { ... });
//   par_reduce_md("x", field, KOKKOS_LAMBDA(Index i, Index j, double& sum) { ... }, total);
namespace detail {
template <class ViewType>
constexpr std::size_t rank_of = static_cast<std::size_t>(ViewType::rank());
template <class ViewType>
constexpr Kokkos::Iterate iterate_of =
    std::is_same_v<typename ViewType::array_layout, Kokkos::LayoutLeft> ? Kokkos::Iterate::Left
                                                                        : Kokkos::Iterate::Right;
template <class ViewType>
using FieldPolicy =
    Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<rank_of<ViewType>, iterate_of<ViewType>, iterate_of<ViewType>>,
                          Kokkos::IndexType<Index>>;

template <class ViewType>
FieldPolicy<ViewType> field_policy(const Index (&begin)[rank_of<ViewType>], const Index (&end)[rank_of<ViewType>])
{
  static_assert(rank_of<ViewType> >= 2 && rank_of<ViewType> <= 4, "par_for_md over a field: rank 2 to 4");
  typename FieldPolicy<ViewType>::point_type lo{}, hi{};
  for (std::size_t r = 0; r < rank_of<ViewType>; ++r) {
    lo[r] = begin[r];
    hi[r] = end[r];
  }
  return FieldPolicy<ViewType>(ExecSpace{}, lo, hi);
}
template <class ViewType>
FieldPolicy<ViewType> whole_field_policy(const ViewType& field)
{
  Index begin[rank_of<ViewType>] = {}, end[rank_of<ViewType>] = {};
  for (std::size_t r = 0; r < rank_of<ViewType>; ++r)
    end[r] = static_cast<Index>(field.extent(r));
  return field_policy<ViewType>(begin, end);
}
} // namespace detail

template <class ViewType, class F>
  requires Kokkos::is_view_v<ViewType>
void par_for_md(const std::string& label, const ViewType& field, const F& f)
{
  Kokkos::parallel_for(label, detail::whole_field_policy(field), f);
}
template <class ViewType, class F>
  requires Kokkos::is_view_v<ViewType>
void par_for_md(const std::string& label, const ViewType&, const Index (&begin)[detail::rank_of<ViewType>],
                const Index (&end)[detail::rank_of<ViewType>], const F& f)
{
  Kokkos::parallel_for(label, detail::field_policy<ViewType>(begin, end), f);
}

// Reductions over a 1-D range; `result` is any Kokkos reducer or a scalar (sum).
template <class F, class Result>
void par_reduce(const std::string& label, const ExecSpace& space, Index begin, Index end, const F& f, Result&& result)
{
  Kokkos::parallel_reduce(label, Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(space, begin, end), f,
                          std::forward<Result>(result));
}
template <class F, class Result>
void par_reduce(const std::string& label, Index n, const F& f, Result&& result)
{
  par_reduce(label, ExecSpace{}, 0, n, f, std::forward<Result>(result));
}

// Several reductions in one pass over [0, n): f(i, r1, r2, ...), one reducer (or scalar
// sum) per result.
template <class F, class... Results>
void par_reduce_many(const std::string& label, Index n, const F& f, Results&&... results)
{
  Kokkos::parallel_reduce(label, Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(0, n), f,
                          std::forward<Results>(results)...);
}

template <std::size_t Rank, class F, class Result>
void par_reduce_md(const std::string& label, const std::array<Index, Rank>& begin, const std::array<Index, Rank>& end,
                   const F& f, Result&& result)
{
  Kokkos::parallel_reduce(label, detail::md_policy<Rank>(ExecSpace{}, begin, end), f, std::forward<Result>(result));
}
template <std::size_t Rank, class F, class Result>
void par_reduce_md(const std::string& label, const Index (&begin)[Rank], const Index (&end)[Rank], const F& f,
                   Result&& result)
{
  par_reduce_md<Rank>(label, std::to_array(begin), std::to_array(end), f, std::forward<Result>(result));
}

template <class ViewType, class F, class Result>
  requires Kokkos::is_view_v<ViewType>
void par_reduce_md(const std::string& label, const ViewType& field, const F& f, Result&& result)
{
  Kokkos::parallel_reduce(label, detail::whole_field_policy(field), f, std::forward<Result>(result));
}
template <class ViewType, class F, class Result>
  requires Kokkos::is_view_v<ViewType>
void par_reduce_md(const std::string& label, const ViewType&, const Index (&begin)[detail::rank_of<ViewType>],
                   const Index (&end)[detail::rank_of<ViewType>], const F& f, Result&& result)
{
  Kokkos::parallel_reduce(label, detail::field_policy<ViewType>(begin, end), f, std::forward<Result>(result));
}

// Exclusive/inclusive prefix sums: f(i, partial, is_final).
template <class F, class Total>
void par_scan(const std::string& label, Index n, const F& f, Total& total)
{
  Kokkos::parallel_scan(label, Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(0, n), f, total);
}
template <class F>
void par_scan(const std::string& label, Index n, const F& f)
{
  Kokkos::parallel_scan(label, Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(0, n), f);
}

// Hierarchical (team) loops: league_size teams of team_size threads, each team with
// `scratch_bytes` of level-0 scratch (shared memory on CUDA). team_size = 0 lets Kokkos
// choose (Kokkos::AUTO).
inline TeamPolicy team_policy(const ExecSpace& space, Index league_size, int team_size, std::size_t scratch_bytes)
{
  TeamPolicy policy =
      team_size > 0 ? TeamPolicy(space, league_size, team_size) : TeamPolicy(space, league_size, Kokkos::AUTO);
  if (scratch_bytes > 0) {
    policy.set_scratch_size(0, Kokkos::PerTeam(scratch_bytes));
  }
  return policy;
}

// The same with LaunchBounds<MaxThreads, MinBlocks> (see detail::MDPolicy): on CUDA the
// kernel's registers are capped so that MinBlocks teams of up to MaxThreads threads fit a
// multiprocessor; team_size must not exceed MaxThreads. Ignored on hosts.
template <unsigned MaxThreads, unsigned MinBlocks>
using BoundedTeamPolicy = Kokkos::TeamPolicy<ExecSpace, Kokkos::LaunchBounds<MaxThreads, MinBlocks>>;

template <unsigned MaxThreads, unsigned MinBlocks>
BoundedTeamPolicy<MaxThreads, MinBlocks> bounded_team_policy(const ExecSpace& space, Index league_size, int team_size,
                                                             std::size_t scratch_bytes)
{
  BoundedTeamPolicy<MaxThreads, MinBlocks> policy(space, league_size, team_size);
  if (scratch_bytes > 0) policy.set_scratch_size(0, Kokkos::PerTeam(scratch_bytes));
  return policy;
}

template <class F, class... Traits>
void par_for_team(const std::string& label, const Kokkos::TeamPolicy<Traits...>& policy, const F& f)
{
  Kokkos::parallel_for(label, policy, f);
}
template <class F, class Result>
void par_reduce_team(const std::string& label, const TeamPolicy& policy, const F& f, Result&& result)
{
  Kokkos::parallel_reduce(label, policy, f, std::forward<Result>(result));
}

// The team size a backend likes for all-pairs tiles: a warp multiple on GPUs, 1 thread per
// team on hosts (there the team is a core and the tile lives in its cache).
inline int default_tile_team_size()
{
#if defined(KOKKOS_ENABLE_CUDA) || defined(KOKKOS_ENABLE_HIP)
  if constexpr (!device_is_host) {
    return 128;
  }
#endif
  return 1;
}

} // namespace tessera
