// SPDX-License-Identifier: Apache-2.0
#pragma once
// What the AMR tests share: the driver's Simulation built from input keys (params_for) and
// run with advance(), host loops over its cells, and the tests' own problems, added to the
// built-in ones the way a user adds theirs (docs/amr.md): a shear layer (optionally on a
// mesh refined at random places) and a dense blob in a uniform flow.

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/amr/initial_state.hpp"
#include "tessera/amr/simulation.hpp"

namespace tessera::amr::testing {

inline const Comm& world()
{
  static const Comm comm;
  return comm;
}

// A test's run on every rank of MPI_COMM_WORLD, writing nothing (no plots unless asked).
inline RunContext context()
{
  return RunContext{world()};
}

// Steps (with the regrids they bring) until the end time, as the driver's loop does.
inline void run_to_end(Simulation& sim)
{
  while (sim.position() < sim.end())
    sim.advance(sim.end());
}

// f(x, host copy of u, b, k, j, i) over every interior cell of every block, on the host.
template <class F>
void for_each_interior_cell(const Mesh& mesh, const BlockData& u, const F& f)
{
  const auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), u);
  const auto origin = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.origin);
  const auto width = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.width);
  const auto& e = mesh.extent();
  for (Index b = 0; b < mesh.blocks(); ++b)
    for (Index k = e.begin[2]; k < e.end[2]; ++k)
      for (Index j = e.begin[1]; j < e.end[1]; ++j)
        for (Index i = e.begin[0]; i < e.end[0]; ++i)
          f(cell_centre(e, origin, width, b, k, j, i), host, b, k, j, i);
}

// f(x, value of variable v, host data, b, k, j, i) over every interior cell of a run.
template <class F>
void for_each_cell(const Simulation& sim, int v, const F& f)
{
  for_each_interior_cell(sim.mesh(), sim.data(),
                         [&](const std::array<double, 3>& x, const auto& host, Index b, Index k, Index j, Index i) {
                           f(x, host(b, v, k, j, i), host, b, k, j, i);
                         });
}

// The keys of a box of root blocks: `cells` per axis (inactive axes ignored), blocks of
// `block_cells`, the same boundary on every face, no refinement unless more keys ask for it.
inline std::vector<std::string> box_keys(int dims, std::array<int, 3> cells, int block_cells,
                                         const std::string& boundary)
{
  std::vector<std::string> keys{fmt::format("mesh.dims={}", dims), fmt::format("mesh.block_cells={}", block_cells),
                                "mesh.max_level=0", "refinement.interval=0"};
  const char* axes[3] = {"x", "y", "z"};
  for (int a = 0; a < 3; ++a) {
    keys.push_back(fmt::format("mesh.cells_{}={}", axes[a], cells[static_cast<std::size_t>(a)]));
    keys.push_back(fmt::format("mesh.boundary_{}_lower={}", axes[a], boundary));
    keys.push_back(fmt::format("mesh.boundary_{}_upper={}", axes[a], boundary));
  }
  return keys;
}

