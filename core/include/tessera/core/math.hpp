// SPDX-License-Identifier: Apache-2.0
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

// inv_sqrt_normal(x): inv_sqrt for inputs that are never subnormal (x = 0 or x >= FLT_MIN,
// e.g. a softened r^2 >= 1e-20). On CUDA devices in single precision the bare hardware
// instruction (rsqrt.approx.ftz: rsqrtf without its subnormal-input fix-up, two or three
// instructions fewer per call); otherwise the same as inv_sqrt.
KOKKOS_FORCEINLINE_FUNCTION float inv_sqrt_normal(float x)
{
#if defined(KOKKOS_ENABLE_CUDA)
  KOKKOS_IF_ON_DEVICE((float y; asm("rsqrt.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x)); return y;))
  KOKKOS_IF_ON_HOST((return inv_sqrt(x);))
#else
  return inv_sqrt(x);
#endif
}
KOKKOS_FORCEINLINE_FUNCTION double inv_sqrt_normal(double x)
{
  return inv_sqrt(x);
}

} // namespace tessera
