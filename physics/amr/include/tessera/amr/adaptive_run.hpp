// SPDX-License-Identifier: Apache-2.0
#pragma once
// A hydrodynamics run on an adaptive mesh: the mesh, its data, the solver and the ghost
// exchange, rebuilt together whenever a regrid changes the tree (and the blocks move to the
// ranks of the new partition).

#include <memory>

#include "tessera/amr/ghost_exchange.hpp"
#include "tessera/amr/hydro.hpp"
#include "tessera/amr/refinement.hpp"

namespace tessera::amr {

class AdaptiveRun {
public:
  AdaptiveRun(const MeshShape& shape, BlockTree tree, const HydroParams& hydro, const BoundaryConditions& bc,
              const RefinementParams& refinement, const Comm& comm = Comm());

  const Mesh& mesh() const { return *mesh_; }
  const BlockData& data() const { return u_; }
  Hydro& hydro() { return *hydro_; }
  const GhostExchange& ghosts() const { return *ghosts_; }

  // Sets the data of the current mesh (e.g. from set_primitive_state).
  void set_data(const BlockData& u) { u_ = u; }

  double time_step() const { return hydro_->time_step(u_); }
  void step(double dt) { hydro_->step(u_, dt, *ghosts_); }
  // A copy of the state advanced by dt with the same step, the run's own state, floor count
  // and mesh untouched (no regrid): the state at a plot time between two steps.
  BlockData advanced_copy(double dt);
  // Tags blocks, adapts the tree and moves the data; returns whether the mesh changed.
  bool regrid() { return regrid(refinement_); }
  // The same under other criteria (the set-up adds the problem's initial regions).
  bool regrid(const RefinementParams& criteria);
  const RefinementParams& refinement() const { return refinement_; }

  // Counts floor corrections of an earlier part of the run (a restart).
  void add_floors(std::int64_t n) { floors_before_ += n; }
  std::int64_t floors_applied() const { return floors_before_ + hydro_->floors_applied(); }
  Totals totals() const { return hydro_->totals(u_); }

private:
  void rebuild(std::unique_ptr<Mesh> mesh);

  MeshShape shape_;
  HydroParams hydro_params_;
  BoundaryConditions bc_;
  RefinementParams refinement_;
  Comm comm_;
  std::unique_ptr<Mesh> mesh_;
  BlockData u_;
  std::unique_ptr<Hydro> hydro_;
  std::unique_ptr<GhostExchange> ghosts_;
  std::int64_t floors_before_ = 0;
};

} // namespace tessera::amr