inline std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b)
{
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A 2-D shear layer with structure everywhere: the inner fluid (|y - 0.5| < 0.25, marked by
// scalar 0) at density 2 moving at +0.5, the outer at density 1 moving at -0.5, and a vy
// perturbation of amplitude shear.amplitude. shear.random_regions > 0 refines the blocks
// around that many random points (seed shear.seed) to random levels while the initial mesh
// is built: a random 2:1-balanced tree (with refinement.refine_threshold = 1 and
// derefine_threshold = 0 the estimator adds and removes nothing).
inline ProblemGenerator shear_layer()
{
  ProblemGenerator g;
  g.name = "shear_layer";
  g.doc = "a 2-D shear layer with a vy perturbation (tests)";
  g.declare_keys = [](ConfigSchema& s) {
    s.add_real("shear.amplitude", 0.01, "amplitude of the vy perturbation", 0.0, 1.0)
        .add_int("shear.random_regions", 0, "random points refined to random levels at the start", 0, 1000)
        .add_int("shear.seed", 1, "seed of those points", 0, 1 << 30);
  };
  g.make = [](const ProblemContext& ctx) -> InitialState {
    const double amplitude = ctx.config.get_real("shear.amplitude");
    return [amplitude](const std::array<double, 3>& x) {
      Primitive w;
      const bool inner = std::abs(x[1] - 0.5) < 0.25;
      w.rho = inner ? 2.0 : 1.0;
      w.vn = inner ? 0.5 : -0.5;
      w.vt1 = amplitude * std::sin(4 * std::numbers::pi * x[0]);
      w.p = 2.5;
      w.s[0] = inner ? 1.0 : 0.0;
      return w;
    };
  };
  g.initial_regions = [](const ProblemContext& ctx) {
    const auto& shape = ctx.shape;
    std::mt19937 random(static_cast<unsigned>(ctx.config.get_int("shear.seed")));
    std::vector<RefinementRegion> regions;
    for (auto n = ctx.config.get_int("shear.random_regions"); n > 0; --n) {
      RefinementRegion r{};
      for (std::size_t a = 0; a < 3; ++a) {
        const double x = std::uniform_real_distribution<double>(shape.lower[a], shape.upper[a])(random);
        r.lower[a] = x - 1e-9;
        r.upper[a] = x + 1e-9;
      }
      r.level = std::uniform_int_distribution<int>(1, std::max(1, shape.tree.max_level))(random);
      regions.push_back(r);
    }
    return regions;
  };
  return g;
}

// A dense ball (disc in 2-D) of blob.density and radius blob.radius around blob.centre_*, in
// gas of density 1 and pressure 1, all moving at (blob.vx, blob.vy, blob.vz); within
// blob.hot_radius the pressure is blob.hot_pressure (a blast inside it); scalar 0 is rho - 1.
inline ProblemGenerator blob()
{
  ProblemGenerator g;
  g.name = "blob";
  g.doc = "a dense ball in a uniform flow, optionally with a hot core (tests)";
  g.declare_keys = [](ConfigSchema& s) {
    for (const char* x : {"x", "y", "z"})
      s.add_real(fmt::format("blob.centre_{}", x), 0.5, "centre", -1e30, 1e30)
          .add_real(fmt::format("blob.v{}", x), 0.0, "velocity of all gas", -1e3, 1e3);
    s.add_real("blob.radius", 0.1, "radius", 0.0, 1e30)
        .add_real("blob.density", 5.0, "density inside", 1e-30, 1e30)
        .add_real("blob.hot_radius", 0.0, "radius of the hot core", 0.0, 1e30)
        .add_real("blob.hot_pressure", 1.0, "pressure of the hot core", 1e-30, 1e30);
  };
  g.make = [](const ProblemContext& ctx) -> InitialState {
    const auto& c = ctx.config;
    const std::array<double, 3> centre{c.get_real("blob.centre_x"), c.get_real("blob.centre_y"),
                                       c.get_real("blob.centre_z")};
    const std::array<double, 3> v{c.get_real("blob.vx"), c.get_real("blob.vy"), c.get_real("blob.vz")};
    const double radius = c.get_real("blob.radius"), density = c.get_real("blob.density");
    const double hot_radius = c.get_real("blob.hot_radius"), hot_pressure = c.get_real("blob.hot_pressure");
    const int dims = ctx.shape.tree.dims;
    return [=](const std::array<double, 3>& x) {
      double r2 = 0;
      for (int a = 0; a < dims; ++a)
        r2 += (x[a] - centre[a]) * (x[a] - centre[a]);
      Primitive w;
      w.rho = r2 < radius * radius ? density : 1.0; // sharp edges to refine on
      w.vn = v[0];
      w.vt1 = v[1];
      w.vt2 = v[2];
      w.p = r2 < hot_radius * hot_radius ? hot_pressure : 1.0;
      w.s[0] = w.rho - 1;
      return w;
    };
  };
  return g;
}

inline ProblemSet test_problems()
{
  return with_problem(with_problem(builtin_problems(), shear_layer()), blob());
}

// tessera-amr with the tests' problems.
using TestSimulation = SimulationWith<test_problems>;

} // namespace tessera::amr::testing
