// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/diagnostics.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "tessera/nbody/forces.hpp"

namespace tessera::nbody {

Energies energies(const Comm& comm, const State& state, double softening)
{
  Gravity<double, true> gravity(comm, state.local(), softening);
  ViewRight<double**> sums("nbody::diagnostic_forces", state.local(), 7);
  gravity.compute(state.x, state.v, state.m, View<Index*>(), state.local(), sums);
  const auto m = state.m;
  const auto v = state.v;
  double kinetic = 0, potential = 0;
  Kokkos::parallel_reduce(
      "nbody::energies", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(0, state.local()),
      KOKKOS_LAMBDA(Index i, double& k, double& w) {
        k += 0.5 * m(i) * (v(i, 0) * v(i, 0) + v(i, 1) * v(i, 1) + v(i, 2) * v(i, 2));
        w += 0.5 * m(i) * sums(i, 6);
      },
      kinetic, potential);
  return {comm.sum(kinetic), comm.sum(potential)};
}

CentreOfMass centre_of_mass(const Comm& comm, const State& state)
{
  const auto m = state.m;
  const auto x = state.x;
  const auto v = state.v;
  double sums[7] = {};
  Kokkos::parallel_reduce(
      "nbody::centre_of_mass", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(0, state.local()),
      KOKKOS_LAMBDA(Index i, double& mass, double& px, double& py, double& pz, double& ux, double& uy, double& uz) {
        mass += m(i);
        px += m(i) * x(i, 0);
        py += m(i) * x(i, 1);
        pz += m(i) * x(i, 2);
        ux += m(i) * v(i, 0);
        uy += m(i) * v(i, 1);
        uz += m(i) * v(i, 2);
      },
      sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6]);
  for (double& s : sums)
    s = comm.sum(s);
  CentreOfMass com;
  com.mass = sums[0];
  for (int d = 0; d < 3; ++d) {
    com.position[d] = sums[0] > 0 ? sums[1 + d] / sums[0] : 0.0;
    com.velocity[d] = sums[0] > 0 ? sums[4 + d] / sums[0] : 0.0;
  }
  return com;
}

std::array<double, 3> angular_momentum(const Comm& comm, const State& state)
{
  const auto m = state.m;
  const auto x = state.x;
  const auto v = state.v;
  double lx = 0, ly = 0, lz = 0;
  Kokkos::parallel_reduce(
      "nbody::angular_momentum", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(0, state.local()),
      KOKKOS_LAMBDA(Index i, double& a, double& b, double& c) {
        a += m(i) * (x(i, 1) * v(i, 2) - x(i, 2) * v(i, 1));
        b += m(i) * (x(i, 2) * v(i, 0) - x(i, 0) * v(i, 2));
        c += m(i) * (x(i, 0) * v(i, 1) - x(i, 1) * v(i, 0));
      },
      lx, ly, lz);
  return {comm.sum(lx), comm.sum(ly), comm.sum(lz)};
}

std::array<double, 4> lagrangian_radii(const Comm& comm, const State& state, const CentreOfMass& com)
{
  // Distances on the device; gathered to rank 0 and sorted there (output times only).
  View<double*> r("nbody::radius", state.local());
  const auto x = state.x;
  const double cx = com.position[0], cy = com.position[1], cz = com.position[2];
  par_for(
      "nbody::radii", state.local(), KOKKOS_LAMBDA(Index i) {
        const double dx = x(i, 0) - cx, dy = x(i, 1) - cy, dz = x(i, 2) - cz;
        r(i) = Kokkos::sqrt(dx * dx + dy * dy + dz * dz);
      });
  const auto r_host = to_host(r);
  const auto m_host = to_host(state.m);
  const int n = static_cast<int>(state.local());
  std::vector<int> counts(comm.size()), offsets(comm.size());
  MPI_Gather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm.native());
  for (int k = 1; k < comm.size(); ++k)
    offsets[k] = offsets[k - 1] + counts[k - 1];
  const int total = comm.is_root() ? offsets.back() + counts.back() : 0;
  std::vector<double> all_r(total), all_m(total);
  MPI_Gatherv(r_host.data(), n, MPI_DOUBLE, all_r.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0, comm.native());
  MPI_Gatherv(m_host.data(), n, MPI_DOUBLE, all_m.data(), counts.data(), offsets.data(), MPI_DOUBLE, 0, comm.native());
  std::array<double, 4> radii{};
  if (comm.is_root()) {
    std::vector<int> order(total);
    for (int k = 0; k < total; ++k)
      order[k] = k;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return all_r[a] < all_r[b]; });
    const double fractions[4] = {0.01, 0.1, 0.5, 0.9};
    double mass_total = 0;
    for (double mk : all_m)
      mass_total += mk;
    double cumulative = 0;
    int f = 0;
    for (int k = 0; k < total && f < 4; ++k) {
      cumulative += all_m[order[k]];
      while (f < 4 && cumulative >= fractions[f] * mass_total)
        radii[f++] = all_r[order[k]];
    }
  }
  comm.broadcast(radii.data(), 4);
  return radii;
}

Diagnostics diagnose(const Comm& comm, const State& state, double softening, double initial_energy)
{
  Diagnostics d;
  d.time = state.time;
  d.energy = energies(comm, state, softening);
  d.relative_energy_error = initial_energy != 0 ? (d.energy.total() - initial_energy) / std::abs(initial_energy) : 0;
  d.angular_momentum = angular_momentum(comm, state);
  d.com = centre_of_mass(comm, state);
  d.virial_ratio = d.energy.potential != 0 ? d.energy.kinetic / std::abs(d.energy.potential) : 0;
  d.lagrangian_radii = lagrangian_radii(comm, state, d.com);
  return d;
}

DiagnosticsRow table_row(const Diagnostics& d)
{
  const auto& L = d.angular_momentum;
  const auto& c = d.com.position;
  DiagnosticsRow row;
  row.add("time", d.time)
      .add("E", d.energy.total())
      .add("dE/|E0|", d.relative_energy_error)
      .add("Q", d.virial_ratio)
      .add("|L|", std::sqrt(L[0] * L[0] + L[1] * L[1] + L[2] * L[2]))
      .add("|x_com|", std::sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]))
      .add("r_1%", d.lagrangian_radii[0])
      .add("r_10%", d.lagrangian_radii[1])
      .add("r_50%", d.lagrangian_radii[2])
      .add("r_90%", d.lagrangian_radii[3]);
  return row;
}

nlohmann::json Diagnostics::to_json() const
{
  return {{"time", time},
          {"kinetic_energy", energy.kinetic},
          {"potential_energy", energy.potential},
          {"total_energy", energy.total()},
          {"relative_energy_error", relative_energy_error},
          {"angular_momentum", angular_momentum},
          {"centre_of_mass", com.position},
          {"centre_of_mass_velocity", com.velocity},
          {"virial_ratio", virial_ratio},
          {"lagrangian_radii",
           {{"1%", lagrangian_radii[0]},
            {"10%", lagrangian_radii[1]},
            {"50%", lagrangian_radii[2]},
            {"90%", lagrangian_radii[3]}}}};
}

} // namespace tessera::nbody
