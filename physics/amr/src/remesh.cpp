#include "tessera/amr/remesh.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

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

std::vector<BlockMove> moves(const Mesh& old_mesh, const Mesh& next)
{
  std::map<LogicalLocation, int> old_index;
  for (int b = 0; b < old_mesh.blocks(); ++b)
    old_index[old_mesh.locations()[static_cast<std::size_t>(b)]] = b;
  const int dims = next.shape().tree.dims;
  std::vector<BlockMove> out;
  for (const auto& loc : next.locations()) {
    BlockMove m;
    for (int a = 0; a < 3; ++a)
      m.lx[a] = static_cast<int>(loc.lx[a]);
    const auto cover = old_mesh.tree().covering_leaf(loc);
    if (cover.level >= 0) {
      m.kind = cover.level == loc.level ? keep : prolong;
      m.src = old_index.at(cover);
      m.levels = loc.level - cover.level;
      for (int a = 0; a < 3; ++a)
        m.src_lx[a] = static_cast<int>(cover.lx[a]);
    } else {
      m.kind = restrict_children;
      for (int c = 0; c < (1 << dims); ++c) {
        const auto it = old_index.find(loc.child(c, dims));
        if (it == old_index.end()) throw std::logic_error("remesh: a merged block's children were not all leaves");
        m.children[c] = it->second;
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
  BlockData from, to;
  View<BlockMove*> plan;
  BlockExtent e;
  int variables;

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
  const auto plan = moves(old_mesh, next);
  View<BlockMove*> device(std::string("amr::remesh_plan"), plan.size());
  auto host = Kokkos::create_mirror_view(device);
  for (std::size_t i = 0; i < plan.size(); ++i)
    host(i) = plan[i];
  Kokkos::deep_copy(device, host);
  BlockData out = next.allocate("amr::u");
  par_for_team("amr::remesh", team_policy(ExecSpace(), next.blocks(), 0, 0),
               MoveData{old_data, out, device, next.extent(), next.variables()});
  return out;
}

} // namespace tessera::amr
