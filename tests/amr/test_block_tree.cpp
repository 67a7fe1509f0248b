// SPDX-License-Identifier: Apache-2.0
// The block tree against brute force: after random refinements and derefinements in 1-D, 2-D
// and 3-D (periodic and not), the leaves tile the domain, every pair of touching leaves
// differs by at most one level (2:1 across faces, edges and corners), and each leaf's
// neighbour list is exactly the set of leaves touching it, found by comparing boxes.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>

#include "simulation.hpp"

namespace {

namespace amr = tessera::amr;
using amr::testing::operator+;

// A leaf as a box [lo, hi) in units of the finest level.
struct Box {
  std::array<std::int64_t, 3> lo, hi;
};

Box box_of(const amr::LogicalLocation& loc, int finest)
{
  const std::int64_t size = std::int64_t{1} << (finest - loc.level);
  Box b;
  for (int a = 0; a < 3; ++a) {
    b.lo[a] = loc.lx[a] * size;
    b.hi[a] = b.lo[a] + size;
  }
  return b;
}

// Whether the open boxes overlap (a shared volume), and whether the closed boxes meet.
bool overlaps(const Box& a, const Box& b, int dims)
{
  for (int axis = 0; axis < dims; ++axis)
    if (b.hi[axis] <= a.lo[axis] || b.lo[axis] >= a.hi[axis]) return false;
  return true;
}
bool meets(const Box& a, const Box& b, int dims)
{
  for (int axis = 0; axis < dims; ++axis)
    if (b.hi[axis] < a.lo[axis] || b.lo[axis] > a.hi[axis]) return false;
  return true;
}

using Contact = std::tuple<std::array<int, 3>, amr::LogicalLocation>;

// For each offset: the leaves that overlap the same-sized region next to the leaf in that
// direction (its ghost region there) and touch the leaf, periodic images included.
std::set<Contact> brute_force_neighbours(const amr::BlockTree& tree, const std::vector<amr::LogicalLocation>& leaves,
                                         const amr::LogicalLocation& leaf)
{
  const auto& s = tree.shape();
  const int finest = s.max_level;
  const Box a = box_of(leaf, finest);
  const std::int64_t size = a.hi[0] - a.lo[0];
  std::array<std::int64_t, 3> period{};
  for (int axis = 0; axis < 3; ++axis)
    period[axis] = s.root[axis] << finest;
  std::set<Contact> out;
  for (int oz = (s.dims > 2 ? -1 : 0); oz <= (s.dims > 2 ? 1 : 0); ++oz)
    for (int oy = (s.dims > 1 ? -1 : 0); oy <= (s.dims > 1 ? 1 : 0); ++oy)
      for (int ox = -1; ox <= 1; ++ox) {
        const std::array<int, 3> offset{ox, oy, oz};
        if (offset == std::array<int, 3>{0, 0, 0}) continue;
        Box region = a;
        bool inside = true;
        for (int axis = 0; axis < s.dims; ++axis) {
          region.lo[axis] += offset[axis] * size;
          region.hi[axis] += offset[axis] * size;
          if (!s.periodic[axis] && (region.lo[axis] < 0 || region.hi[axis] > period[axis])) inside = false;
        }
        if (!inside) continue;
        for (const auto& other : leaves) {
          for (int sz = -1; sz <= 1; ++sz)
            for (int sy = -1; sy <= 1; ++sy)
              for (int sx = -1; sx <= 1; ++sx) {
                const std::array<int, 3> shift{sx, sy, sz};
                Box b = box_of(other, finest);
                bool allowed = true;
                for (int axis = 0; axis < 3; ++axis) {
                  if (shift[axis] != 0 && (axis >= s.dims || !s.periodic[axis])) allowed = false;
                  b.lo[axis] += shift[axis] * period[axis];
                  b.hi[axis] += shift[axis] * period[axis];
                }
                if (allowed && overlaps(region, b, s.dims) && meets(a, b, s.dims)) out.insert({offset, other});
              }
        }
      }
  return out;
}

void check_tree(const amr::BlockTree& tree)
{
  const auto& s = tree.shape();
  const auto leaves = tree.leaves();
  // Tiling: the volumes add up to the domain's, and the Morton order is strict.
  std::int64_t volume = 0, domain = 1;
  for (int axis = 0; axis < s.dims; ++axis)
    domain *= s.root[axis] << s.max_level;
  for (const auto& leaf : leaves) {
    const Box b = box_of(leaf, s.max_level);
    std::int64_t v = 1;
    for (int axis = 0; axis < s.dims; ++axis)
      v *= b.hi[axis] - b.lo[axis];
    volume += v;
  }
  ASSERT_EQ(volume, domain);
  for (std::size_t k = 1; k < leaves.size(); ++k)
    ASSERT_LT(amr::morton_key(leaves[k - 1], s.max_level), amr::morton_key(leaves[k], s.max_level));
  // Neighbours: exactly the touching leaves, all within one level.
  for (const auto& leaf : leaves) {
    std::set<Contact> listed;
    for (const auto& n : tree.neighbours(leaf)) {
      ASSERT_LE(std::abs(n.level_difference), 1);
      ASSERT_EQ(n.level_difference, n.location.level - leaf.level);
      ASSERT_TRUE(tree.is_leaf(n.location));
      listed.insert({n.offset, n.location});
    }
    const auto expected = brute_force_neighbours(tree, leaves, leaf);
    ASSERT_EQ(listed, expected) << "leaf level " << leaf.level << " at " << leaf.lx[0] << "," << leaf.lx[1] << ","
                                << leaf.lx[2];
    for (const auto& contact : expected)
      ASSERT_LE(std::abs(std::get<1>(contact).level - leaf.level), 1) << "2:1 broken";
  }
}

struct Case {
  int dims;
  std::array<int, 3> root;
  std::array<bool, 3> periodic;
  int max_level;
};

std::size_t leaves_of_root(const Case& c)
{
  return static_cast<std::size_t>(c.root[0] * (c.dims > 1 ? c.root[1] : 1) * (c.dims > 2 ? c.root[2] : 1));
}

// The tree's shape as the input keys give it: root blocks of 4 cells, periodic axes or not.
amr::TreeShape tree_shape(const Case& c)
{
  std::vector<std::string> keys{"problem.kind=sod", fmt::format("mesh.max_level={}", c.max_level)};
  const char* axes[3] = {"x", "y", "z"};
  for (std::size_t a = 0; a < 3; ++a) {
    const char* boundary = c.periodic[a] ? "periodic" : "outflow";
    keys = std::move(keys) + std::vector<std::string>{fmt::format("mesh.boundary_{}_lower={}", axes[a], boundary),
                                                      fmt::format("mesh.boundary_{}_upper={}", axes[a], boundary)};
  }
  const auto box = amr::testing::box_keys(c.dims, {4 * c.root[0], 4 * c.root[1], 4 * c.root[2]}, 4, "periodic");
  return tessera::params_for<amr::Simulation>(box + keys).shape.tree;
}

} // namespace

