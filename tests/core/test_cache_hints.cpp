// SPDX-License-Identifier: Apache-2.0
// load_once returns the value it loads and store_once stores the value it is given, inside a kernel, for types loaded
// in one streaming word on CUDA (4, 8, 16 bytes), in several (12 bytes as three 4-byte words, 24 as three 8-byte ones,
// 32 as two 16-byte ones: a pair of complex doubles) and in none (3 bytes).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "tessera/core/cache_hints.hpp"
#include "tessera/core/loops.hpp"

using namespace tessera;

namespace {
struct alignas(16) Four {
  float v[4];
};
struct Three {
  float v[3];
};
struct alignas(8) Six {
  float v[6];
};
struct alignas(16) PairOfComplexDoubles {
  double v[4];
};
struct Bytes3 {
  unsigned char v[3];
};

// Copies in(i) to out(i) through load_once (or store_once); returns the number of elements
// that differ.
template <class T, class Same>
Index copy_through_load_once(Index n, Same same, bool through_store = false)
{
  View<T*> in("in", n), out("out", n);
  auto host = Kokkos::create_mirror_view(in);
  for (Index i = 0; i < n; ++i) {
    auto* bytes = reinterpret_cast<unsigned char*>(&host(i));
    for (std::size_t b = 0; b < sizeof(T); ++b)
      bytes[b] = static_cast<unsigned char>(7 * i + 13 * b + 1);
  }
  Kokkos::deep_copy(in, host);
  if (through_store)
    par_for("test::store_once", n, KOKKOS_LAMBDA(Index i) { store_once(out(i), in(i)); });
  else
    par_for("test::load_once", n, KOKKOS_LAMBDA(Index i) { out(i) = load_once(in(i)); });
  auto back = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  Index differ = 0;
  for (Index i = 0; i < n; ++i)
    differ += same(host(i), back(i)) ? 0 : 1;
  return differ;
}

template <class T>
bool same_bytes(const T& a, const T& b)
{
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}
} // namespace

TEST(CacheHints, LoadOnceReturnsTheValueAtEveryWidth)
{
  const Index n = 1000;
  EXPECT_EQ(copy_through_load_once<std::uint32_t>(n, same_bytes<std::uint32_t>), 0);
  EXPECT_EQ(copy_through_load_once<double>(n, same_bytes<double>), 0);
  EXPECT_EQ(copy_through_load_once<Kokkos::complex<float>>(n, same_bytes<Kokkos::complex<float>>), 0);
  EXPECT_EQ(copy_through_load_once<Kokkos::complex<double>>(n, same_bytes<Kokkos::complex<double>>), 0);
  EXPECT_EQ(copy_through_load_once<Four>(n, same_bytes<Four>), 0);
  EXPECT_EQ(copy_through_load_once<Three>(n, same_bytes<Three>), 0);
  EXPECT_EQ(copy_through_load_once<Six>(n, same_bytes<Six>), 0);
  EXPECT_EQ(copy_through_load_once<PairOfComplexDoubles>(n, same_bytes<PairOfComplexDoubles>), 0);
  EXPECT_EQ(copy_through_load_once<Bytes3>(n, same_bytes<Bytes3>), 0);
}

TEST(CacheHints, StoreOnceStoresTheValueAtEveryWidth)
{
  const Index n = 1000;
  EXPECT_EQ(copy_through_load_once<std::uint32_t>(n, same_bytes<std::uint32_t>, true), 0);
  EXPECT_EQ(copy_through_load_once<double>(n, same_bytes<double>, true), 0);
  EXPECT_EQ(copy_through_load_once<Kokkos::complex<float>>(n, same_bytes<Kokkos::complex<float>>, true), 0);
  EXPECT_EQ(copy_through_load_once<Kokkos::complex<double>>(n, same_bytes<Kokkos::complex<double>>, true), 0);
  EXPECT_EQ(copy_through_load_once<Four>(n, same_bytes<Four>, true), 0);
  EXPECT_EQ(copy_through_load_once<Three>(n, same_bytes<Three>, true), 0);
  EXPECT_EQ(copy_through_load_once<Six>(n, same_bytes<Six>, true), 0);
  EXPECT_EQ(copy_through_load_once<PairOfComplexDoubles>(n, same_bytes<PairOfComplexDoubles>, true), 0);
  EXPECT_EQ(copy_through_load_once<Bytes3>(n, same_bytes<Bytes3>, true), 0);
}
