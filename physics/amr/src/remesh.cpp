// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/remesh.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/amr/halo_transfer.hpp"
#include "tessera/core/loops.hpp"

namespace tessera::amr {
namespace {

enum Move : int { keep = 0, prolong = 1, restrict_children = 2 };

// Where the cells of one new block come from.
struct BlockMove {
  int kind = keep;
  int src = 0;    // the old block (keep, prolong)
  int levels = 0; // levels between the old block and the new one (prolong)
  int lx[3] = {0, 0, 0}, src_lx[3] = {0, 0, 0};
  int children[8] = {0, 0, 0, 0, 0, 0, 0, 0}; // old children by position bits (restrict)
};

// Where the old blocks a new block reads are: on this rank (old block b < old_mesh.blocks())
// or copied from their owner into the array of remote blocks (slot r, numbered old blocks + r).
class OldBlocks {
public:
  explicit OldBlocks(const Mesh& old_mesh) : old_(old_mesh) {}

  int find(const LogicalLocation& leaf)
  {
    const int local = old_.slot_of(leaf);
    if (local >= 0 && local < old_.blocks()) return local;
    const auto [it, fresh] = remote_.emplace(leaf, static_cast<int>(remote_.size()));
    if (fresh) {
      HaloNeed need;
      need.source = leaf, need.slot = it->second;
      for (int a = 0; a < 3; ++a)
        need.hi[a] = old_.extent().cells[a]; // the whole block: prolongation reads its ghosts
      needs_.push_back(need);
    }
    return old_.blocks() + it->second;
  }
  const std::vector<HaloNeed>& needs() const { return needs_; }

private:
  const Mesh& old_;
  std::map<LogicalLocation, int> remote_;
  std::vector<HaloNeed> needs_;
};

std::vector<BlockMove> moves(const Mesh& old_mesh, const Mesh& next, OldBlocks& old_blocks)
{
  const int dims = next.shape().tree.dims;
  std::vector<BlockMove> out;
  for (const auto& loc : next.locations()) {
    BlockMove m;
    for (int a = 0; a < 3; ++a)
      m.lx[a] = static_cast<int>(loc.lx[a]);
    const auto cover = old_mesh.tree().covering_leaf(loc);
    if (cover.level >= 0) {
      m.kind = cover.level == loc.level ? keep : prolong;
      m.src = old_blocks.find(cover);
      m.levels = loc.level - cover.level;
      for (int a = 0; a < 3; ++a)
        m.src_lx[a] = static_cast<int>(cover.lx[a]);
    } else {
      m.kind = restrict_children;
      for (int c = 0; c < (1 << dims); ++c) {
        const auto child = loc.child(c, dims);
        if (!old_mesh.tree().is_leaf(child))
          throw std::logic_error("remesh: a merged block's children were not all leaves");
        m.children[c] = old_blocks.find(child);
      }
    }
    out.push_back(m);
  }
  return out;
}

KOKKOS_INLINE_FUNCTION double minmod(double a, double b)
{
  return a * b <= 0 ? 0.0 : (Kokkos::fabs(a) < Kokkos::fabs(b) ? a : b);
}

struct MoveData {
  BlockData local, remote, to; // old blocks of this rank, old blocks of others, new blocks
  View<BlockMove*> plan;
  BlockExtent e;
  int variables, old_blocks;

  KOKKOS_FUNCTION double from(int b, int v, int k, int j, int i) const
  {
    return b < old_blocks ? local(b, v, k, j, i) : remote(b - old_blocks, v, k, j, i);
  }

  KOKKOS_FUNCTION double prolonged(const BlockMove& m, int v, const int idx[3]) const
  {
    int c[3] = {0, 0, 0};
    double offset[3] = {0, 0, 0};
    const int scale = 1 << m.levels;
    for (int a = 0; a < e.dims; ++a) {
      const int global = m.lx[a] * e.n + idx[a] - ghosts; // at the new level
      const int coarse = global / scale;                  // never negative inside the domain
      c[a] = coarse - m.src_lx[a] * e.n + ghosts;
      offset[a] = (global + 0.5) / scale - (coarse + 0.5);
    }
    const double centre = from(m.src, v, c[2], c[1], c[0]);
    double value = centre;
    for (int a = 0; a < e.dims; ++a) {
      const int di = a == 0, dj = a == 1, dk = a == 2;
      const double up = from(m.src, v, c[2] + dk, c[1] + dj, c[0] + di) - centre;
      const double down = centre - from(m.src, v, c[2] - dk, c[1] - dj, c[0] - di);
      value += offset[a] * minmod(up, down);
    }
    return value;
  }

  KOKKOS_FUNCTION double restricted(const BlockMove& m, int v, const int idx[3]) const
  {
    int position = 0, f[3] = {0, 0, 0};
    for (int a = 0; a < e.dims; ++a) {
      const int fine = 2 * (m.lx[a] * e.n + idx[a] - ghosts); // first fine cell, global
      const int child_lx = fine / e.n;
      position |= (child_lx - 2 * m.lx[a]) << a;
      f[a] = fine - child_lx * e.n + ghosts;
    }
    const int src = m.children[position];
    double sum = 0;
    for (int dk = 0; dk < (e.dims > 2 ? 2 : 1); ++dk)
      for (int dj = 0; dj < (e.dims > 1 ? 2 : 1); ++dj)
        for (int di = 0; di < 2; ++di)
          sum += from(src, v, f[2] + dk, f[1] + dj, f[0] + di);
    return sum / (1 << e.dims);
  }

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const int b = team.league_rank();
    const BlockMove m = plan(b);
    const int n0 = e.end[0] - e.begin[0], n1 = e.end[1] - e.begin[1], n2 = e.end[2] - e.begin[2];
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, variables * n0 * n1 * n2), [&](int q) {
      const int idx[3] = {e.begin[0] + q % n0, e.begin[1] + (q / n0) % n1, e.begin[2] + (q / (n0 * n1)) % n2};
      const int v = q / (n0 * n1 * n2);
      to(b, v, idx[2], idx[1], idx[0]) = m.kind == keep      ? from(m.src, v, idx[2], idx[1], idx[0])
                                         : m.kind == prolong ? prolonged(m, v, idx)
                                                             : restricted(m, v, idx);
    });
  }
};

} // namespace

BlockData remesh(const Mesh& old_mesh, const BlockData& old_data, const Mesh& next)
{
  OldBlocks old_blocks(old_mesh);
  const auto plan = moves(old_mesh, next, old_blocks);
  // Old blocks of other ranks that this rank's new blocks read (rebalancing moves whole blocks).
  const HaloTransfer transfer(old_mesh, old_blocks.needs());
  const auto& e = old_mesh.extent();
  BlockData remote("amr::remesh_remote", old_blocks.needs().size(), static_cast<std::size_t>(old_mesh.variables()),
                   static_cast<std::size_t>(e.cells[2]), static_cast<std::size_t>(e.cells[1]),
                   static_cast<std::size_t>(e.cells[0]));
  transfer.run({old_data, old_data, old_data}, {remote, remote, remote});
  View<BlockMove*> device(std::string("amr::remesh_plan"), plan.size());
  auto host = Kokkos::create_mirror_view(device);
  for (std::size_t i = 0; i < plan.size(); ++i)
    host(i) = plan[i];
  Kokkos::deep_copy(device, host);
  BlockData out = next.allocate("amr::u");
  par_for_team("amr::remesh", team_policy(ExecSpace(), next.blocks(), 0, 0),
               MoveData{old_data, remote, out, device, next.extent(), next.variables(), old_mesh.blocks()});
  return out;
}

} // namespace tessera::amr
