// SPDX-License-Identifier: Apache-2.0
#pragma once
// Direct-summation gravity on the device: for every active i-particle, the sum over all
// j-particles of all ranks, written once for every backend.
//
// Kernel shape (GraCCA): a team of T threads owns a block of T * NI i-particles (NI per
// thread, in registers), walks the j-particles in tiles staged in team scratch, and adds
// each tile's interactions. When few i-particles are active, the j-range is split into S
// segments handled by different teams (the "j-split", down to 32 j-particles a segment) and
// teams shrink to the active count; the partial sums are added in a fixed order afterwards,
// so results do not depend on scheduling. With several ranks the j-particles circulate
// around the ring of ranks (Comm::ring_shift), one hop per rank.
//
// Per interaction (r = x_j - x_i, v = v_j - v_i, r2 = |r|^2 + eps^2):
//   a   += m_j r / r2^(3/2)
//   jerk+= m_j [v / r2^(3/2) - 3 (r.v) r / r2^(5/2)]
//   pot -= m_j / r2^(1/2)
// The self-pair has r = v = 0, and no branch on j == i: with jerk and potential, 1/sqrt(r2)
// is taken as 0 when r2 = 0 (eps = 0) and the self-potential -m_i/eps of eps > 0 is removed
// afterwards; the acceleration-only kernels instead soften by at least `min_softening2`
// (r2 >= 1e-20 in FP32, 1e-150 in FP64), which makes the self-pair contribute exactly 0 and
// saves the select (forces change by less than one rounding for r > 1e-6 in FP32).
#include <algorithm>

#include "tessera/core/comm.hpp"
#include "tessera/core/math.hpp"
#include "tessera/core/tiles.hpp"

