// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/problems.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::amr {

namespace {

constexpr double pi = 3.14159265358979323846;

int axis_of(const ProblemContext& ctx, const std::string& key)
{
  const auto name = ctx.config.get_string(key);
  const int axis = name == "x" ? 0 : name == "y" ? 1 : 2;
  if (axis >= ctx.shape.tree.dims)
    throw InputError(fmt::format("{}: key '{}' = \"{}\" is not an axis of a {}-D mesh",
                                 ctx.config.where({key, "mesh.dims"}), key, name, ctx.shape.tree.dims));
  return axis;
}

// The velocity component `axis` of a primitive state.
double& velocity(Primitive& w, int axis)
{
  return axis == 0 ? w.vn : axis == 1 ? w.vt1 : w.vt2;
}

// Sod's shock tube along any axis (Toro's test 1 by default).
ProblemGenerator shock_tube()
{
  ProblemGenerator g;
  g.name = "sod";
  g.doc = "shock tube: two uniform states separated by a plane normal to sod.axis";
  g.declare_keys = [](ConfigSchema& s) {
    s.add_string("sod.axis", "x", "axis normal to the initial discontinuity", {"x", "y", "z"})
        .add_real("sod.position", 0.5, "position of the discontinuity along the axis", -1e30, 1e30, "length")
        .add_real("sod.rho_left", 1.0, "density left of the discontinuity", 1e-300, 1e300)
        .add_real("sod.u_left", 0.0, "velocity along the axis, left", -1e300, 1e300)
        .add_real("sod.p_left", 1.0, "pressure, left", 1e-300, 1e300)
        .add_real("sod.rho_right", 0.125, "density right of the discontinuity", 1e-300, 1e300)
        .add_real("sod.u_right", 0.0, "velocity along the axis, right", -1e300, 1e300)
        .add_real("sod.p_right", 0.1, "pressure, right", 1e-300, 1e300);
  };
  g.make = [](const ProblemContext& ctx) -> InitialState {
    const auto& c = ctx.config;
    const int axis = axis_of(ctx, "sod.axis");
    const double position = c.get_real("sod.position");
    Primitive left, right;
    left.rho = c.get_real("sod.rho_left");
    velocity(left, axis) = c.get_real("sod.u_left");
    left.p = c.get_real("sod.p_left");
    right.rho = c.get_real("sod.rho_right");
    velocity(right, axis) = c.get_real("sod.u_right");
    right.p = c.get_real("sod.p_right");
    for (int n = 0; n < max_scalars; ++n)
      right.s[n] = 1; // marks the right gas
    return [=](const std::array<double, 3>& x) { return x[static_cast<std::size_t>(axis)] < position ? left : right; };
  };
  return g;
}

// A sound or entropy wave of one wavelength across the domain along an axis, on a uniform
// background of density 1 and sound speed 1 (p = 1/gamma); scalars carry the same profile.
ProblemGenerator linear_wave()
{
  ProblemGenerator g;
  g.name = "linear_wave";
  g.doc = "sound or entropy wave of one wavelength along wave.axis (convergence tests)";
  g.declare_keys = [](ConfigSchema& s) {
    s.add_string("wave.kind", "sound", "right-moving sound wave or an entropy (density) wave", {"sound", "entropy"})
        .add_string("wave.axis", "x", "direction of propagation", {"x", "y", "z"})
        .add_real("wave.amplitude", 1e-6, "relative amplitude", 0.0, 0.5)
        .add_real("wave.background_velocity", 0.0, "uniform flow along the axis (entropy waves move with it)", -1e3,
                  1e3);
  };
  g.make = [](const ProblemContext& ctx) -> InitialState {
    const auto& c = ctx.config;
    const int axis = axis_of(ctx, "wave.axis");
    const bool sound = c.get_string("wave.kind") == "sound";
    const double amplitude = c.get_real("wave.amplitude");
    const double flow = c.get_real("wave.background_velocity");
    const double gamma = ctx.gamma;
    const auto a = static_cast<std::size_t>(axis);
    const double lower = ctx.shape.lower[a], k = 2 * pi / (ctx.shape.upper[a] - ctx.shape.lower[a]);
    return [=](const std::array<double, 3>& x) {
      const double phase = std::sin(k * (x[a] - lower));
      Primitive w;
      w.rho = 1 + amplitude * phase;
      w.p = 1 / gamma + (sound ? amplitude * phase : 0.0); // c^2 rho0 = 1
      velocity(w, axis) = flow + (sound ? amplitude * phase : 0.0);
      for (int n = 0; n < max_scalars; ++n)
        w.s[n] = 0.5 + 0.5 * phase;
      return w;
    };
  };
  return g;
}

std::array<double, 3> sedov_centre(const Config& c)
{
  return {c.get_real("sedov.centre_x"), c.get_real("sedov.centre_y"), c.get_real("sedov.centre_z")};
}

// The deposit's radius: sedov.radius, or 3 cells of the finest level.
double sedov_radius(const ProblemContext& ctx)
{
  const double radius = ctx.config.get_real("sedov.radius");
  return radius > 0 ? radius : 3 * finest_cell_width(ctx.shape);
}

// Sedov-Taylor blast: energy sedov.energy in a sphere (disc, slab) of radius sedov.radius
// around sedov.centre, as thermal energy over the cells whose centres lie inside on the
// finest level, in a cold uniform medium. Centred on a corner with reflecting boundaries
// there, the domain holds 1/2^dims of a blast of 2^dims times the energy.
ProblemGenerator sedov_blast()
{
  ProblemGenerator g;
  g.name = "sedov";
  g.doc = "Sedov-Taylor point explosion in a cold uniform medium";
  g.declare_keys = [](ConfigSchema& s) {
    s.add_real("sedov.energy", 1.0, "energy deposited inside the domain", 1e-300, 1e300, "energy")
        .add_real("sedov.radius", 0.0, "radius of the deposit (0: 3 cells of the finest level)", 0.0, 1e30, "length")
        .add_real("sedov.centre_x", 0.0, "centre of the blast, x", -1e30, 1e30, "length")
        .add_real("sedov.centre_y", 0.0, "centre of the blast, y", -1e30, 1e30, "length")
        .add_real("sedov.centre_z", 0.0, "centre of the blast, z", -1e30, 1e30, "length")
        .add_real("sedov.density", 1.0, "ambient density", 1e-300, 1e300)
        .add_real("sedov.pressure", 1e-5, "ambient pressure", 1e-300, 1e300);
  };
  g.make = [](const ProblemContext& ctx) -> InitialState {
    const auto& c = ctx.config;
    const auto& shape = ctx.shape;
    const int dims = shape.tree.dims;
    const auto centre = sedov_centre(c);
    const double dx = finest_cell_width(shape);
    const double radius = sedov_radius(ctx);
    // The volume of the finest cells whose centres lie inside the sphere and the domain: the
    // deposit is exact when those cells are on the finest level (the initial regrid puts
    // them there), whatever the sphere's discretisation.
    double inside = 0;
    std::array<std::int64_t, 3> first{0, 0, 0}, last{0, 0, 0};
    double cell_volume = 1;
    for (int a = 0; a < dims; ++a) {
      const auto u = static_cast<std::size_t>(a);
      const double lo = std::max(shape.lower[u], centre[u] - radius);
      const double hi = std::min(shape.upper[u], centre[u] + radius);
      first[u] = static_cast<std::int64_t>(std::floor((lo - shape.lower[u]) / dx));
      last[u] = static_cast<std::int64_t>(std::ceil((hi - shape.lower[u]) / dx));
      cell_volume *= dx;
    }
    for (auto k = first[2]; k <= last[2]; ++k)
      for (auto j = first[1]; j <= last[1]; ++j)
        for (auto i = first[0]; i <= last[0]; ++i) {
          const std::int64_t index[3] = {i, j, k};
          double r2 = 0;
          bool in_domain = true;
          for (int a = 0; a < dims; ++a) {
            const auto u = static_cast<std::size_t>(a);
            const double x = shape.lower[u] + (static_cast<double>(index[a]) + 0.5) * dx;
            in_domain = in_domain && x > shape.lower[u] && x < shape.upper[u];
            r2 += (x - centre[u]) * (x - centre[u]);
          }
          if (in_domain && r2 < radius * radius) inside += cell_volume;
        }
    if (inside <= 0)
      throw InputError(fmt::format("{}: the Sedov deposit (key 'sedov.radius' = {}, centre ({}, {}, {})) contains no "
                                   "cell centre of the finest level inside the domain",
                                   c.where({"sedov.radius", "sedov.centre_x", "sedov.centre_y", "sedov.centre_z"}),
                                   radius, centre[0], centre[1], centre[2]));
    Primitive ambient, hot;
    ambient.rho = hot.rho = c.get_real("sedov.density");
    ambient.p = c.get_real("sedov.pressure");
    hot.p = ambient.p + (ctx.gamma - 1) * c.get_real("sedov.energy") / inside;
    for (int n = 0; n < max_scalars; ++n)
      hot.s[n] = 1;
    return [=](const std::array<double, 3>& x) {
      double r2 = 0;
      for (int a = 0; a < dims; ++a) {
        const auto u = static_cast<std::size_t>(a);
        r2 += (x[u] - centre[u]) * (x[u] - centre[u]);
      }
      return r2 < radius * radius ? hot : ambient;
    };
  };
  // The deposit on the finest level from the start: a box around the sphere.
  g.initial_regions = [](const ProblemContext& ctx) {
    const double reach = sedov_radius(ctx) + finest_cell_width(ctx.shape);
    const auto centre = sedov_centre(ctx.config);
    RefinementRegion box{{}, {}, ctx.shape.tree.max_level};
    for (std::size_t a = 0; a < 3; ++a) {
      box.lower[a] = centre[a] - reach;
      box.upper[a] = centre[a] + reach;
    }
    return std::vector<RefinementRegion>{box};
  };
  return g;
}

// Kelvin-Helmholtz: two smooth shear layers at a quarter and three quarters of the y extent
// with a single-mode vertical perturbation (Lecoanet et al. 2016, MNRAS 455, 4274), periodic
// in x and y; scalar 0 marks the inner layer.
ProblemGenerator kelvin_helmholtz()
{
  ProblemGenerator g;
  g.name = "kelvin_helmholtz";
  g.doc = "Kelvin-Helmholtz instability of two smooth shear layers (Lecoanet et al. 2016)";
  g.declare_keys = [](ConfigSchema& s) {
    s.add_real("kh.density_contrast", 1.0, "(rho_inner - rho_outer) / rho_outer", 0.0, 1e6)
        .add_real("kh.velocity", 1.0, "velocity difference across each layer (vx = +-velocity/2)", 0.0, 1e6)
        .add_real("kh.width", 0.05, "thickness of the shear layers (fraction of the y extent)", 1e-6, 0.25)
        .add_real("kh.amplitude", 0.01, "amplitude of the vy perturbation", 0.0, 1e6)
        .add_real("kh.sigma", 0.2, "width of the perturbation around each layer (fraction of the y extent)", 1e-6, 1.0)
        .add_real("kh.pressure", 10.0, "uniform pressure", 1e-300, 1e300);
  };
  g.make = [](const ProblemContext& ctx) -> InitialState {
    const auto& c = ctx.config;
    if (ctx.shape.tree.dims < 2)
      throw InputError(fmt::format("{}: problem.kind = \"kelvin_helmholtz\" needs mesh.dims >= 2",
                                   c.where({"problem.kind", "mesh.dims"})));
    const double contrast = c.get_real("kh.density_contrast"), shear = c.get_real("kh.velocity");
    const double ly = ctx.shape.upper[1] - ctx.shape.lower[1], lx = ctx.shape.upper[0] - ctx.shape.lower[0];
    const double width = c.get_real("kh.width") * ly, sigma = c.get_real("kh.sigma") * ly;
    const double amplitude = c.get_real("kh.amplitude"), pressure = c.get_real("kh.pressure");
    const double y1 = ctx.shape.lower[1] + 0.25 * ly, y2 = ctx.shape.lower[1] + 0.75 * ly;
    const double x0 = ctx.shape.lower[0];
    return [=](const std::array<double, 3>& x) {
      const double inner = 0.5 * (std::tanh((x[1] - y1) / width) - std::tanh((x[1] - y2) / width));
      Primitive w;
      w.rho = 1 + contrast * inner;
      w.vn = shear * (inner - 0.5);
      w.vt1 = amplitude * std::sin(2 * pi * (x[0] - x0) / lx) *
              (std::exp(-(x[1] - y1) * (x[1] - y1) / (sigma * sigma)) +
               std::exp(-(x[1] - y2) * (x[1] - y2) / (sigma * sigma)));
      w.p = pressure;
      for (int n = 0; n < max_scalars; ++n)
        w.s[n] = inner;
      return w;
    };
  };
  return g;
}

} // namespace

