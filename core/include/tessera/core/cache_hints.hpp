// SPDX-License-Identifier: Apache-2.0
#pragma once
// Loads of data that a kernel reads once while other data it reads several times should stay
// in the cache: load_once(ref) returns ref's value, and on CUDA devices marks the load as
// streaming (ld.global.cs: the line is allocated evict-first in L1 and L2), so that it leaves
// the cache before the lines that are reused. A stencil sweep that reads each link once and
// each neighbour spinor eight times is the case it is made for (perf/NOTES.md). T is loaded in
// the widest words that tile it (16, 8 or 4 bytes: a 32-byte pair of complex doubles is two
// 128-bit loads); elsewhere, and for types no such word tiles, a plain load. store_once(ref,
// value) is the store of the same kind, for a kernel's output.

#include <Kokkos_Core.hpp>

#include <type_traits>

namespace tessera {

namespace detail {
#if defined(KOKKOS_ENABLE_CUDA)
// The widest CUDA vector type that __ldcs loads in one instruction and that tiles T (its size a
// multiple of the word's, its alignment at least the word's); void if none does.
template <class T>
constexpr auto streaming_word()
{
  if constexpr (sizeof(T) % 16 == 0 && alignof(T) >= 16)
    return uint4{};
  else if constexpr (sizeof(T) % 8 == 0 && alignof(T) >= 8)
    return uint2{};
  else if constexpr (sizeof(T) % 4 == 0 && alignof(T) >= 4)
    return 0u;
  else
    return;
}
#endif
} // namespace detail

template <class T>
KOKKOS_FORCEINLINE_FUNCTION T load_once(const T& ref)
{
  static_assert(std::is_trivially_copyable_v<T>, "load_once copies the bits of T");
#if defined(KOKKOS_ENABLE_CUDA)
  using Word = decltype(detail::streaming_word<T>());
  if constexpr (!std::is_void_v<Word>) {
    constexpr int words = sizeof(T) / sizeof(Word);
    KOKKOS_IF_ON_DEVICE((const Word* from = reinterpret_cast<const Word*>(&ref); Word loaded[words];
                         for (int i = 0; i < words; ++i) loaded[i] = __ldcs(from + i); T value;
                         __builtin_memcpy(&value, loaded, sizeof(T)); return value;))
  }
#endif
  return ref;
}

// ref = value for data written once in a sweep and not read again by it (a kernel's output):
// on CUDA stores in the widest words that tile the type (st.global.cs, allocated evict-first,
// as load_once), so that the output leaves the L2 before the data the sweep reads again. The
// lqcd spinor stores use it: 1.005-1.011x on the DRAM-bound hopping kernels (perf/NOTES.md).
template <class T>
KOKKOS_FORCEINLINE_FUNCTION void store_once(T& ref, const T& value)
{
  static_assert(std::is_trivially_copyable_v<T>, "store_once copies the bits of T");
#if defined(KOKKOS_ENABLE_CUDA)
  using Word = decltype(detail::streaming_word<T>());
  if constexpr (!std::is_void_v<Word>) {
    constexpr int words = sizeof(T) / sizeof(Word);
    KOKKOS_IF_ON_DEVICE((Word stored[words]; __builtin_memcpy(stored, &value, sizeof(T));
                         Word* to = reinterpret_cast<Word*>(&ref);
                         for (int i = 0; i < words; ++i) __stcs(to + i, stored[i]); return;))
  }
#endif
  ref = value;
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
