#include "tessera/amr/adaptive_run.hpp"

#include <utility>

#include "tessera/amr/remesh.hpp"

namespace tessera::amr {

AdaptiveRun::AdaptiveRun(const MeshShape& shape, BlockTree tree, const HydroParams& hydro, const BoundaryConditions& bc,
                         const RefinementParams& refinement)
    : shape_(shape), hydro_params_(hydro), bc_(bc), refinement_(refinement)
{
  rebuild(std::move(tree));
  u_ = mesh_->allocate("amr::u");
}

void AdaptiveRun::rebuild(BlockTree tree)
{
  if (hydro_) floors_before_ += hydro_->floors_applied();
  auto mesh = std::make_unique<Mesh>(shape_, std::move(tree));
  // The solver and the exchange refer to the mesh: built anew with it.
  hydro_ = std::make_unique<Hydro>(*mesh, hydro_params_);
  ghosts_ = std::make_unique<GhostExchange>(*mesh, bc_);
  mesh_ = std::move(mesh);
}

bool AdaptiveRun::regrid(const RefinementParams& criteria)
{
  ghosts_->fill(u_);
  const auto estimates = block_estimates(*mesh_, u_, hydro_params_.gamma, criteria);
  BlockTree tree = mesh_->tree();
  if (!adapt(*mesh_, estimates, criteria, tree)) return false;
  const auto old_mesh = std::move(mesh_);
  const BlockData old_data = u_;
  mesh_ = std::make_unique<Mesh>(shape_, std::move(tree));
  u_ = remesh(*old_mesh, old_data, *mesh_);
  floors_before_ += hydro_->floors_applied();
  hydro_ = std::make_unique<Hydro>(*mesh_, hydro_params_);
  ghosts_ = std::make_unique<GhostExchange>(*mesh_, bc_);
  return true;
}

} // namespace tessera::amr
