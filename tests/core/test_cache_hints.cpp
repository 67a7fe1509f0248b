// SPDX-License-Identifier: Apache-2.0
// load_once returns the value it loads and store_once stores the value it is given, inside a
// kernel, for types moved in one streaming word on CUDA (4, 8, 16 bytes), in several (12 bytes
// as three 4-byte words, 24 as three 8-byte ones, 32 as two 16-byte ones: a pair of complex
// doubles) and in none (3 bytes).
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

enum class Hinted { load, store };

template <class T>
bool same_bytes(const T& a, const T& b)
{
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

// Copies in(i) to out(i) through load_once or store_once; returns the number of elements that
// differ.
template <class T>
Index copy_through(Hinted hinted, Index n)
{
  View<T*> in("in", n), out("out", n);
  auto host = Kokkos::create_mirror_view(in);
  for (Index i = 0; i < n; ++i) {
    auto* bytes = reinterpret_cast<unsigned char*>(&host(i));
    for (std::size_t b = 0; b < sizeof(T); ++b)
      bytes[b] = static_cast<unsigned char>(7 * i + 13 * b + 1);
  }
  Kokkos::deep_copy(in, host);
  if (hinted == Hinted::store)
    par_for("test::store_once", n, KOKKOS_LAMBDA(Index i) { store_once(out(i), in(i)); });
  else
    par_for("test::load_once", n, KOKKOS_LAMBDA(Index i) { out(i) = load_once(in(i)); });
  auto back = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  Index differ = 0;
  for (Index i = 0; i < n; ++i)
    differ += same_bytes(host(i), back(i)) ? 0 : 1;
  return differ;
}

// Each width and tiling, copied through the hint, arrives unchanged.
void expect_every_width_copied(Hinted hinted)
{
  const Index n = 1000;
  EXPECT_EQ(copy_through<std::uint32_t>(hinted, n), 0);
  EXPECT_EQ(copy_through<double>(hinted, n), 0);
  EXPECT_EQ(copy_through<Kokkos::complex<float>>(hinted, n), 0);
  EXPECT_EQ(copy_through<Kokkos::complex<double>>(hinted, n), 0);
  EXPECT_EQ(copy_through<Four>(hinted, n), 0);
  EXPECT_EQ(copy_through<Three>(hinted, n), 0);
  EXPECT_EQ(copy_through<Six>(hinted, n), 0);
  EXPECT_EQ(copy_through<PairOfComplexDoubles>(hinted, n), 0);
  EXPECT_EQ(copy_through<Bytes3>(hinted, n), 0);
}
} // namespace

TEST(CacheHints, LoadOnceReturnsTheValueAtEveryWidth)
{
  expect_every_width_copied(Hinted::load);
}

TEST(CacheHints, StoreOnceStoresTheValueAtEveryWidth)
{
  expect_every_width_copied(Hinted::store);
}
