#pragma once
// Small maths that kernels need and whose fastest form depends on the backend.

#include <cmath>

#include <Kokkos_Core.hpp>

namespace tessera {

// inv_sqrt(x) = 1/sqrt(x) (not "rsqrt": CUDA declares a global rsqrt). On CUDA devices CUDA's
// own reciprocal square roots: rsqrtf (hardware, ~2 ulp, what NVIDIA's nbody sample uses) and
// rsqrt in double (1 ulp; one hardware estimate plus Newton steps, about half the FP64
// instructions of a correctly rounded sqrt followed by a correctly rounded division).
// Elsewhere the plain expression, which host compilers vectorise.
#if defined(KOKKOS_ENABLE_CUDA)
KOKKOS_FORCEINLINE_FUNCTION float inv_sqrt(float x)
{
  KOKKOS_IF_ON_DEVICE((return ::rsqrtf(x);))
  KOKKOS_IF_ON_HOST((return 1.0f / std::sqrt(x);))
}
KOKKOS_FORCEINLINE_FUNCTION double inv_sqrt(double x)
{
  KOKKOS_IF_ON_DEVICE((return ::rsqrt(x);))
  KOKKOS_IF_ON_HOST((return 1.0 / std::sqrt(x);))
}
#else
KOKKOS_FORCEINLINE_FUNCTION float inv_sqrt(float x)
{
  return 1.0f / std::sqrt(x);
}
KOKKOS_FORCEINLINE_FUNCTION double inv_sqrt(double x)
{
  return 1.0 / std::sqrt(x);
}
#endif

} // namespace tessera