TEST(BlockTree, RandomRefinementKeepsTwoToOneAndNeighbourLists)
{
  const Case cases[] = {{1, {4, 1, 1}, {true, true, true}, 5},
                        {2, {2, 3, 1}, {true, false, true}, 4},
                        {3, {2, 2, 2}, {true, true, true}, 3},
                        {3, {1, 2, 1}, {false, false, true}, 3}};
  for (const auto& c : cases) {
    amr::BlockTree tree(tree_shape(c));
    std::mt19937_64 random(1234 + c.dims);
    for (int step = 0; step < 40; ++step) {
      const auto leaves = tree.leaves();
      const auto& pick = leaves[random() % leaves.size()];
      if (random() % 3 != 0 || pick.level == 0)
        (void)tree.refine(pick);
      else
        (void)tree.derefine(pick.parent());
      check_tree(tree);
      if (HasFatalFailure()) return;
    }
    EXPECT_GT(tree.size(), leaves_of_root(c)) << c.dims << "-D";
  }
}

TEST(BlockTree, RefiningNextToACoarseBlockRefinesItFirst)
{
  // 2-D, 2x1 root blocks: refine the left block twice at its right edge; the right block
  // must be refined once so that no level jump exceeds one.
  amr::BlockTree tree(tree_shape({2, {2, 1, 1}, {false, false, false}, 3}));
  ASSERT_TRUE(tree.refine({0, {0, 0, 0}}));
  ASSERT_TRUE(tree.refine({1, {1, 0, 0}}));
  EXPECT_FALSE(tree.is_leaf({0, {1, 0, 0}}));
  EXPECT_TRUE(tree.is_leaf({1, {2, 0, 0}}));
  EXPECT_EQ(tree.size(), 3u + 4u + 4u);
  // Derefining the right block back would break 2:1 against level-2 blocks: refused.
  EXPECT_FALSE(tree.derefine({0, {1, 0, 0}}));
  check_tree(tree);
}
