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
#include "tessera/core/timers.hpp"

namespace tessera::demo {

struct Params {
  Index nx = 32, ny = 32, nz = 32; // global grid
  Index steps = 200;
  double diffusivity = 0.1; // D dt / dx^2, stable below 1/6
  Index particles = 2048;   // global number
  double softening = 0.01;
  int tile = 128;
  std::uint64_t seed = 1;
  Index checkpoint_every = 0; // steps; 0 = only at the end
  std::filesystem::path output_dir = ".";
};

ConfigSchema schema();
Params params_from(const Config& config, const std::filesystem::path& output_dir);

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

struct Outcome {
  nlohmann::json results;
  Index steps_done = 0;
  bool interrupted = false;
};

// The whole run: initial state (or restart), steps with checkpoints, final output.
Outcome run(const Comm& comm, const Params& p, const std::optional<std::filesystem::path>& restart,
            PhaseTimers& timers);

} // namespace tessera::demo