namespace tessera::nbody {

// Interaction conventions for reported FLOP rates (PERF.md): 60 per acceleration + jerk
// interaction, 20 (FP32) / 30 (FP64) per acceleration-only interaction.
inline constexpr double flops_hermite = 60.0;
inline constexpr double flops_accel_fp32 = 20.0;
inline constexpr double flops_accel_fp64 = 30.0;

struct ForceConfig {
  int team_size = 0; // threads per team (GPUs: the largest; teams shrink for few active i)
  int tile = 0;      // j-particles per scratch tile
  int j_split = 0;   // segments of the j-range (0: choose from the active count)
  // i-particles per thread (0: the kernel's default, default_i_per_thread). Not an input key:
  // benchmarks and tests set it; besides the default, the FP32 acceleration kernel is built
  // for 1, 2 and 4 (other kernels: the default only).
  int i_per_thread = 0;
};

// Fields that travel per j-particle: (x, y, z, m, vx, vy, vz) for Hermite, (x, y, z, m) for
// acceleration only. Rows past a rank's particle count are zero (zero mass: no force).
template <bool Jerk>
inline constexpr int j_fields = Jerk ? 7 : 4;

// A j-particle in team scratch, 16-byte aligned so that GPUs read it with 128-bit loads
// (one per float4, two or four per double record) rather than one load per field.
template <class Real, bool Jerk>
struct JParticle;
template <class Real>
struct alignas(16) JParticle<Real, true> {
  Real x, y, z, m, vx, vy, vz;
};
template <class Real>
struct alignas(16) JParticle<Real, false> {
  Real x, y, z, m;
};

// Smallest r^2 of the acceleration-only kernels: keeps m / r^3 of the self-pair finite (for
// m < 1e8), so that it contributes m * 0 / r^3 = 0 without a select.
template <class Real>
inline constexpr Real min_softening2 = sizeof(Real) == 4 ? Real(1e-20f) : Real(1e-150);

// Accumulators per i-particle: ax, ay, az [, jx, jy, jz, pot].
template <bool Jerk>
inline constexpr int n_sums = Jerk ? 7 : 3;

// One i-particle's partial sums as a single value, so that a team reduces all of them at once.
template <int S>
struct PartialSums {
  static constexpr int size = S;
  double v[S] = {};
  KOKKOS_FORCEINLINE_FUNCTION PartialSums& operator+=(const PartialSums& other)
  {
    for (int c = 0; c < S; ++c)
      v[c] += other.v[c];
    return *this;
  }
};

// The NI i-particles of one thread, structure of arrays: every statement of interact() is
// then a loop over q that host compilers turn into SIMD instructions (on GPUs NI = 1).
template <class Real, int NI>
struct IBlock {
  Real x[NI], y[NI], z[NI], vx[NI], vy[NI], vz[NI];
  Real sums[7][NI];
};

template <class Real, bool Jerk, int NI>
KOKKOS_FORCEINLINE_FUNCTION void interact(IBlock<Real, NI>& i, const JParticle<Real, Jerk>& j, Real eps2)
{
  // The record's fields in registers first: read through the reference after the inline-asm
  // rsqrt, nvcc loaded m a second time from scratch (one extra load per interaction).
  const Real xj = j.x, yj = j.y, zj = j.z, mj = j.m;
  for (int q = 0; q < NI; ++q) {
    const Real dx = xj - i.x[q], dy = yj - i.y[q], dz = zj - i.z[q];
    // eps2 first: three FMAs (eps2 last costs a separate add).
    const Real r2 = eps2 + dx * dx + dy * dy + dz * dz;
    // Never subnormal in single precision: the FP32 kernels are acceleration-only, with
    // r2 >= min_softening2 (the Hermite kernels are FP64, where inv_sqrt_normal = inv_sqrt).
    const Real inv = tessera::inv_sqrt_normal(r2);
    const Real rinv = !Jerk || r2 > Real(0) ? inv : Real(0);
    const Real rinv2 = rinv * rinv;
    const Real mrinv3 = mj * rinv * rinv2;
    i.sums[0][q] += mrinv3 * dx;
    i.sums[1][q] += mrinv3 * dy;
    i.sums[2][q] += mrinv3 * dz;
    if constexpr (Jerk) {
      const Real dvx = j.vx - i.vx[q], dvy = j.vy - i.vy[q], dvz = j.vz - i.vz[q];
      const Real rv3 = Real(3) * (dx * dvx + dy * dvy + dz * dvz) * rinv2;
      i.sums[3][q] += mrinv3 * (dvx - rv3 * dx);
      i.sums[4][q] += mrinv3 * (dvy - rv3 * dy);
      i.sums[5][q] += mrinv3 * (dvz - rv3 * dz);
      i.sums[6][q] -= mj * rinv;
    }
  }
}

// The backend's kernel shape: GPUs use warps-multiple teams; hosts one thread per team with
// 16 i per thread, whose IBlock loops become SIMD instructions (16 measured 3-11x faster than
// 4 on an AVX-512 host). On GPUs the FP64 kernels keep one i per thread (2 measured slower:
// register pressure, perf/NOTES.md) and the FP32 acceleration kernel takes four, which
// spreads each scratch load and the loop's bookkeeping over four interactions.
ForceConfig default_force_config();
// The largest kernel.team_size the backend runs: Kokkos' TeamPolicy::team_size_max (on host
// backends the threads of the pool), capped at 256 on GPUs (the FP64 all-pairs kernel's
// registers; a trivial kernel would be allowed 1024).
int max_team_size();
template <class Real, bool Jerk>
inline constexpr int default_i_per_thread = device_is_host ? 16 : (sizeof(Real) == 4 && !Jerk ? 4 : 1);

// How one compute() launches for a given active count: threads per team, j-segments and
// their length, the tile (at most the segment) and the i-particles per thread.
struct ForceLaunch {
  int team_size, segments, tile;
  Index segment_length;
  int i_per_thread;
};

// Gravity from all particles of all ranks. Holds the ring and partial-sum buffers, so a
// time loop allocates nothing.
template <class Real, bool Jerk>
class Gravity {
public:
  using JView = ViewRight<Real * [j_fields<Jerk>]>;

  Gravity(const Comm& comm, Index n_local, double softening, ForceConfig config = {});

  // sums(k, c) for the particles i = active(k), k < n_active (active empty: i = k), using
  // positions/velocities xi, vi of the local particles and the j-data packed from every
  // rank's (x, v, m). Removes the self-potential.
  void compute(const View<double* [3]>& xi, const View<double* [3]>& vi, const View<double*>& m,
               const View<Index*>& active, Index n_active, const ViewRight<double**>& sums);

  // Interactions evaluated by the last compute() on this rank (padding excluded).
  std::int64_t last_interactions() const { return last_interactions_; }
  const ForceConfig& config() const { return config_; }
  ForceLaunch launch_for(Index n_active) const;

private:
  void pack(const View<double* [3]>& x, const View<double* [3]>& v, const View<double*>& m);

  const Comm* comm_;
  Index n_local_, n_max_;
  std::int64_t n_global_;
  double eps_;
  ForceConfig config_;
  JView travelling_, arriving_;
  ViewRight<double***> partial_; // (segment, k, sum), used when segments > 1
  std::int64_t last_interactions_ = 0;
};

extern template class Gravity<double, true>;
extern template class Gravity<double, false>;
extern template class Gravity<float, false>;

} // namespace tessera::nbody

template <int S>
struct Kokkos::reduction_identity<tessera::nbody::PartialSums<S>> {
  KOKKOS_FORCEINLINE_FUNCTION static tessera::nbody::PartialSums<S> sum() { return {}; }
};
