#pragma once
// A mesh, its data, a solver and its ghost exchange, run to a time: what the AMR tests share.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "tessera/amr/hydro.hpp"
#include "tessera/amr/initial_state.hpp"

namespace tessera::amr::testing {

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

// A 2-D shear layer with structure everywhere: the inner fluid (|y - 0.5| < 0.25, marked by
// scalar 0) at density 2 moving at +0.5, the outer at density 1 moving at -0.5, and a vy
// perturbation of the given amplitude.
inline Primitive shear_layer(const std::array<double, 3>& x, double amplitude)
{
  Primitive w;
  const bool inner = std::abs(x[1] - 0.5) < 0.25;
  w.rho = inner ? 2.0 : 1.0;
  w.vn = inner ? 0.5 : -0.5;
  w.vt1 = amplitude * std::sin(4 * std::numbers::pi * x[0]);
  w.p = 2.5;
  w.s[0] = inner ? 1.0 : 0.0;
  return w;
}

inline BoundaryConditions all(Boundary kind)
{
  return {{{kind, kind}, {kind, kind}, {kind, kind}}};
}

struct Simulation {
  Mesh mesh;
  BlockData u;
  Hydro hydro;
  GhostExchange ghosts;
  double time = 0;
  int steps = 0;

  Simulation(const MeshShape& shape, const HydroParams& params, const BoundaryConditions& bc)
      : Simulation(shape, BlockTree(shape.tree), params, bc)
  {
  }
  Simulation(const MeshShape& shape, BlockTree tree, const HydroParams& params, const BoundaryConditions& bc)
      : mesh(shape, std::move(tree)), u(mesh.allocate("test::u")), hydro(mesh, params), ghosts(mesh, bc)
  {
  }

  void run_to(double t_end)
  {
    while (time < t_end) {
      const double dt = std::min(hydro.time_step(u), t_end - time);
      hydro.step(u, dt, ghosts);
      time += dt;
      ++steps;
    }
  }

  // f(x, value of variable v, host data, b, k, j, i) over every interior cell, on the host.
  template <class F>
  void for_each_cell(int v, const F& f) const
  {
    for_each_interior_cell(mesh, u,
                           [&](const std::array<double, 3>& x, const auto& host, Index b, Index k, Index j, Index i) {
                             f(x, host(b, v, k, j, i), host, b, k, j, i);
                           });
  }
};

} // namespace tessera::amr::testing
