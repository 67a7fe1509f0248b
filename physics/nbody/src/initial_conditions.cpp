// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/initial_conditions.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/nbody/diagnostics.hpp"

namespace tessera::nbody {

namespace {

constexpr std::uint32_t stream_positions = 11, stream_velocities = 12, stream_masses = 13;

// An isotropic vector of length r from two uniform draws.
KOKKOS_INLINE_FUNCTION void isotropic(RandomDraws& rng, double r, double& x, double& y, double& z)
{
  const double cos_theta = rng.uniform(-1.0, 1.0);
  const double sin_theta = Kokkos::sqrt(Kokkos::max(0.0, 1.0 - cos_theta * cos_theta));
  const double phi = 2.0 * Kokkos::numbers::pi * rng.uniform();
  x = r * sin_theta * Kokkos::cos(phi);
  y = r * sin_theta * Kokkos::sin(phi);
  z = r * cos_theta;
}

// Kroupa (2001): dN/dm ~ m^-1.3 below 0.5 Msun, m^-2.3 above (continuous at 0.5), by
// inverting the cumulative distribution of each power-law piece.
KOKKOS_INLINE_FUNCTION double kroupa_mass(RandomDraws& rng, double m_lo, double m_hi)
{
  const double m_break = 0.5;
  const auto piece_integral = [](double alpha, double a, double b, double norm) {
    return norm * (Kokkos::pow(b, 1.0 - alpha) - Kokkos::pow(a, 1.0 - alpha)) / (1.0 - alpha);
  };
  const double lo_hi = Kokkos::min(m_hi, m_break), hi_lo = Kokkos::max(m_lo, m_break);
  // Continuity at m_break: c2 m^-2.3 = c1 m^-1.3 there, c1 = 1.
  const double c2 = m_break;
  const double w1 = m_lo < m_break ? piece_integral(1.3, m_lo, lo_hi, 1.0) : 0.0;
  const double w2 = m_hi > m_break ? piece_integral(2.3, hi_lo, m_hi, c2) : 0.0;
  const double u = rng.uniform() * (w1 + w2);
  if (u < w1) {
    const double e = 1.0 - 1.3;
    return Kokkos::pow(Kokkos::pow(m_lo, e) + u * e, 1.0 / e);
  }
  const double e = 1.0 - 2.3;
  return Kokkos::pow(Kokkos::pow(hi_lo, e) + (u - w1) * e / c2, 1.0 / e);
}

} // namespace

void plummer(const Comm& comm, State& state, const Params& params)
{
  const auto x = state.x;
  const auto v = state.v;
  const auto m = state.m;
  const auto id = state.id;
  const std::uint64_t seed = params.seed;
  const double n = static_cast<double>(state.n_global);
  const bool kroupa = params.mass_spectrum == "kroupa";
  const double m_lo = params.kroupa_min, m_hi = params.kroupa_max;
  par_for(
      "nbody::plummer", state.local(), KOKKOS_LAMBDA(Index i) {
        const auto p = static_cast<std::uint64_t>(id(i));
        RandomDraws pos(seed, stream_positions, p);
        double r = 0;
        do {
          const double mass_fraction = pos.uniform();
          r = 1.0 / Kokkos::sqrt(Kokkos::pow(mass_fraction, -2.0 / 3.0) - 1.0);
        } while (r > 22.8);
        isotropic(pos, r, x(i, 0), x(i, 1), x(i, 2));
        RandomDraws vel(seed, stream_velocities, p);
        double q = 0;
        for (;;) {
          q = vel.uniform();
          const double g = q * q * Kokkos::pow(1.0 - q * q, 3.5);
          if (0.1 * vel.uniform() < g) break;
        }
        const double escape = Kokkos::sqrt(2.0) * Kokkos::pow(1.0 + r * r, -0.25);
        isotropic(vel, q * escape, v(i, 0), v(i, 1), v(i, 2));
        // Plummer units (a = 1) to Henon units: length * 3 pi / 16, velocity / sqrt(3 pi / 16).
        const double length = 3.0 * Kokkos::numbers::pi / 16.0;
        for (int d = 0; d < 3; ++d) {
          x(i, d) *= length;
          v(i, d) /= Kokkos::sqrt(length);
        }
        if (kroupa) {
          RandomDraws draw(seed, stream_masses, p);
          m(i) = kroupa_mass(draw, m_lo, m_hi);
        } else {
          m(i) = 1.0 / n;
        }
      });
  if (kroupa) {
    double total = 0;
    par_reduce("nbody::total_mass", state.local(), KOKKOS_LAMBDA(Index i, double& s) { s += m(i); }, total);
    const double scale = 1.0 / comm.sum(total);
    par_for("nbody::normalise_mass", state.local(), KOKKOS_LAMBDA(Index i) { m(i) *= scale; });
  }
  to_standard_units(comm, state, params);
}

void to_standard_units(const Comm& comm, State& state, const Params& params)
{
  // Centre-of-mass frame.
  const auto com = centre_of_mass(comm, state);
  const auto x = state.x;
  const auto v = state.v;
  const double cx = com.position[0], cy = com.position[1], cz = com.position[2];
  const double ux = com.velocity[0], uy = com.velocity[1], uz = com.velocity[2];
  par_for(
      "nbody::to_com_frame", state.local(), KOKKOS_LAMBDA(Index i) {
        x(i, 0) -= cx;
        x(i, 1) -= cy;
        x(i, 2) -= cz;
        v(i, 0) -= ux;
        v(i, 1) -= uy;
        v(i, 2) -= uz;
      });
  if (!params.standard_units) return;
  // W scales as 1/length, K as velocity^2: W -> -1/2, K -> 1/4 gives E = -1/4, Q = 1/2.
  const auto e = energies(comm, state, params.softening);
  if (!(e.potential < 0) || !(e.kinetic > 0)) {
    throw InputError(
        fmt::format("initial conditions: cannot scale to standard units (K = {}, W = {})", e.kinetic, e.potential));
  }
  const double length = e.potential / -0.5;
  const double speed = Kokkos::sqrt(0.25 / e.kinetic);
  par_for(
      "nbody::to_standard_units", state.local(), KOKKOS_LAMBDA(Index i) {
        for (int d = 0; d < 3; ++d) {
          x(i, d) *= length;
          v(i, d) *= speed;
        }
      });
  // With softening, W is not exactly 1/length-homogeneous: one more pass makes it exact.
  const auto e2 = energies(comm, state, params.softening);
  const double target_kinetic = -0.25 - e2.potential;
  const double speed2 = target_kinetic > 0 ? Kokkos::sqrt(target_kinetic / e2.kinetic) : 1.0;
  par_for(
      "nbody::fix_energy", state.local(), KOKKOS_LAMBDA(Index i) {
        for (int d = 0; d < 3; ++d)
          v(i, d) *= speed2;
      });
}

namespace {

struct Table {
  std::vector<double> m, x, v;
};

Table read_text_table(const std::filesystem::path& path)
{
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot open the initial-conditions file", path.string()));
  Table t;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::vector<double> values;
    std::string word;
    while (fields >> word) {
      char* end = nullptr;
      const double value = std::strtod(word.c_str(), &end);
      if (end == word.c_str() || *end != '\0') {
        throw InputError(fmt::format("{}:{}: '{}' is not a number", path.string(), number, word));
      }
      if (!std::isfinite(value)) {
        throw InputError(fmt::format("{}:{}: non-finite value '{}'", path.string(), number, word));
      }
      values.push_back(value);
    }
    if (values.empty()) continue;
    if (values.size() != 7) {
      throw InputError(
          fmt::format("{}:{}: expected 7 columns (m x y z vx vy vz), found {}", path.string(), number, values.size()));
    }
    if (values[0] < 0) throw InputError(fmt::format("{}:{}: negative mass {}", path.string(), number, values[0]));
    t.m.push_back(values[0]);
    t.x.insert(t.x.end(), values.begin() + 1, values.begin() + 4);
    t.v.insert(t.v.end(), values.begin() + 4, values.end());
  }
  if (t.m.empty()) throw InputError(fmt::format("{}: no particles in the file", path.string()));
  return t;
}

Table read_hdf5_table(const std::filesystem::path& path)
{
  try {
    Hdf5Reader reader(path);
    Table t;
    std::vector<std::uint64_t> shape;
    t.x = reader.read_all<double>("x", &shape);
    if (shape.size() != 2 || shape[1] != 3)
      throw InputError(fmt::format("{}: dataset 'x' must be (N, 3)", path.string()));
    const auto n = shape[0];
    t.v = reader.read_all<double>("v", &shape);
    if (shape != std::vector<std::uint64_t>{n, 3}) {
      throw InputError(fmt::format("{}: dataset 'v' must be ({}, 3)", path.string(), n));
    }
    t.m = reader.read_all<double>("m", &shape);
    if (shape != std::vector<std::uint64_t>{n})
      throw InputError(fmt::format("{}: dataset 'm' must be ({})", path.string(), n));
    for (const auto* column : {&t.x, &t.v, &t.m}) {
      for (double value : *column) {
        if (!std::isfinite(value)) throw InputError(fmt::format("{}: non-finite value in the data", path.string()));
      }
    }
    return t;
  } catch (const IoError& e) {
    throw InputError(e.what());
  }
}

Table read_table(const Params& params)
{
  if (params.ic == "hdf5") return read_hdf5_table(params.ic_file);
  return read_text_table(params.ic_file);
}

} // namespace

