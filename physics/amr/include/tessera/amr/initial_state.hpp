// SPDX-License-Identifier: Apache-2.0
#pragma once
// Initial states from a primitive state given as a function of position, evaluated at the
// centre of every cell of every block (ghosts included) on the host and copied over.

#include <array>

#include "tessera/amr/mesh.hpp"
#include "tessera/amr/riemann.hpp"

namespace tessera::amr {

// The centre of cell (i, j, k) of block b on the host, from the block's origin and widths
// (a host copy of Mesh::origin / Mesh::width).
template <class HostGeometry>
std::array<double, 3> cell_centre(const BlockExtent& e, const HostGeometry& origin, const HostGeometry& width, Index b,
                                  Index k, Index j, Index i)
{
  const Index index[3] = {i, j, k};
  std::array<double, 3> x{0, 0, 0};
  for (int axis = 0; axis < e.dims; ++axis)
    x[static_cast<std::size_t>(axis)] =
        origin(b, axis) + (static_cast<double>(index[axis] - e.begin[axis]) + 0.5) * width(b, axis);
  return x;
}

// f(x) returns a Primitive with vn, vt1, vt2 = vx, vy, vz and the scalar concentrations.
template <class F>
void set_primitive_state(const Mesh& mesh, const BlockData& u, double gamma, const F& f)
{
  auto host = Kokkos::create_mirror_view(u);
  const auto origin = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.origin);
  const auto width = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.width);
  const auto& e = mesh.extent();
  for (Index b = 0; b < mesh.blocks(); ++b)
    for (Index k = 0; k < e.cells[2]; ++k)
      for (Index j = 0; j < e.cells[1]; ++j)
        for (Index i = 0; i < e.cells[0]; ++i) {
          const Primitive w = f(cell_centre(e, origin, width, b, k, j, i));
          host(b, density, k, j, i) = w.rho;
          host(b, momentum_x, k, j, i) = w.rho * w.vn;
          host(b, momentum_y, k, j, i) = w.rho * w.vt1;
          host(b, momentum_z, k, j, i) = w.rho * w.vt2;
          host(b, energy, k, j, i) = total_energy(w, gamma);
          for (int n = 0; n < mesh.shape().scalars; ++n)
            host(b, first_scalar + n, k, j, i) = w.rho * w.s[n];
        }
  Kokkos::deep_copy(u, host);
}

} // namespace tessera::amr
