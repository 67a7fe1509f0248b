// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/adaptive_run.hpp"

#include <utility>

#include "tessera/amr/remesh.hpp"

namespace tessera::amr {

AdaptiveRun::AdaptiveRun(const MeshShape& shape, BlockTree tree, const HydroParams& hydro, const BoundaryConditions& bc,
                         const RefinementParams& refinement, const Comm& comm)
    : shape_(shape), hydro_params_(hydro), bc_(bc), refinement_(refinement), comm_(comm)
{
  rebuild(std::make_unique<Mesh>(shape_, std::move(tree), comm_));
  u_ = mesh_->allocate("amr::u");
}

void AdaptiveRun::rebuild(std::unique_ptr<Mesh> mesh)
{
  if (hydro_) floors_before_ += hydro_->floors_applied();
  // The solver and the exchange refer to the mesh: built anew with it.
  hydro_ = std::make_unique<Hydro>(*mesh, hydro_params_);
  ghosts_ = std::make_unique<GhostExchange>(*mesh, bc_);
  mesh_ = std::move(mesh);
}

BlockData AdaptiveRun::advanced_copy(double dt)
{
  BlockData copy = mesh_->allocate("amr::side_step", Mesh::uninitialised);
  Kokkos::deep_copy(copy, u_);
  hydro_->step_uncounted(copy, dt, *ghosts_);
  return copy;
}

bool AdaptiveRun::regrid(const RefinementParams& criteria)
{
  ghosts_->fill(u_);
  const auto estimates = block_estimates(*mesh_, u_, hydro_params_.gamma, criteria);
  BlockTree tree = mesh_->tree();
  if (!adapt(*mesh_, estimates, criteria, tree)) return false;
  auto next = std::make_unique<Mesh>(shape_, std::move(tree), comm_);
  u_ = remesh(*mesh_, u_, *next);
  rebuild(std::move(next));
  return true;
}

} // namespace tessera::amr
