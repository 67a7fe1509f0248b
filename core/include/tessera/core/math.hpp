#pragma once
// Small maths that kernels need and whose fastest form depends on the backend.

#include <cmath>

#include <Kokkos_Core.hpp>

namespace tessera {

// inv_sqrt(x) = 1/sqrt(x) (not "rsqrt": CUDA declares a global rsqrt). In single precision on CUDA devices the hardware
// reciprocal square root (rsqrtf, ~2 ulp, what NVIDIA's nbody sample uses); elsewhere the plain expression, which host
// compilers vectorise. Double precision always uses 1/sqrt (correctly rounded).
#if defined(KOKKOS_ENABLE_CUDA)
KOKKOS_FORCEINLINE_FUNCTION float inv_sqrt(float x)
{
  KOKKOS_IF_ON_DEVICE((return ::rsqrtf(x);))
  KOKKOS_IF_ON_HOST((return 1.0f / std::sqrt(x);))
}
#else
KOKKOS_FORCEINLINE_FUNCTION float inv_sqrt(float x)
{
  return 1.0f / std::sqrt(x);
}
#endif
KOKKOS_FORCEINLINE_FUNCTION double inv_sqrt(double x)
{
  return 1.0 / Kokkos::sqrt(x);
}

} // namespace tessera
