// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compressible Euler equations of an ideal gas on every block at once: second-order finite
// volumes, piecewise-linear reconstruction of the primitive variables with a slope limiter,
// HLLC or HLLE fluxes, and a two-stage Runge-Kutta step (SSP-RK2, Heun's method) with the
// global CFL time step. Density and pressure floors keep every cell physical; how often they
// fired is counted.

#include <array>
#include <cstdint>

#include "tessera/amr/flux_correction.hpp"
#include "tessera/amr/ghost_exchange.hpp"
#include "tessera/amr/mesh.hpp"

namespace tessera::amr {

enum class RiemannSolver { hllc, hlle };
enum class Limiter { minmod, van_leer, monotonized_central };

// From the input keys hydro.* (amr::params_from): the schema holds the defaults.
struct HydroParams {
  double gamma;
  double cfl;
  RiemannSolver riemann;
  Limiter limiter;
  double density_floor;
  double pressure_floor;
  int host_team_threads; // threads per team of the stage kernel on hosts (ignored on GPUs)
};

// Totals of the conserved variables over the interior of every block (mass, momentum,
// energy, scalars), in the order of the variables.
using Totals = std::array<double, 5 + 4>;

class Hydro {
public:
  Hydro(const Mesh& mesh, const HydroParams& params);

  const HydroParams& params() const { return params_; }

  // The largest stable step: cfl * min over cells and active axes of dx / (|v| + c_s), over
  // all ranks (like totals() and floors_applied(): collective).
  double time_step(const BlockData& u) const;
  // Advances u by dt; ghosts are filled by `ghosts` before each stage.
  void step(const BlockData& u, double dt, const GhostExchange& ghosts);
  // The same step of a state that is not the run's (a plot's side step): its floor
  // corrections are not counted.
  void step_uncounted(const BlockData& u, double dt, const GhostExchange& ghosts);
  // Cells whose density or pressure a floor has raised on any rank, since construction.
  std::int64_t floors_applied() const;

  // Collective: over all ranks; each rank adds its blocks in order in long double.
  Totals totals(const BlockData& u) const;

private:
  // u <- keep_initial * initial + (1 - keep_initial) * (u + dt L(u)); save_initial: first
  // keeps u (interior cells) in initial_.
  void stage(const BlockData& u, double dt, double keep_initial, bool save_initial);

  const Mesh& mesh_;
  HydroParams params_;
  BlockData initial_, primitive_;
  // Fluxes of the faces between levels only (the stage kernel keeps all others in scratch).
  std::array<BlockData, 3> flux_;
  FluxCorrection corrections_;
  View<std::int64_t> floor_count_; // on the device: no copy back per stage
};

} // namespace tessera::amr
