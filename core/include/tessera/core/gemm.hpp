// SPDX-License-Identifier: Apache-2.0
#pragma once
// Dense matrix products C = alpha op(A) op(B) + beta C on column-major device matrices.
//
// Two paths, chosen here and nowhere else:
//   GemmPath::library   KokkosBlas::gemm when Kokkos Kernels is present (cuBLAS on CUDA, its
//                       own kernels or a host BLAS elsewhere); the portable path when not;
//   GemmPath::portable  Tessera's own team-tiled kernel, on every backend.
// Both are tested against each other and against a long-double host product
// (tests/core/test_gemm.cpp). The library path labels its calls itself
// ("KokkosBlas::gemm[...]"), so a Kokkos Tools profile shows which one ran.

#include <cstdio>
#include <stdexcept>
#include <string>

#include "tessera/core/loops.hpp"

#if defined(TESSERA_HAVE_KOKKOSKERNELS)
#include <KokkosBlas3_gemm.hpp>
#endif

namespace tessera {

// Column-major matrices (the BLAS layout): (rows, columns), a column contiguous.
template <class T>
using Matrix = Kokkos::View<T**, Kokkos::LayoutLeft, MemSpace>;
template <class T>
using ConstMatrix = Kokkos::View<const T**, Kokkos::LayoutLeft, MemSpace>;

enum class Trans : char { no = 'N', yes = 'T' };
enum class GemmPath { library, portable };

// Whether GemmPath::library means Kokkos Kernels in this build.
inline constexpr bool have_kokkos_kernels =
#if defined(TESSERA_HAVE_KOKKOSKERNELS)
    true;
#else
    false;
#endif

namespace detail {

// One team computes a TileM x TileN block of C, walking K in steps of TileK with both operand
// tiles staged in scratch; each of the 256 (virtual) threads owns a 4 x 4 micro-tile. On
// hosts the team is one thread and the tiles are cache blocks.
inline constexpr int gemm_tile_m = 64, gemm_tile_n = 64, gemm_tile_k = 16, gemm_micro = 4;
inline constexpr int gemm_threads = (gemm_tile_m / gemm_micro) * (gemm_tile_n / gemm_micro);

template <class T, class AV, class BV, class CV>
struct PortableGemm {
  AV a;
  BV b;
  CV c;
  T alpha, beta;
  bool trans_a, trans_b;
  Index m, n, k, tiles_m;

  // Tiles indexed (l, i) with i contiguous: a warp reads consecutive scratch words.
  using TileView = Kokkos::View<T**, Kokkos::LayoutRight, ScratchSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
  static constexpr int micro_rows = gemm_tile_m / gemm_micro;

  // Element (i, l) of op(A) and (l, j) of op(B); zero outside the matrix.
  KOKKOS_INLINE_FUNCTION T op_a(Index i, Index l) const
  {
    if (i >= m || l >= k) return T(0);
    return trans_a ? a(l, i) : a(i, l);
  }
  KOKKOS_INLINE_FUNCTION T op_b(Index l, Index j) const
  {
    if (l >= k || j >= n) return T(0);
    return trans_b ? b(j, l) : b(l, j);
  }

