// SPDX-License-Identifier: Apache-2.0
#pragma once
// The core demo: explicit heat diffusion on a periodic 3-D grid split over the ranks along x
// (halo exchange), and the gravitational potential energy of random particles from all
// pairs (team-scratch tiles, particles circulating around a ring of ranks).

#include <cstdint>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/core/cart.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/simulation.hpp"
#include "tessera/core/timers.hpp"

namespace tessera::demo {

// Every field comes from the input keys (schema() holds the defaults).
struct Params {
  Index nx, ny, nz; // global grid
  Index steps;
  double diffusivity; // D dt / dx^2, stable below 1/6
  Index particles;    // global number
  double softening;
  int tile;
  std::uint64_t seed;
};

ConfigSchema schema();
Params params_from(const Config& config);
// tessera-demo counts diffusion steps.
ProgressUnit unit();

// The grid with one ghost layer on each side: (nx_local + 2, ny + 2, nz + 2).
struct Grid {
  ViewRight<double***> temperature;
  Index x_offset = 0; // global x index of the first interior cell
};

Grid make_grid(const CartComm& cart, const Params& p);
// Random initial temperatures keyed by global cell index: the same field on any rank count.
void initialise_grid(const Grid& grid, const Params& p);
// One explicit step: halo exchange, then the 7-point stencil into `scratch`, swapped back.
void diffuse(const HaloExchange3D<double>& halo, Grid& grid, ViewRight<double***>& scratch, double diffusivity);
// Sum of the interior temperatures over all ranks (conserved by periodic diffusion).
double total_heat(const CartComm& cart, const Grid& grid);

// Particles: positions (n_local, 3) and masses, drawn from the RNG by global index.
struct Particles {
  View<double* [3]> position;
  View<double*> mass;
  View<double*> potential; // per particle, from all others
  Index first = 0;         // global index of the first local particle
};
Particles make_particles(const Comm& comm, const Params& p);
// phi_i = -sum_j m_j / sqrt(r_ij^2 + eps^2) over all j != i on all ranks (ring of tiles);
// returns the total potential energy 1/2 sum_i m_i phi_i.
double compute_potential(const Comm& comm, const Particles& particles, const Params& p);

// The demo under core's run loop (tessera-demo): one diffusion step per unit of work, the
// pair potential once at the start, checkpoints of the grid, demo.h5 (+ XDMF) at the end.
class Simulation {
public:
  using Params = demo::Params;
  static SimulationInfo info();
  static ConfigSchema schema() { return demo::schema(); }
  static Params params(const Config& config) { return params_from(config); }

  Simulation(const RunContext& context, const Params& params);
  Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);

  void advance(double target);
  double position() const { return static_cast<double>(step_); }
  double end() const { return static_cast<double>(params_.steps); }
  void write_checkpoint(CheckpointWriter& writer) const;
  DiagnosticsRow diagnostics() const { return {}; }
  void write_output(const OutputRequest& request);
  Results results();

private:
  RunContext context_;
  Params params_;
  CartComm cart_;
  Grid grid_;
  ViewRight<double***> scratch_;
  HaloExchange3D<double> halo_;
  Particles particles_;
  Index step_ = 0, first_step_ = 0;
  double heat0_ = 0, energy_ = 0, heat_ = 0;
};

} // namespace tessera::demo
