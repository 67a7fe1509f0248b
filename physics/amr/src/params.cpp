// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/params.hpp"

#include <fmt/format.h>

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
      .add_real("hydro.cfl", 0.3, "Courant number of the global time step (at most 1/mesh.dims, the stability limit)",
                1e-6, 1.0)
      .add_string("hydro.riemann", "hllc", "Riemann solver", {"hllc", "hlle"})
      .add_string("hydro.limiter", "van_leer", "slope limiter of the piecewise-linear reconstruction",
                  {"minmod", "van_leer", "mc"})
      // Positive: a floor of 0 lets a cell reach zero density or pressure (1e-300, the smallest
      // bound the schema can state for "above 0").
      .add_real("hydro.density_floor", 1e-10, "smallest density a cell may have (positive)", 1e-300, 1e30)
      .add_real("hydro.pressure_floor", 1e-12, "smallest pressure a cell may have (positive)", 1e-300, 1e30)
      .add_real("hydro.max_floored_fraction", 0.01,
                "floor corrections of one step per cell above which the run stops as blown up (a cell counts up to "
                "4 times: density and pressure, two stages)",
                0.0, 4.0)
      .add_int("hydro.scalars", 0, "passive scalars advected with the flow", 0, max_scalars)
      .add_int("hydro.host_team_threads", 1,
               "threads per team of the hydro stage kernel on hosts (OpenMP; ignored on GPUs): 1 is the fastest; more "
               "run each tile's phases on several cores with the barriers and thread mapping of the GPU, slower, "
               "the same bits (a check of the kernel)",
               1, 1024);
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

void declare_run(ConfigSchema& s, const ProblemSet& problems)
{
  std::string kinds;
  bool has_sedov = false;
  for (const auto& g : problems) {
    kinds += (kinds.empty() ? "" : ", ") + g.name;
    has_sedov = has_sedov || g.name == "sedov";
  }
  s.add_string("problem.kind", has_sedov || problems.empty() ? "sedov" : problems.front().name,
               "problem generator: " + kinds)
      .add_real("run.t_end", 0.1, "simulated time at which the run ends", 0.0, 1e30, "time")
      .add_int("run.max_steps", 0, "steps after which this process stops, with a checkpoint (0: no limit)", 0,
               1LL << 62)
      // Declared here rather than by declare_run_keys: 0 means no plots at all, not only the last.
      .add_real("output.interval", 0.0, "simulated time between plot files, plus one at the end time (0: none)", 0.0,
                1e30, "time");
  // A log line every 1/100 of the default run (the steps themselves are far shorter).
  declare_run_keys(s, unit(),
                   {.checkpoint_interval = 0,
                    .checkpoint_wall_seconds = 3600,
                    .table_interval = 0,
                    .log_interval = 0.001,
                    .has_output = false,
                    .has_table = true});
  s.renamed("output.plot_interval", "output.interval")
      .renamed("output.history_interval", "output.table_interval")
      .renamed("run.log_interval", "output.log_interval");
}

// The keys each problem adds (its own section), to be kept on restart like the physics.
std::vector<std::string> declare_problems(ConfigSchema& s, const ProblemSet& problems)
{
  std::vector<std::string> added;
  for (const auto& g : problems) {
    if (!g.declare_keys) continue;
    const auto before = s.keys().size();
    g.declare_keys(s);
    for (auto k = before; k < s.keys().size(); ++k)
      added.push_back(s.keys()[k].name);
  }
  return added;
}

} // namespace

ProgressUnit unit()
{
  return {"time", "time units", true};
}

ConfigSchema schema(const ProblemSet& problems)
{
  ConfigSchema s;
  declare_mesh(s);
  declare_hydro(s);
  declare_refinement(s);
  declare_run(s, problems);
  auto fixed = declare_problems(s, problems);
  // What a restart continues must be the same mesh, gas, scheme, refinement and initial
  // problem (a change of any of them changes the solution); the end, the step limit and
  // the outputs may change.
  // The limit on floor corrections only decides whether a run goes on: a run it stopped may
  // continue from its last checkpoint under another.
  for (const char* key : {"mesh.", "hydro.gamma", "hydro.cfl", "hydro.riemann", "hydro.limiter", "hydro.density_floor",
                          "hydro.pressure_floor", "hydro.scalars", "refinement.", "problem.kind"})
    fixed.emplace_back(key);
  s.fixed_on_restart(fixed);
  // The keys of an axis beyond mesh.dims change nothing (a 1-D run has no cells_y): a restart
  // neither records nor compares them, so a deck's leftover mesh.cells_y does not refuse it.
  s.not_applicable_on_restart([](const Config& c) {
    std::vector<std::string> keys;
    for (auto a = c.get_int("mesh.dims"); a < 3; ++a) {
      const std::string x = axis_names[a];
      for (const auto& key :
           {"mesh.cells_" + x, "mesh." + x + "_min", "mesh." + x + "_max", "mesh.boundary_" + x + "_lower",
            "mesh.boundary_" + x + "_upper", "refinement.region_" + x + "_min", "refinement.region_" + x + "_max",
            "sedov.centre_" + x})
        keys.push_back(key);
    }
    return keys;
  });
  return s;
}