ProblemSet builtin_problems()
{
  return {shock_tube(), linear_wave(), sedov_blast(), kelvin_helmholtz()};
}

ProblemSet with_problem(ProblemSet set, ProblemGenerator generator)
{
  for (auto& g : set)
    if (g.name == generator.name) {
      g = std::move(generator);
      return set;
    }
  set.push_back(std::move(generator));
  return set;
}

const ProblemGenerator& find_problem(const ProblemSet& set, const std::string& name, const std::string& where)
{
  std::string known;
  for (const auto& g : set) {
    if (g.name == name) return g;
    known += (known.empty() ? "" : ", ") + g.name;
  }
  throw InputError(fmt::format("{}: key 'problem.kind' = \"{}\" is no problem generator; expected one of {}", where,
                               shorten_for_message(name), known));
}

Problem make_problem(const ProblemGenerator& generator, const ProblemContext& context)
{
  Problem problem{generator.name, generator.make(context), {}};
  if (generator.initial_regions) problem.initial_regions = generator.initial_regions(context);
  return problem;
}

double finest_cell_width(const MeshShape& shape)
{
  const double root_cells = static_cast<double>(shape.tree.root[0]) * shape.block_cells;
  return (shape.upper[0] - shape.lower[0]) / root_cells / std::ldexp(1.0, shape.tree.max_level);
}

} // namespace tessera::amr
