// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/flux_correction.hpp"

#include <map>
#include <string>
#include <vector>

#include "tessera/core/loops.hpp"

namespace tessera::amr {
namespace {

// The single axis along which neighbour `nb` shares a face with its block, or -1 (an edge or
// a corner neighbour).
int face_axis(const Neighbour& nb)
{
  int axis = -1, nonzero = 0;
  for (int a = 0; a < 3; ++a)
    if (nb.offset[a] != 0) axis = a, ++nonzero;
  return nonzero == 1 ? axis : -1;
}

std::vector<int> level_face_bits(const Mesh& mesh)
{
  std::vector<int> bits(static_cast<std::size_t>(mesh.blocks()), 0);
  for (int b = 0; b < mesh.blocks(); ++b)
    for (const auto& nb : mesh.neighbours(b)) {
      const int axis = face_axis(nb);
      if (axis >= 0 && nb.level_difference != 0)
        bits[static_cast<std::size_t>(b)] |= 1 << (2 * axis + (nb.offset[axis] > 0 ? 1 : 0));
    }
  return bits;
}

std::vector<FineFace> faces_against_coarser(const Mesh& mesh)
{
  std::vector<FineFace> faces;
  for (int b = 0; b < mesh.blocks(); ++b)
    for (const auto& nb : mesh.neighbours(b)) {
      const int axis = face_axis(nb);
      if (axis >= 0 && nb.level_difference == -1) faces.push_back({b, axis, nb.offset[axis] > 0 ? 1 : 0});
    }
  return faces;
}

// The fine block's fluxes through its face against the coarse block, if another rank owns it.
HaloNeed fine_face_need(const Mesh& mesh, const FluxFix& f)
{
  const auto& e = mesh.extent();
  HaloNeed need;
  need.source = mesh.halo()[static_cast<std::size_t>(f.fine - mesh.blocks())];
  need.slot = f.fine, need.array = f.axis;
  for (int a = 0; a < e.dims; ++a)
    need.lo[a] = e.begin[a], need.hi[a] = e.end[a];
  need.lo[f.axis] = f.fine_face, need.hi[f.axis] = f.fine_face + 1;
  return need;
}

std::vector<FluxFix> coarse_fine_faces(const Mesh& mesh)
{
  const auto& e = mesh.extent();
  std::vector<FluxFix> fixes;
  for (int b = 0; b < mesh.blocks(); ++b) {
    for (const auto& nb : mesh.neighbours(b)) {
      const int axis = face_axis(nb);
      if (axis < 0 || nb.level_difference != 1) continue; // faces against finer blocks only
      FluxFix f;
      f.coarse = b, f.fine = mesh.slot_of(nb.location), f.axis = axis;
      f.coarse_face = nb.offset[axis] < 0 ? e.begin[axis] : e.end[axis];
      f.fine_face = nb.offset[axis] < 0 ? e.end[axis] : e.begin[axis];
      for (int t = 0; t < e.dims; ++t) {
        if (t == axis) continue;
        const int half = static_cast<int>(nb.location.lx[t] & 1);
        f.lo[t] = e.begin[t] + half * e.n / 2;
        f.hi[t] = f.lo[t] + e.n / 2;
        f.c[t] = -ghosts - half * e.n;
      }
      fixes.push_back(f);
    }
  }
  return fixes;
}

struct ApplyFixes {
  BlockData fx, fy, fz;
  View<FluxFix*> fixes;
  int variables, dims;

  KOKKOS_FUNCTION void operator()(const TeamMember& team) const
  {
    const FluxFix f = fixes(team.league_rank());
    const BlockData& flux = f.axis == 0 ? fx : (f.axis == 1 ? fy : fz);
    const int ni = f.hi[0] - f.lo[0], nj = f.hi[1] - f.lo[1], nk = f.hi[2] - f.lo[2];
    Kokkos::parallel_for(Kokkos::TeamThreadRange(team, variables * ni * nj * nk), [&](int n) {
      int c[3] = {f.lo[0] + n % ni, f.lo[1] + (n / ni) % nj, f.lo[2] + (n / (ni * nj)) % nk};
      const int v = n / (ni * nj * nk);
      c[f.axis] = f.coarse_face;
      // The 2^(dims - 1) fine faces covering this coarse face.
      int base[3], reach[3];
      for (int a = 0; a < 3; ++a) {
        const bool transverse = a != f.axis && a < dims;
        base[a] = a == f.axis ? f.fine_face : (transverse ? 2 * c[a] + f.c[a] : 0);
        reach[a] = transverse ? 2 : 1;
      }
      double sum = 0;
      for (int dk = 0; dk < reach[2]; ++dk)
        for (int dj = 0; dj < reach[1]; ++dj)
          for (int di = 0; di < reach[0]; ++di)
            sum += flux(f.fine, v, base[2] + dk, base[1] + dj, base[0] + di);
      flux(f.coarse, v, c[2], c[1], c[0]) = sum / (1 << (dims - 1));
    });
  }
};

std::vector<HaloNeed> remote_fine_faces(const Mesh& mesh, const std::vector<FluxFix>& fixes)
{
  std::vector<HaloNeed> needs;
  for (const auto& f : fixes)
    if (f.fine >= mesh.blocks()) needs.push_back(fine_face_need(mesh, f));
  return needs;
}

} // namespace

FluxCorrection::FluxCorrection(const Mesh& mesh) : FluxCorrection(mesh, coarse_fine_faces(mesh)) {}

FluxCorrection::FluxCorrection(const Mesh& mesh, const std::vector<FluxFix>& fixes)
    : transfer_(mesh, remote_fine_faces(mesh, fixes)), variables_(mesh.variables()), dims_(mesh.shape().tree.dims)
{
  fixes_ = to_device(fixes, "amr::flux_fixes");
  level_faces_ = to_device(level_face_bits(mesh), "amr::level_faces");
  fine_faces_ = to_device(faces_against_coarser(mesh), "amr::fine_faces");
}

void FluxCorrection::apply(const std::array<BlockData, 3>& flux) const
{
  const std::array<BlockData, 3> arrays{flux[0], dims_ > 1 ? flux[1] : flux[0], dims_ > 2 ? flux[2] : flux[0]};
  transfer_.run(arrays);
  if (fixes_.extent(0) == 0) return;
  par_for_team("amr::flux_correction", team_policy(ExecSpace(), static_cast<Index>(fixes_.extent(0)), 0, 0),
               ApplyFixes{arrays[0], arrays[1], arrays[2], fixes_, variables_, dims_});
}

} // namespace tessera::amr