std::int64_t count_particles(const Params& params)
{
  if (params.ic == "hdf5") {
    try {
      // A scalar or 2-D 'm' is refused here as read_hdf5_table refuses it (a fuzzed file).
      const auto shape = Hdf5Reader(params.ic_file).shape("m");
      if (shape.size() != 1)
        throw InputError(
            fmt::format("{}: dataset 'm' must be 1-D (N), found {} dimensions", params.ic_file.string(), shape.size()));
      if (shape[0] == 0) throw InputError(fmt::format("{}: no particles in the file", params.ic_file.string()));
      return static_cast<std::int64_t>(shape[0]);
    } catch (const IoError& e) {
      throw InputError(e.what());
    }
  }
  return static_cast<std::int64_t>(read_text_table(params.ic_file).m.size());
}

void read_initial_conditions(const Comm& comm, State& state, const Params& params)
{
  const Table table = read_table(params);
  if (static_cast<std::int64_t>(table.m.size()) != state.n_global) {
    throw InputError(
        fmt::format("{}: {} particles, expected {}", params.ic_file.string(), table.m.size(), state.n_global));
  }
  auto x = Kokkos::create_mirror_view(state.x);
  auto v = Kokkos::create_mirror_view(state.v);
  auto m = Kokkos::create_mirror_view(state.m);
  for (Index i = 0; i < state.local(); ++i) {
    const auto g = static_cast<std::size_t>(state.first + i);
    m(i) = table.m[g];
    for (int d = 0; d < 3; ++d) {
      x(i, d) = table.x[3 * g + d];
      v(i, d) = table.v[3 * g + d];
    }
  }
  Kokkos::deep_copy(state.x, x);
  Kokkos::deep_copy(state.v, v);
  Kokkos::deep_copy(state.m, m);
  (void)comm;
}

State initial_state(const Comm& comm, const Params& params)
{
  const std::int64_t n = params.ic == "plummer" ? params.n : count_particles(params);
  State state = allocate(comm, n);
  if (params.ic == "plummer") {
    plummer(comm, state, params);
  } else {
    read_initial_conditions(comm, state, params);
    to_standard_units(comm, state, params);
  }
  return state;
}

} // namespace tessera::nbody
