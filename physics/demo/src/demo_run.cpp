// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/demo/demo.hpp"

namespace tessera::demo {

ConfigSchema schema()
{
  ConfigSchema s;
  s.add_int("grid.nx", 32, "global cells along x (divisible by the number of ranks)", 1, 1 << 14)
      .add_int("grid.ny", 32, "global cells along y", 1, 1 << 14)
      .add_int("grid.nz", 32, "global cells along z", 1, 1 << 14)
      .add_real("grid.diffusivity", 0.1, "D dt / dx^2 of the explicit step (stable below 1/6)", 0.0, 1.0 / 6.0)
      .add_int("run.steps", 200, "diffusion steps", 0, 1e9)
      .add_int("run.seed", 1, "seed of the counter-based RNG", 0, 9.0e18)
      .add_int("particles.n", 2048,
               "global number of particles (divisible by the number of ranks; each step sums all n^2 "
               "pairs, so the run stops only between steps)",
               1, 1 << 18)
      .add_real("particles.softening", 0.01, "Plummer softening length", 0.0, 1.0)
      .add_int("particles.tile", 128,
               "j-particles staged per team-scratch tile (32 B each: 1023 fill the 32 KiB a "
               "team may use)",
               1, 1023);
  declare_run_keys(s, unit(), {.checkpoint_interval = 0, .checkpoint_wall_seconds = 3600, .log_interval = 50});
  s.renamed("run.checkpoint_every", "output.checkpoint_interval");
  s.fixed_on_restart({"grid.", "run.seed", "particles."});
  return s;
}

ProgressUnit unit()
{
  return {"step", "steps", false};
}

Params params_from(const Config& c)
{
  Params p{};
  p.nx = c.get_int("grid.nx");
  p.ny = c.get_int("grid.ny");
  p.nz = c.get_int("grid.nz");
  p.diffusivity = c.get_real("grid.diffusivity");
  p.steps = c.get_int("run.steps");
  p.seed = static_cast<std::uint64_t>(c.get_int("run.seed"));
  p.particles = c.get_int("particles.n");
  p.softening = c.get_real("particles.softening");
  p.tile = static_cast<int>(c.get_int("particles.tile"));
  return p;
}

namespace {

// The interior of the grid (no ghosts), as an (nx_local, ny, nz) View for files.
auto interior(const Grid& grid)
{
  const auto t = grid.temperature;
  return Kokkos::subview(t, Kokkos::make_pair<Index, Index>(1, t.extent(0) - 1),
                         Kokkos::make_pair<Index, Index>(1, t.extent(1) - 1),
                         Kokkos::make_pair<Index, Index>(1, t.extent(2) - 1));
}

void write_grid_checkpoint(CheckpointWriter& writer, const Grid& grid, const Params& p, Index step, double heat0)
{
  ViewRight<double***> copy("demo::checkpoint_grid", grid.temperature.extent(0) - 2, p.ny, p.nz);
  Kokkos::deep_copy(copy, interior(grid));
  writer.write_distributed("grid/temperature", copy);
  writer.attribute("step", static_cast<std::int64_t>(step));
  writer.attribute("initial_heat", heat0);
}

Index read_grid_checkpoint(CheckpointReader& reader, Grid& grid, const Params& p, double& heat0)
{
  const auto shape = reader.file().shape("grid/temperature");
  if (shape.size() != 3 || static_cast<Index>(shape[0]) != p.nx || static_cast<Index>(shape[1]) != p.ny ||
      static_cast<Index>(shape[2]) != p.nz) {
    throw IoError(fmt::format("{}: the checkpoint's grid is not grid.nx/ny/nz = {}x{}x{}", reader.path().string(), p.nx,
                              p.ny, p.nz));
  }
  ViewRight<double***> copy("demo::checkpoint_grid", grid.temperature.extent(0) - 2, p.ny, p.nz);
  reader.read_distributed("grid/temperature", copy);
  Kokkos::deep_copy(interior(grid), copy);
  heat0 = reader.attribute_real("initial_heat");
  return reader.attribute_int("step");
}

// An XDMF sidecar, so ParaView/VisIt open the HDF5 grid directly.
void write_xdmf(const std::filesystem::path& xdmf, const std::string& h5_name, const Params& p)
{
  std::ofstream out(xdmf);
  out << fmt::format(R"(<?xml version="1.0" ?>
<Xdmf Version="3.0">
  <Domain>
    <Grid Name="demo" GridType="Uniform">
      <Topology TopologyType="3DCoRectMesh" Dimensions="{0} {1} {2}"/>
      <Geometry GeometryType="ORIGIN_DXDYDZ">
        <DataItem Dimensions="3" Format="XML">0 0 0</DataItem>
        <DataItem Dimensions="3" Format="XML">1 1 1</DataItem>
      </Geometry>
      <Attribute Name="temperature" Center="Cell">
        <DataItem Dimensions="{3} {4} {5}" NumberType="Float" Precision="8" Format="HDF">{6}:/grid/temperature</DataItem>
      </Attribute>
    </Grid>
  </Domain>
</Xdmf>
)",
                     p.nx + 1, p.ny + 1, p.nz + 1, p.nx, p.ny, p.nz, h5_name);
}

void write_output(const Comm& comm, const std::filesystem::path& dir, const Grid& grid, const Particles& particles,
                  const Params& p, Index step, double heat, double energy)
{
  const auto path = dir / "demo.h5";
  Hdf5Writer writer(comm, path);
  ViewRight<double***> copy("demo::output_grid", grid.temperature.extent(0) - 2, p.ny, p.nz);
  Kokkos::deep_copy(copy, interior(grid));
  writer.write_distributed("grid/temperature", copy);
  writer.write_distributed("particles/position", particles.position);
  writer.write_distributed("particles/potential", particles.potential);
  writer.attribute("", "step", static_cast<std::int64_t>(step));
  writer.attribute("", "total_heat", heat);
  writer.attribute("", "potential_energy", energy);
  writer.attribute("", "backend", std::string(backend_name()));
  writer.attribute("", "commit", build_commit());
  writer.close();
  if (comm.is_root()) write_xdmf(dir / "demo.xdmf", "demo.h5", p);
}

// Refuses a grid and particles too large for the memory before anything is allocated: per
// rank, three copies of the local grid with its ghost layers (the temperature, the scratch of
// the step, the interior copy of an output or checkpoint) and 13 doubles per particle
// (position, mass, potential, and the travelling and arriving tiles of the ring).
const Params& fits_memory(const Comm& comm, const Params& p)
{
  const double nx_local = std::ceil(static_cast<double>(p.nx) / comm.size());
  const double grid = (nx_local + 2) * static_cast<double>(p.ny + 2) * static_cast<double>(p.nz + 2) * 3;
  const double particles = std::ceil(static_cast<double>(p.particles) / comm.size()) * 13;
  check_memory(
      comm, (grid + particles) * sizeof(double),
      fmt::format("grid.nx x grid.ny x grid.nz = {}x{}x{} with particles.n = {}", p.nx, p.ny, p.nz, p.particles),
      "use more ranks or a smaller grid");
  return p;
}

} // namespace