  KOKKOS_INLINE_FUNCTION void operator()(const TeamMember& team) const
  {
    const Index row0 = (team.league_rank() % tiles_m) * gemm_tile_m;
    const Index col0 = (team.league_rank() / tiles_m) * gemm_tile_n;
    TileView tile_a(team.team_scratch(0), gemm_tile_k, gemm_tile_m); // (l, i)
    TileView tile_b(team.team_scratch(0), gemm_tile_k, gemm_tile_n); // (l, j)
    const int t = team.team_rank(), stride = team.team_size();
    // GPUs: one micro-tile per thread, accumulated in registers over all of K. Hosts: the one
    // thread of the team walks all micro-tiles and accumulates into C after each K tile.
    const bool in_registers = stride == gemm_threads;
    T acc[gemm_micro][gemm_micro] = {};
    for (Index l0 = 0; l0 < k; l0 += gemm_tile_k) {
      // Loads ordered so that consecutive threads read consecutive memory.
      for (int e = t; e < gemm_tile_k * gemm_tile_m; e += stride) {
        const int l = trans_a ? e % gemm_tile_k : e / gemm_tile_m;
        const int i = trans_a ? e / gemm_tile_k : e % gemm_tile_m;
        tile_a(l, i) = op_a(row0 + i, l0 + l);
      }
      for (int e = t; e < gemm_tile_k * gemm_tile_n; e += stride) {
        const int l = trans_b ? e / gemm_tile_n : e % gemm_tile_k;
        const int j = trans_b ? e % gemm_tile_n : e / gemm_tile_k;
        tile_b(l, j) = op_b(l0 + l, col0 + j);
      }
      team.team_barrier();
      if (in_registers) {
        multiply_micro_tile(tile_a, tile_b, t % micro_rows, t / micro_rows, acc);
      } else {
        for (int u = t; u < gemm_threads; u += stride) {
          T partial[gemm_micro][gemm_micro] = {};
          multiply_micro_tile(tile_a, tile_b, u % micro_rows, u / micro_rows, partial);
          update_c(u % micro_rows, u / micro_rows, row0, col0, partial, l0 == 0);
        }
      }
      team.team_barrier();
    }
    if (in_registers) {
      update_c(t % micro_rows, t / micro_rows, row0, col0, acc, true);
    } else if (k == 0) {
      for (int u = t; u < gemm_threads; u += stride)
        update_c(u % micro_rows, u / micro_rows, row0, col0, acc, true); // C = beta C
    }
  }

  // Micro-tile rows ti + r * (TileM / micro), columns tj + s * (TileN / micro): strided so
  // that neighbouring threads read neighbouring scratch words.
  KOKKOS_INLINE_FUNCTION static void multiply_micro_tile(const TileView& tile_a, const TileView& tile_b, int ti, int tj,
                                                         T (&acc)[gemm_micro][gemm_micro])
  {
    constexpr int step_i = gemm_tile_m / gemm_micro, step_j = gemm_tile_n / gemm_micro;
    for (int l = 0; l < gemm_tile_k; ++l) {
      T av[gemm_micro], bv[gemm_micro];
      for (int r = 0; r < gemm_micro; ++r)
        av[r] = tile_a(l, ti + r * step_i);
      for (int s = 0; s < gemm_micro; ++s)
        bv[s] = tile_b(l, tj + s * step_j);
      for (int r = 0; r < gemm_micro; ++r)
        for (int s = 0; s < gemm_micro; ++s)
          acc[r][s] += av[r] * bv[s];
    }
  }

