#include <fstream>

#include <fmt/format.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/progress.hpp"
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
      .add_int("run.checkpoint_every", 0, "steps between checkpoints (0: only at the end)", 0, 1e9)
      .add_int("particles.n", 2048, "global number of particles (divisible by the number of ranks)", 1, 1 << 24)
      .add_real("particles.softening", 0.01, "Plummer softening length", 0.0, 1.0)
      .add_int("particles.tile", 128, "j-particles staged per team-scratch tile", 1, 4096);
  return s;
}

Params params_from(const Config& c, const std::filesystem::path& output_dir)
{
  Params p;
  p.nx = c.get_int("grid.nx");
  p.ny = c.get_int("grid.ny");
  p.nz = c.get_int("grid.nz");
  p.diffusivity = c.get_real("grid.diffusivity");
  p.steps = c.get_int("run.steps");
  p.seed = static_cast<std::uint64_t>(c.get_int("run.seed"));
  p.checkpoint_every = c.get_int("run.checkpoint_every");
  p.particles = c.get_int("particles.n");
  p.softening = c.get_real("particles.softening");
  p.tile = static_cast<int>(c.get_int("particles.tile"));
  p.output_dir = output_dir;
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

void write_checkpoint(const Comm& comm, const std::filesystem::path& path, const Grid& grid, const Params& p,
                      Index step, double heat0)
{
  CheckpointWriter writer(comm, path);
  ViewRight<double***> copy("demo::checkpoint_grid", grid.temperature.extent(0) - 2, p.ny, p.nz);
  Kokkos::deep_copy(copy, interior(grid));
  writer.write_distributed("grid/temperature", copy);
  writer.attribute("step", static_cast<std::int64_t>(step));
  writer.attribute("initial_heat", heat0);
  writer.attribute("seed", static_cast<std::int64_t>(p.seed));
  writer.commit();
}

Index read_checkpoint(const Comm& comm, const std::filesystem::path& path, Grid& grid, const Params& p, double& heat0)
{
  CheckpointReader reader(comm, path);
  const auto shape = reader.file().shape("grid/temperature");
  if (shape.size() != 3 || static_cast<Index>(shape[0]) != p.nx || static_cast<Index>(shape[1]) != p.ny ||
      static_cast<Index>(shape[2]) != p.nz) {
    throw InputError(
        fmt::format("{}: checkpoint grid does not match grid.nx/ny/nz = {}x{}x{}", path.string(), p.nx, p.ny, p.nz));
  }
  ViewRight<double***> copy("demo::checkpoint_grid", grid.temperature.extent(0) - 2, p.ny, p.nz);
  reader.read_distributed("grid/temperature", copy);
  Kokkos::deep_copy(interior(grid), copy);
  heat0 = reader.file().attribute_real("", "initial_heat");
  return reader.file().attribute_int("", "step");
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

void write_output(const Comm& comm, const Grid& grid, const Particles& particles, const Params& p, Index step,
                  double heat, double energy)
{
  const auto path = p.output_dir / "demo.h5";
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
  if (comm.is_root()) write_xdmf(p.output_dir / "demo.xdmf", "demo.h5", p);
}

} // namespace

Outcome run(const Comm& comm, const Params& p, const std::optional<std::filesystem::path>& restart, PhaseTimers& timers)
{
  CartComm cart(comm, {comm.size(), 1, 1}, {true, true, true});
  Grid grid = make_grid(cart, p);
  ViewRight<double***> scratch("demo::scratch", grid.temperature.extent(0), grid.temperature.extent(1),
                               grid.temperature.extent(2));
  const HaloExchange3D<double> halo(cart,
                                    {static_cast<Index>(grid.temperature.extent(0)),
                                     static_cast<Index>(grid.temperature.extent(1)),
                                     static_cast<Index>(grid.temperature.extent(2))},
                                    1);
  Particles particles = make_particles(comm, p);
  const auto checkpoint_path = p.output_dir / "demo.chk.h5";

  Index step = 0;
  double heat0 = 0;
  {
    auto t = timers.scope("initialise");
    if (restart) {
      step = read_checkpoint(comm, *restart, grid, p, heat0);
      log::info("restarted from {} at step {}", restart->string(), step);
    } else {
      initialise_grid(grid, p);
      heat0 = total_heat(cart, grid);
    }
  }
  double energy = 0;
  {
    auto t = timers.scope("pair_potential");
    energy = compute_potential(comm, particles, p);
  }
  log::info("particles: {} (tile {}), potential energy {:.12e}", p.particles, p.tile, energy);

  Outcome outcome;
  Progress progress("diffusion", p.steps, "steps");
  const Index first_step = step;
  while (step < p.steps) {
    {
      auto t = timers.scope("diffuse");
      diffuse(halo, grid, scratch, p.diffusivity);
    }
    ++step;
    progress.update(step);
    const bool stop = comm.any(stop_requested());
    if (stop || (p.checkpoint_every > 0 && step % p.checkpoint_every == 0 && step < p.steps)) {
      auto t = timers.scope("checkpoint");
      write_checkpoint(comm, checkpoint_path, grid, p, step, heat0);
    }
    if (stop) {
      outcome.interrupted = true;
      log::info("stop requested (signal {}): checkpoint written at step {}; continue with --restart {}", stop_signal(),
                step, checkpoint_path.string());
      break;
    }
  }
  progress.finish();

  double heat = 0;
  {
    auto t = timers.scope("output");
    heat = total_heat(cart, grid);
    if (!outcome.interrupted) write_checkpoint(comm, checkpoint_path, grid, p, step, heat0);
    write_output(comm, grid, particles, p, step, heat, energy);
  }
  const double drift = heat0 != 0 ? (heat - heat0) / heat0 : 0.0;
  const double cells = static_cast<double>(p.nx * p.ny * p.nz);
  const double diffuse_seconds = timers.seconds("diffuse");
  const double cell_rate = diffuse_seconds > 0 ? cells * static_cast<double>(step - first_step) / diffuse_seconds : 0;
  const double pair_seconds = timers.seconds("pair_potential");
  const double pair_rate = pair_seconds > 0 ? static_cast<double>(p.particles) * p.particles / pair_seconds : 0;
  log::info("steps {} | total heat {:.15e} (relative drift {:.2e}) | output {}", step, heat, drift,
            (p.output_dir / "demo.h5").string());
  log::info("throughput: {:.3e} cell-updates/s (diffusion), {:.3e} interactions/s (pairs)", cell_rate, pair_rate);

  outcome.steps_done = step;
  outcome.results = {{"steps", step},
                     {"total_heat_initial", heat0},
                     {"total_heat_final", heat},
                     {"relative_heat_drift", drift},
                     {"potential_energy", energy},
                     {"cell_updates_per_second", cell_rate},
                     {"interactions_per_second", pair_rate},
                     {"output", (p.output_dir / "demo.h5").string()},
                     {"checkpoint", checkpoint_path.string()}};
  return outcome;
}

} // namespace tessera::demo
