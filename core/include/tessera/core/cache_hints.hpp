// SPDX-License-Identifier: Apache-2.0
#pragma once
// Loads of data that a kernel reads once while other data it reads several times should stay
// in the cache: load_once(ref) returns ref's value, and on CUDA devices marks the load as
// streaming (ld.global.cs: the line is allocated evict-first in L1 and L2), so that it leaves
// the cache before the lines that are reused. A stencil sweep that reads each link once and
// each neighbour spinor eight times is the case it is made for (perf/NOTES.md). Elsewhere, and
// for types other than 4, 8 or 16 bytes, a plain load.

#include <Kokkos_Core.hpp>

#include <type_traits>

namespace tessera {

namespace detail {
#if defined(KOKKOS_ENABLE_CUDA)
// The CUDA vector type of Bytes bytes that __ldcs loads in one instruction.
template <int Bytes>
struct StreamingWord {
  using type = void;
};
template <>
struct StreamingWord<4> {
  using type = unsigned int;
};
template <>
struct StreamingWord<8> {
  using type = uint2;
};
template <>
struct StreamingWord<16> {
  using type = uint4;
};
#endif
} // namespace detail

template <class T>
KOKKOS_FORCEINLINE_FUNCTION T load_once(const T& ref)
{
  static_assert(std::is_trivially_copyable_v<T>, "load_once copies the bits of T");
#if defined(KOKKOS_ENABLE_CUDA)
  using Word = typename detail::StreamingWord<sizeof(T)>::type;
  if constexpr (!std::is_void_v<Word>) {
    if constexpr (alignof(T) >= alignof(Word)) {
      KOKKOS_IF_ON_DEVICE((const Word word = __ldcs(reinterpret_cast<const Word*>(&ref)); T value;
                           __builtin_memcpy(&value, &word, sizeof(T)); return value;))
    }
  }
#endif
  return ref;
}

// The two loads as function objects, for code that takes the load as a parameter.
struct PlainLoad {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const T& ref) const
  {
    return ref;
  }
};
struct OnceLoad {
  template <class T>
  KOKKOS_FORCEINLINE_FUNCTION T operator()(const T& ref) const
  {
    return load_once(ref);
  }
};

} // namespace tessera