namespace {

MeshShape mesh_shape_from(const Config& c)
{
  MeshShape shape{};
  shape.tree.dims = static_cast<int>(c.get_int("mesh.dims"));
  shape.tree.max_level = static_cast<int>(c.get_int("mesh.max_level"));
  shape.block_cells = static_cast<int>(c.get_int("mesh.block_cells"));
  shape.scalars = static_cast<int>(c.get_int("hydro.scalars"));
  if (shape.block_cells % 2 != 0)
    throw InputError(
        fmt::format("{}: key 'mesh.block_cells' = {} must be even", c.where("mesh.block_cells"), shape.block_cells));
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
      throw InputError(fmt::format("{}: key 'mesh.{}_max' = {} must exceed mesh.{}_min = {}",
                                   c.where({"mesh." + x + "_max", "mesh." + x + "_min"}), x, shape.upper[u], x,
                                   shape.lower[u]));
    const auto cells = c.get_int("mesh.cells_" + x);
    if (cells % shape.block_cells != 0)
      throw InputError(fmt::format("{}: key 'mesh.cells_{}' = {} must be a multiple of mesh.block_cells = {}",
                                   c.where({"mesh.cells_" + x, "mesh.block_cells"}), x, cells, shape.block_cells));
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
                                   c.where({"mesh.boundary_" + x + "_lower", "mesh.boundary_" + x + "_upper"}), x,
                                   lower, x, upper));
    bc[u] = {boundary_of(lower), boundary_of(upper)};
    shape.tree.periodic[u] = lower == "periodic";
  }
  return bc;
}

HydroParams hydro_from(const Config& c, int dims)
{
  HydroParams h{};
  h.gamma = c.get_real("hydro.gamma");
  h.cfl = c.get_real("hydro.cfl");
  // The unsplit step moves a signal up to cfl cells along every axis at once: stable up to
  // 1/dims (a 3-D run at cfl = 1 lives on its floors at dt ~ 1e-20).
  if (const double limit = 1.0 / dims; h.cfl > limit * (1 + 1e-12))
    throw InputError(fmt::format("{}: key 'hydro.cfl' = {} exceeds the stability limit 1/{} = {:.6g} of a {}-D mesh "
                                 "(mesh.dims = {})",
                                 c.where({"hydro.cfl", "mesh.dims"}), h.cfl, dims, limit, dims, dims));
  h.riemann = c.get_string("hydro.riemann") == "hlle" ? RiemannSolver::hlle : RiemannSolver::hllc;
  const auto limiter = c.get_string("hydro.limiter");
  h.limiter = limiter == "minmod" ? Limiter::minmod
              : limiter == "mc"   ? Limiter::monotonized_central
                                  : Limiter::van_leer;
  h.density_floor = c.get_real("hydro.density_floor");
  h.pressure_floor = c.get_real("hydro.pressure_floor");
  h.host_team_threads = static_cast<int>(c.get_int("hydro.host_team_threads"));
  return h;
}

RefinementParams refinement_from(const Config& c)
{
  RefinementParams r{};
  r.interval = static_cast<int>(c.get_int("refinement.interval"));
  r.refine_threshold = c.get_real("refinement.refine_threshold");
  r.derefine_threshold = c.get_real("refinement.derefine_threshold");
  r.filter = c.get_real("refinement.filter");
  r.buffer = static_cast<int>(c.get_int("refinement.buffer"));
  if (r.derefine_threshold >= r.refine_threshold)
    throw InputError(fmt::format("{}: key 'refinement.derefine_threshold' = {} must be below "
                                 "refinement.refine_threshold = {}",
                                 c.where({"refinement.derefine_threshold", "refinement.refine_threshold"}),
                                 r.derefine_threshold, r.refine_threshold));
  if (const auto level = c.get_int("refinement.region_level"); level > 0) {
    RefinementRegion region{};
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

Params params_from(const Config& c, const ProblemSet& problems)
{
  Params p{};
  p.shape = mesh_shape_from(c);
  p.boundaries = boundaries_from(c, p.shape);
  p.hydro = hydro_from(c, p.shape.tree.dims);
  p.max_floored_fraction = c.get_real("hydro.max_floored_fraction");
  p.refinement = refinement_from(c);
  for (const auto& region : p.refinement.regions)
    if (region.level > p.shape.tree.max_level)
      throw InputError(fmt::format("{}: key 'refinement.region_level' = {} exceeds mesh.max_level = {}",
                                   c.where({"refinement.region_level", "mesh.max_level"}), region.level,
                                   p.shape.tree.max_level));
  const std::string kind = c.get_string("problem.kind");
  p.problem = make_problem(find_problem(problems, kind, c.where("problem.kind")), {c, p.shape, p.hydro.gamma});
  p.t_end = c.get_real("run.t_end");
  p.max_steps = c.get_int("run.max_steps");
  p.plot_interval = c.get_real("output.interval");
  p.plots = p.plot_interval > 0;
  return p;
}

} // namespace tessera::amr
