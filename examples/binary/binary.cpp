// SPDX-License-Identifier: Apache-2.0
// binary: a program that uses one of Tessera's physics modules as a library. It builds its
// own initial conditions, a Kepler binary, in the N-body module's State, integrates it with
// the module's Hermite integrator (block steps, forces on the device), and checks the answer
// against Kepler's laws: after a few periods P = 2 pi sqrt(a^3 / (G M)) the separation of the
// two bodies is that of the exact orbit (Kepler's equation), and the energy is conserved. Written outside Tessera
// against its installed package (Tessera::nbody); each body may live on its own MPI rank.
#include <array>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include <tessera/core/driver.hpp>
#include <tessera/core/log.hpp>
#include <tessera/nbody/diagnostics.hpp>
#include <tessera/nbody/hermite.hpp>
#include <tessera/nbody/simulation.hpp>
#include <tessera/nbody/state.hpp>

namespace {

namespace nb = tessera::nbody;

tessera::ConfigSchema schema()
{
  tessera::ConfigSchema s;
  s.add_real("binary.eccentricity", 0.5, "eccentricity e of the orbit (semi-major axis 1, masses 1/2)", 0.0, 0.95)
      .add_int("binary.orbits", 3, "whole periods to integrate", 1, 1000)
      .add_real("binary.eta", 0.005, "the integrator's accuracy parameter (integrator.eta of tessera-nbody)", 1e-6,
                0.1);
  return s;
}

// Both bodies at apocentre, r = a (1 + e), moving at v = sqrt(G M (1 - e) / (a (1 + e))),
// centre of mass at rest at the origin: body 0 at +r/2 along x, body 1 at -r/2.
void kepler_binary(nb::State& state, double e)
{
  const double r = 1 + e, v = std::sqrt((1 - e) / (1 + e));
  auto x = Kokkos::create_mirror_view(state.x), vel = Kokkos::create_mirror_view(state.v);
  auto m = Kokkos::create_mirror_view(state.m);
  auto id = Kokkos::create_mirror_view(state.id);
  for (tessera::Index i = 0; i < state.local(); ++i) {
    const std::int64_t body = state.first + i;
    const double sign = body == 0 ? 1.0 : -1.0;
    x(i, 0) = sign * r / 2, x(i, 1) = 0, x(i, 2) = 0;
    vel(i, 0) = 0, vel(i, 1) = sign * v / 2, vel(i, 2) = 0;
    m(i) = 0.5;
    id(i) = body;
  }
  Kokkos::deep_copy(state.x, x);
  Kokkos::deep_copy(state.v, vel);
  Kokkos::deep_copy(state.m, m);
  Kokkos::deep_copy(state.id, id);
}

// Body 0 minus body 1 at time t on the exact orbit (semi-major axis 1, G M = 1, so the
// period is 2 pi), from apocentre along +x at t = 0: the eccentric anomaly E solves Kepler's
// equation E - e sin E = pi + t (Newton), and the separation is -(cos E - e, sqrt(1 - e^2) sin E).
std::array<double, 3> kepler_separation(double e, double t)
{
  const double mean_anomaly = std::numbers::pi + t;
  double anomaly = mean_anomaly;
  for (int iteration = 0; iteration < 50; ++iteration)
    anomaly -= (anomaly - e * std::sin(anomaly) - mean_anomaly) / (1 - e * std::cos(anomaly));
  return {-(std::cos(anomaly) - e), -std::sqrt(1 - e * e) * std::sin(anomaly), 0.0};
}

// Position of body 0 minus body 1, over all ranks.
std::array<double, 3> separation(const tessera::Comm& comm, const nb::State& state)
{
  const auto x = tessera::host_copy(state.x);
  std::array<double, 3> d{};
  for (tessera::Index i = 0; i < state.local(); ++i)
    for (int k = 0; k < 3; ++k)
      d[k] += (state.first + i == 0 ? 1.0 : -1.0) * x(i, k);
  for (auto& component : d)
    component = comm.sum(component);
  return d;
}

nlohmann::json integrate(const tessera::DriverContext& context)
{
  const auto& comm = context.comm;
  const double e = context.config.get_real("binary.eccentricity");
  const auto orbits = context.config.get_int("binary.orbits");
  // The module's own parameters, from its schema: no softening, block steps at this eta.
  const auto params = tessera::params_for<nb::Simulation>(
      {"gravity.softening=0", fmt::format("integrator.eta={}", context.config.get_real("binary.eta"))});

  nb::State state = nb::allocate(comm, 2);
  kepler_binary(state, e);
  const double energy0 = nb::energies(comm, state, 0.0).total();

  nb::Hermite hermite(comm, state, params);
  hermite.start();
  const double period = 2 * std::numbers::pi, t_end = static_cast<double>(orbits) * period;
  while (state.time < t_end)
    hermite.step(t_end);

  // The integrator ends on its block-step grid, at or just past t_end: compare there.
  const auto end = separation(comm, state), exact = kepler_separation(e, state.time);
  const double drift = std::hypot(end[0] - exact[0], end[1] - exact[1], end[2] - exact[2]);
  const double energy_error = std::abs(nb::energies(comm, state, 0.0).total() / energy0 - 1);
  const auto line = fmt::format("e = {}: after {} orbits (t = {:.6f}, {} block steps) the separation is off the "
                                "exact orbit by {:.2e}, the energy by {:.2e} (E = {:.6f})",
                                e, orbits, state.time, state.steps, drift, energy_error, energy0);
  if (!(drift < 1e-4 && energy_error < 1e-6))
    throw tessera::Error(tessera::ExitCode::failure, line + ": more than 1e-4 and 1e-6");
  tessera::log::info("{} (ok)", line);
  return {{"separation_drift", drift}, {"energy_error", energy_error}, {"block_steps", state.steps}};
}

} // namespace

int main(int argc, char** argv)
{
  static const auto input = schema();
  tessera::DriverInfo info{"binary", "binary: a Kepler binary on Tessera's N-body module", &input};
  info.identity = {.program = "binary", .error_prefix = "binary", .version = "1.0.0", .commit = "example"};
  info.offers_restart = false;
  return tessera::run_driver(info, argc, argv, integrate);
}