  // C = alpha acc + beta C (beta C only on the first K tile; C is not read when beta = 0).
  KOKKOS_INLINE_FUNCTION void update_c(int ti, int tj, Index row0, Index col0, const T (&acc)[gemm_micro][gemm_micro],
                                       bool first) const
  {
    constexpr int step_i = gemm_tile_m / gemm_micro, step_j = gemm_tile_n / gemm_micro;
    for (int s = 0; s < gemm_micro; ++s) {
      const Index j = col0 + tj + s * step_j;
      if (j >= n) continue;
      for (int r = 0; r < gemm_micro; ++r) {
        const Index i = row0 + ti + r * step_i;
        if (i >= m) continue;
        const T old = first ? (beta == T(0) ? T(0) : beta * c(i, j)) : c(i, j);
        c(i, j) = old + alpha * acc[r][s];
      }
    }
  }
};

[[noreturn]] inline void throw_gemm_shapes(const char* what, std::size_t a0, std::size_t a1, std::size_t b0,
                                           std::size_t b1, std::size_t c0, std::size_t c1)
{
  char text[256];
  std::snprintf(text, sizeof text, "gemm: %s (op(A) %zux%zu, op(B) %zux%zu, C %zux%zu)", what, a0, a1, b0, b1, c0, c1);
  throw std::invalid_argument(text);
}

} // namespace detail

// C = alpha op(A) op(B) + beta C with Tessera's own kernel, on any backend.
template <class AV, class BV, class CV>
void gemm_portable(const ExecSpace& space, Trans trans_a, Trans trans_b, typename CV::const_value_type alpha,
                   const AV& a, const BV& b, typename CV::const_value_type beta, const CV& c)
{
  using T = typename CV::non_const_value_type;
  const bool ta = trans_a == Trans::yes, tb = trans_b == Trans::yes;
  const Index m = c.extent(0), n = c.extent(1), k = ta ? a.extent(0) : a.extent(1);
  const int team_size = device_is_host ? 1 : detail::gemm_threads;
  const Index tiles_m = (m + detail::gemm_tile_m - 1) / detail::gemm_tile_m;
  const Index tiles_n = (n + detail::gemm_tile_n - 1) / detail::gemm_tile_n;
  if (tiles_m * tiles_n == 0) return;
  const std::size_t scratch =
      2 * detail::PortableGemm<T, AV, BV, CV>::TileView::shmem_size(detail::gemm_tile_k, detail::gemm_tile_m);
  const detail::PortableGemm<T, AV, BV, CV> kernel{a, b, c, alpha, beta, ta, tb, m, n, k, tiles_m};
  const std::string label =
      std::string("tessera::gemm_portable[") + static_cast<char>(trans_a) + static_cast<char>(trans_b) + "]";
  par_for_team(label, team_policy(space, tiles_m * tiles_n, team_size, scratch), kernel);
}

// C = alpha op(A) op(B) + beta C. Throws std::invalid_argument when the shapes disagree.
template <class AV, class BV, class CV>
void gemm(const ExecSpace& space, Trans trans_a, Trans trans_b, typename CV::const_value_type alpha, const AV& a,
          const BV& b, typename CV::const_value_type beta, const CV& c, GemmPath path = GemmPath::library)
{
  static_assert(std::is_same_v<typename AV::array_layout, Kokkos::LayoutLeft> &&
                    std::is_same_v<typename BV::array_layout, Kokkos::LayoutLeft> &&
                    std::is_same_v<typename CV::array_layout, Kokkos::LayoutLeft>,
                "tessera::gemm: column-major (LayoutLeft) matrices");
  const bool ta = trans_a == Trans::yes, tb = trans_b == Trans::yes;
  const std::size_t a0 = ta ? a.extent(1) : a.extent(0), a1 = ta ? a.extent(0) : a.extent(1);
  const std::size_t b0 = tb ? b.extent(1) : b.extent(0), b1 = tb ? b.extent(0) : b.extent(1);
  if (a1 != b0 || a0 != c.extent(0) || b1 != c.extent(1)) {
    detail::throw_gemm_shapes("shapes do not match", a0, a1, b0, b1, c.extent(0), c.extent(1));
  }
#if defined(TESSERA_HAVE_KOKKOSKERNELS)
  if (path == GemmPath::library) {
    const char mode_a[] = {static_cast<char>(trans_a), '\0'}, mode_b[] = {static_cast<char>(trans_b), '\0'};
    KokkosBlas::gemm(space, mode_a, mode_b, alpha, a, b, beta, c);
    return;
  }
#else
  (void)path;
#endif
  gemm_portable(space, trans_a, trans_b, alpha, a, b, beta, c);
}

// The products of Matrix and ConstMatrix operands in float and double are compiled once, in
// the core library (src/gemm.cpp): KokkosBlas::gemm and the portable kernel take seconds to
// instantiate, and every translation unit that builds a network would otherwise do it again.
#define TESSERA_GEMM_INSTANTIATIONS(EXTERN, T)                                                                         \
  EXTERN template void gemm(const ExecSpace&, Trans, Trans, T, const Matrix<T>&, const Matrix<T>&, T,                  \
                            const Matrix<T>&, GemmPath);                                                               \
  EXTERN template void gemm(const ExecSpace&, Trans, Trans, T, const Matrix<T>&, const ConstMatrix<T>&, T,             \
                            const Matrix<T>&, GemmPath);                                                               \
  EXTERN template void gemm(const ExecSpace&, Trans, Trans, T, const ConstMatrix<T>&, const Matrix<T>&, T,             \
                            const Matrix<T>&, GemmPath);                                                               \
  EXTERN template void gemm(const ExecSpace&, Trans, Trans, T, const ConstMatrix<T>&, const ConstMatrix<T>&, T,        \
                            const Matrix<T>&, GemmPath);
TESSERA_GEMM_INSTANTIATIONS(extern, float)
TESSERA_GEMM_INSTANTIATIONS(extern, double)

} // namespace tessera