SimulationInfo Simulation::info()
{
  SimulationInfo i;
  i.name = "demo";
  i.description = "Tessera core demo: heat diffusion with halo exchange and a tiled all-pairs potential, with "
                  "checkpoints and HDF5 output";
  i.unit = unit();
  i.output_files = {"demo.h5", "demo.xdmf"};
  return i;
}

Simulation::Simulation(const RunContext& context, const Params& params)
    : context_(context), params_(fits_memory(context.comm, params)),
      cart_(context.comm, {context.comm.size(), 1, 1}, {true, true, true}), grid_(make_grid(cart_, params_)),
      scratch_("demo::scratch", grid_.temperature.extent(0), grid_.temperature.extent(1), grid_.temperature.extent(2)),
      halo_(cart_,
            {static_cast<Index>(grid_.temperature.extent(0)), static_cast<Index>(grid_.temperature.extent(1)),
             static_cast<Index>(grid_.temperature.extent(2))},
            1),
      particles_(make_particles(context.comm, params_))
{
  initialise_grid(grid_, params_);
  heat0_ = total_heat(cart_, grid_);
  {
    auto t = context_.scope("pair_potential");
    energy_ = compute_potential(context_.comm, particles_, params_);
  }
  log::info("particles: {} (tile {}), potential energy {:.12e}", params_.particles, params_.tile, energy_);
}

Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : Simulation(context, params)
{
  step_ = first_step_ = read_grid_checkpoint(checkpoint, grid_, params_, heat0_);
}

void Simulation::advance(double)
{
  diffuse(halo_, grid_, scratch_, params_.diffusivity);
  ++step_;
}

void Simulation::write_checkpoint(CheckpointWriter& writer) const
{
  write_grid_checkpoint(writer, grid_, params_, step_, heat0_);
}

void Simulation::write_output(const OutputRequest&)
{
  heat_ = total_heat(cart_, grid_);
  demo::write_output(context_.comm, context_.output_dir, grid_, particles_, params_, step_, heat_, energy_);
}

Results Simulation::results()
{
  const double drift = heat0_ != 0 ? (heat_ - heat0_) / heat0_ : 0.0;
  const double cells = static_cast<double>(params_.nx * params_.ny * params_.nz);
  const double diffuse_seconds = context_.timers ? context_.timers->seconds("advance") : 0.0;
  const double cell_rate = diffuse_seconds > 0 ? cells * static_cast<double>(step_ - first_step_) / diffuse_seconds : 0;
  const double pair_seconds = context_.timers ? context_.timers->seconds("pair_potential") : 0.0;
  const double pair_rate =
      pair_seconds > 0 ? static_cast<double>(params_.particles) * static_cast<double>(params_.particles) / pair_seconds
                       : 0;
  const auto output = (context_.output_dir / "demo.h5").string();
  Results r;
  r.rate = cell_rate;
  r.rate_unit = "cell-updates/s";
  r.lines = {
      fmt::format("steps {} | total heat {:.15e} (relative drift {:.2e}) | output {}", step_, heat_, drift, output),
      fmt::format("throughput: {:.3e} cell-updates/s (diffusion), {:.3e} interactions/s (pairs)", cell_rate,
                  pair_rate)};
  r.json = {{"steps", step_},
            {"total_heat_initial", heat0_},
            {"total_heat_final", heat_},
            {"relative_heat_drift", drift},
            {"potential_energy", energy_},
            {"cell_updates_per_second", cell_rate},
            {"interactions_per_second", pair_rate},
            {"output", output}};
  return r;
}

} // namespace tessera::demo
