#include "tessera/amr/params.hpp"

#include <fmt/format.h>

#include "tessera/amr/problems.hpp"
#include "tessera/core/errors.hpp"

namespace tessera::amr {

namespace {

constexpr const char* axis_names[3] = {"x", "y", "z"};
const std::vector<std::string> boundary_kinds{"periodic", "outflow", "reflecting"};

Boundary boundary_of(const std::string& name)
{
  return name == "periodic" ? Boundary::periodic : name == "outflow" ? Boundary::outflow : Boundary::reflecting;
}

void declare_mesh(ConfigSchema& s)
{
  s.add_int("mesh.dims", 3, "dimensions of the mesh", 1, 3)
      .add_int("mesh.block_cells", 16, "cells per axis of every mesh block (even)", 4, 1024);
  for (int a = 0; a < 3; ++a) {
    const std::string x = axis_names[a];
    s.add_int("mesh.cells_" + x, 64, "cells of the root grid along " + x + " (a multiple of mesh.block_cells)", 1,
              1 << 30)
        .add_real("mesh." + x + "_min", 0.0, "lower bound of the domain along " + x, -1e30, 1e30, "length")
        .add_real("mesh." + x + "_max", 1.0, "upper bound of the domain along " + x, -1e30, 1e30, "length")
        .add_string("mesh.boundary_" + x + "_lower", "periodic", "boundary condition at the lower " + x + " face",
                    boundary_kinds)
        .add_string("mesh.boundary_" + x + "_upper", "periodic", "boundary condition at the upper " + x + " face",
                    boundary_kinds);
  }
  s.add_int("mesh.max_level", 2, "finest refinement level (0: a uniform mesh of blocks)", 0, 20);
}

void declare_hydro(ConfigSchema& s)
{
  s.add_real("hydro.gamma", 5.0 / 3.0, "adiabatic index of the ideal gas", 1.0 + 1e-9, 10.0)
      .add_real("hydro.cfl", 0.3, "Courant number of the global time step (stable up to 1/dims)", 1e-6, 1.0)
      .add_string("hydro.riemann", "hllc", "Riemann solver", {"hllc", "hlle"})
      .add_string("hydro.limiter", "van_leer", "slope limiter of the piecewise-linear reconstruction",
                  {"minmod", "van_leer", "mc"})
      .add_real("hydro.density_floor", 1e-10, "smallest density a cell may have", 0.0, 1e30)
      .add_real("hydro.pressure_floor", 1e-12, "smallest pressure a cell may have", 0.0, 1e30)
      .add_int("hydro.scalars", 0, "passive scalars advected with the flow", 0, max_scalars);
}

void declare_refinement(ConfigSchema& s)
{
  s.add_int("refinement.interval", 4, "steps between regrids (0: the initial mesh is kept)", 0, 1 << 30)
      .add_real("refinement.refine_threshold", 0.8, "Lohner estimator above which a block is refined", 0.0, 1.0)
      .add_real("refinement.derefine_threshold", 0.2, "below which (for all siblings) blocks are merged", 0.0, 1.0)
      .add_real("refinement.filter", 0.01, "Lohner's epsilon: relative ripples below it are ignored", 0.0, 1.0)
      .add_int("refinement.buffer", 1, "ghost cells around a block included in its estimate", 0, 1)
      .add_int("refinement.region_level", 0, "blocks overlapping the region are kept at least at this level (0: none)",
               0, 20);
  for (int a = 0; a < 3; ++a) {
    const std::string x = axis_names[a];
    s.add_real("refinement.region_" + x + "_min", 0.0, "lower bound of the refined region along " + x, -1e30, 1e30,
               "length")
        .add_real("refinement.region_" + x + "_max", 0.0, "upper bound of the refined region along " + x, -1e30, 1e30,
                  "length");
  }
}

void declare_run(ConfigSchema& s)
{
  std::string kinds;
  for (const auto& g : problem_generators())
    kinds += (kinds.empty() ? "" : ", ") + g.name;
  s.add_string("problem.kind", "sedov", "problem generator: " + kinds)
      .add_real("run.t_end", 0.1, "simulated time at which the run ends", 0.0, 1e30, "time")
      .add_int("run.max_steps", 0, "stop after this many steps (0: no limit)", 0, 1LL << 62)
      .add_int("run.log_interval", 10, "steps between progress lines", 1, 1 << 30)
      .add_real("output.plot_interval", 0.0, "simulated time between plot files (0: none)", 0.0, 1e30, "time")
      .add_int("output.history_interval", 1, "steps between rows of the history file (0: none)", 0, 1 << 30)
      .add_real("output.checkpoint_interval", 0.0, "simulated time between checkpoints (0: only at the end)", 0.0, 1e30,
                "time");
}

} // namespace

ConfigSchema schema()
{
  ConfigSchema s;
  declare_mesh(s);
  declare_hydro(s);
  declare_refinement(s);
  declare_run(s);
  for (const auto& g : problem_generators())
    if (g.declare_keys) g.declare_keys(s);
  return s;
}

namespace {

MeshShape mesh_shape_from(const Config& c)
{
  const std::string where = c.source();
  MeshShape shape;
  shape.tree.dims = static_cast<int>(c.get_int("mesh.dims"));
  shape.tree.max_level = static_cast<int>(c.get_int("mesh.max_level"));
  shape.block_cells = static_cast<int>(c.get_int("mesh.block_cells"));
  shape.scalars = static_cast<int>(c.get_int("hydro.scalars"));
  if (shape.block_cells % 2 != 0)
    throw InputError(fmt::format("{}: key 'mesh.block_cells' = {} must be even", where, shape.block_cells));
  for (int a = 0; a < 3; ++a) {
    const auto u = static_cast<std::size_t>(a);
    const std::string x = axis_names[a];
    shape.lower[u] = c.get_real("mesh." + x + "_min");
    shape.upper[u] = c.get_real("mesh." + x + "_max");
    if (a >= shape.tree.dims) {
      shape.tree.root[u] = 1;
      continue;
    }
    if (!(shape.upper[u] > shape.lower[u]))
      throw InputError(fmt::format("{}: key 'mesh.{}_max' = {} must exceed mesh.{}_min = {}", where, x, shape.upper[u],
                                   x, shape.lower[u]));
    const auto cells = c.get_int("mesh.cells_" + x);
    if (cells % shape.block_cells != 0)
      throw InputError(fmt::format("{}: key 'mesh.cells_{}' = {} must be a multiple of mesh.block_cells = {}", where, x,
                                   cells, shape.block_cells));
    shape.tree.root[u] = cells / shape.block_cells;
  }
  return shape;
}

BoundaryConditions boundaries_from(const Config& c, MeshShape& shape)
{
  BoundaryConditions bc{};
  for (int a = 0; a < 3; ++a) {
    const auto u = static_cast<std::size_t>(a);
    const std::string x = axis_names[a];
    const auto lower = c.get_string("mesh.boundary_" + x + "_lower");
    const auto upper = c.get_string("mesh.boundary_" + x + "_upper");
    if ((lower == "periodic") != (upper == "periodic"))
      throw InputError(fmt::format("{}: keys 'mesh.boundary_{}_lower' = \"{}\" and 'mesh.boundary_{}_upper' = \"{}\": "
                                   "periodic must be on both sides or neither",
                                   c.source(), x, lower, x, upper));
    bc[u] = {boundary_of(lower), boundary_of(upper)};
    shape.tree.periodic[u] = lower == "periodic";
  }
  return bc;
}

HydroParams hydro_from(const Config& c)
{
  HydroParams h;
  h.gamma = c.get_real("hydro.gamma");
  h.cfl = c.get_real("hydro.cfl");
  h.riemann = c.get_string("hydro.riemann") == "hlle" ? RiemannSolver::hlle : RiemannSolver::hllc;
  const auto limiter = c.get_string("hydro.limiter");
  h.limiter = limiter == "minmod" ? Limiter::minmod
              : limiter == "mc"   ? Limiter::monotonized_central
                                  : Limiter::van_leer;
  h.density_floor = c.get_real("hydro.density_floor");
  h.pressure_floor = c.get_real("hydro.pressure_floor");
  return h;
}

RefinementParams refinement_from(const Config& c)
{
  RefinementParams r;
  r.interval = static_cast<int>(c.get_int("refinement.interval"));
  r.refine_threshold = c.get_real("refinement.refine_threshold");
  r.derefine_threshold = c.get_real("refinement.derefine_threshold");
  r.filter = c.get_real("refinement.filter");
  r.buffer = static_cast<int>(c.get_int("refinement.buffer"));
  if (r.derefine_threshold >= r.refine_threshold)
    throw InputError(fmt::format("{}: key 'refinement.derefine_threshold' = {} must be below "
                                 "refinement.refine_threshold = {}",
                                 c.source(), r.derefine_threshold, r.refine_threshold));
  if (const auto level = c.get_int("refinement.region_level"); level > 0) {
    RefinementRegion region;
    region.level = static_cast<int>(level);
    for (int a = 0; a < 3; ++a) {
      const std::string x = axis_names[a];
      region.lower[static_cast<std::size_t>(a)] = c.get_real("refinement.region_" + x + "_min");
      region.upper[static_cast<std::size_t>(a)] = c.get_real("refinement.region_" + x + "_max");
    }
    r.regions.push_back(region);
  }
  return r;
}

} // namespace

Params params_from(const Config& c, const std::filesystem::path& output_dir)
{
  Params p;
  p.shape = mesh_shape_from(c);
  p.boundaries = boundaries_from(c, p.shape);
  p.hydro = hydro_from(c);
  p.refinement = refinement_from(c);
  for (const auto& region : p.refinement.regions)
    if (region.level > p.shape.tree.max_level)
      throw InputError(fmt::format("{}: key 'refinement.region_level' = {} exceeds mesh.max_level = {}", c.source(),
                                   region.level, p.shape.tree.max_level));
  p.problem = c.get_string("problem.kind");
  find_problem(p.problem, c.source()); // a one-line error now, not after the set-up
  p.t_end = c.get_real("run.t_end");
  p.max_steps = c.get_int("run.max_steps");
  p.log_interval = static_cast<int>(c.get_int("run.log_interval"));
  p.plot_interval = c.get_real("output.plot_interval");
  p.history_interval = static_cast<int>(c.get_int("output.history_interval"));
  p.checkpoint_interval = c.get_real("output.checkpoint_interval");
  p.output_dir = output_dir;
  return p;
}

std::string physics_fingerprint(const Config& c)
{
  std::string out;
  const auto keys = c.to_json();
  for (const auto& [key, value] : keys.items())
    if (key.rfind("mesh.", 0) == 0 || key == "hydro.gamma" || key == "hydro.scalars")
      out += fmt::format("{}={} ", key, value.dump());
  return out;
}

} // namespace tessera::amr
