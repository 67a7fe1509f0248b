// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/params.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/simulation.hpp"
#include "tessera/core/spaces.hpp"
#include "tessera/nbody/forces.hpp"

namespace tessera::nbody {

ConfigSchema schema()
{
  ConfigSchema s;
  s.add_string("ic.kind", "plummer", "initial conditions: a Plummer sphere or a file", {"plummer", "hdf5", "text"})
      .add_string("ic.file", "", "HDF5 (datasets x, v, m) or text table (m x y z vx vy vz) for ic.kind = hdf5/text")
      .add_int("ic.n", 16384, "number of particles of a Plummer sphere", 2, 1LL << 31)
      .add_int("ic.seed", 1, "seed of the counter-based RNG", 0, 9.0e18)
      .add_string("ic.mass_spectrum", "equal", "equal masses or a Kroupa (2001) IMF", {"equal", "kroupa"})
      .add_real("ic.kroupa_min", 0.08, "lightest star of the IMF", 1e-3, 1e3, "Msun")
      .add_real("ic.kroupa_max", 100.0, "heaviest star of the IMF", 1e-3, 1e3, "Msun")
      .add_bool("ic.standard_units", true, "rescale to E = -1/4 and K/|W| = 1/2 (Henon units)")
      .add_real("gravity.softening", 1.0 / 1024, "Plummer softening length eps (0: none)", 0.0, 1.0, "N-body length")
      .add_string("integrator.kind", "hermite_block", "Hermite with block steps or a shared step, or KDK leapfrog",
                  {"hermite_block", "hermite_shared", "leapfrog"})
      .add_string("integrator.precision", "fp64", "precision of the leapfrog's force kernel (Hermite: always fp64)",
                  {"fp64", "fp32"})
      .add_real("integrator.eta", 0.02, "Aarseth accuracy parameter, inside the square root", 1e-6, 1.0)
      .add_real("integrator.eta_start", 0.01, "first step = eta_start |a| / |jerk|", 1e-6, 1.0)
      .add_real("integrator.dt_max", 1.0 / 64, "largest step (block steps: a power of two)", 1e-12, 1.0, "N-body time")
      .add_real("integrator.dt_min", std::ldexp(1.0, -40), "smallest step before the run stops", 0.0, 1.0,
                "N-body time")
      .add_real("integrator.dt_fixed", 0.0, "fixed shared step (hermite_shared, leapfrog); 0: adaptive", 0.0, 1.0,
                "N-body time")
      .add_real("run.t_end", 1.0, "end time", 0.0, 1e9, "N-body time")
      .add_real("run.max_energy_error", 1e-2,
                "largest abs(dE/E0) at a row of diagnostics.dat; beyond it the run stops, exit 1 (0: no limit)", 0.0,
                1e30)
      .add_bool("output.snapshots", true, "write an HDF5 snapshot at every output (output.interval)")
      .add_int("kernel.tile", 0, "j-particles per team-scratch tile (0: backend default)", 0, 8192)
      .add_int("kernel.team_size", 0, "threads per team (0: backend default)", 0, 1024)
      .add_int("kernel.j_split", 0, "teams sharing an i-block's j-loop (0: automatic)", 0, 4096);
  declare_run_keys(s, unit(),
                   {.checkpoint_interval = 0,
                    .checkpoint_wall_seconds = 3600,
                    .output_interval = 0.125,
                    .table_interval = 0.125,
                    .log_interval = 0.125,
                    .has_output = true,
                    .has_table = true});
  // What a restart continues must be the same system under the same equations; the end
  // time, output and kernel tuning may change.
  s.fixed_on_restart({"ic.", "gravity.", "integrator."});
  s.reads_file("ic.file");
  return s;
}

namespace {
bool is_multiple(double value, double step)
{
  const double ratio = value / step;
  return std::abs(ratio - std::round(ratio)) < 1e-9 * std::max(1.0, ratio);
}
bool is_power_of_two(double x)
{
  int exponent = 0;
  return std::frexp(x, &exponent) == 0.5;
}
} // namespace

const char* name(Integrator integrator)
{
  switch (integrator) {
  case Integrator::hermite_block: return "hermite_block";
  case Integrator::hermite_shared: return "hermite_shared";
  case Integrator::leapfrog: return "leapfrog";
  }
  return "?";
}

ProgressUnit unit()
{
  return {"time", "time units", true};
}

Params params_from(const Config& c)
{
  Params p{};
  p.ic = c.get_string("ic.kind");
  p.ic_file = c.get_string("ic.file");
  p.n = c.get_int("ic.n");
  p.seed = static_cast<std::uint64_t>(c.get_int("ic.seed"));
  p.mass_spectrum = c.get_string("ic.mass_spectrum");
  p.kroupa_min = c.get_real("ic.kroupa_min");
  p.kroupa_max = c.get_real("ic.kroupa_max");
  p.standard_units = c.get_bool("ic.standard_units");
  p.softening = c.get_real("gravity.softening");
  const auto kind = c.get_string("integrator.kind");
  p.integrator = kind == "leapfrog"         ? Integrator::leapfrog
                 : kind == "hermite_shared" ? Integrator::hermite_shared
                                            : Integrator::hermite_block;
  p.precision = c.get_string("integrator.precision") == "fp32" ? Precision::fp32 : Precision::fp64;
  p.eta = c.get_real("integrator.eta");
  p.eta_start = c.get_real("integrator.eta_start");
  p.dt_max = c.get_real("integrator.dt_max");
  p.dt_min = c.get_real("integrator.dt_min");
  p.dt_fixed = c.get_real("integrator.dt_fixed");
  p.t_end = c.get_real("run.t_end");
  p.max_energy_error = c.get_real("run.max_energy_error");
  p.snapshots = c.get_bool("output.snapshots");
  p.tile = static_cast<int>(c.get_int("kernel.tile"));
  p.team_size = static_cast<int>(c.get_int("kernel.team_size"));
  p.j_split = static_cast<int>(c.get_int("kernel.j_split"));

  // Each message names where its keys came from: the deck, or the override on the command line.
  const auto where = [&](std::initializer_list<std::string> keys) { return c.where(keys); };
  if (p.team_size > 0 && p.team_size > max_team_size()) {
    // Kokkos would refuse the launch later, without the key's name.
    throw InputError(fmt::format("{}: key 'kernel.team_size' = {} is out of range: expected 0 (the backend default) "
                                 "or 1..{}, the most the {} backend runs",
                                 where({"kernel.team_size"}), p.team_size, max_team_size(), backend_name()));
  }
  if (p.ic != "plummer" && p.ic_file.empty()) {
    throw InputError(
        fmt::format("{}: key 'ic.file' is needed when ic.kind = \"{}\"", where({"ic.file", "ic.kind"}), p.ic));
  }
  if (p.ic == "plummer" && !p.ic_file.empty()) {
    // A file named but not read would run a Plummer sphere in its place, silently.
    throw InputError(fmt::format("{}: key 'ic.file' = \"{}\" is read only with ic.kind = \"hdf5\" or \"text\", "
                                 "not ic.kind = \"plummer\"",
                                 where({"ic.file", "ic.kind"}), shorten_for_message(p.ic_file.string())));
  }
  if (p.kroupa_min >= p.kroupa_max) {
    throw InputError(fmt::format("{}: key 'ic.kroupa_min' = {} must be below ic.kroupa_max = {}",
                                 where({"ic.kroupa_min", "ic.kroupa_max"}), p.kroupa_min, p.kroupa_max));
  }
  if (p.precision == Precision::fp32 && p.integrator != Integrator::leapfrog) {
    throw InputError(fmt::format("{}: key 'integrator.precision' = \"fp32\" needs integrator.kind = \"leapfrog\" "
                                 "(Hermite is FP64)",
                                 where({"integrator.precision", "integrator.kind"})));
  }
  if (p.integrator == Integrator::leapfrog && p.dt_fixed <= 0) {
    throw InputError(fmt::format("{}: key 'integrator.dt_fixed' must be > 0 for the leapfrog",
                                 where({"integrator.dt_fixed", "integrator.kind"})));
  }
  if (p.integrator == Integrator::hermite_block) {
    if (!is_power_of_two(p.dt_max)) {
      throw InputError(fmt::format("{}: key 'integrator.dt_max' = {} must be a power of two for block steps",
                                   where({"integrator.dt_max", "integrator.kind"}), p.dt_max));
    }
    // Particles are all at one time only at multiples of dt_max: outputs and rows go there.
    for (const auto& key : {"output.interval", "output.table_interval", "run.t_end"}) {
      const double value = c.get_real(key);
      if (!is_multiple(value, p.dt_max)) {
        throw InputError(fmt::format("{}: key '{}' = {} must be a multiple of integrator.dt_max = {} for block steps",
                                     where({key, "integrator.dt_max"}), key, value, p.dt_max));
      }
    }
    if (p.dt_fixed > 0) {
      throw InputError(fmt::format("{}: key 'integrator.dt_fixed' applies to hermite_shared and leapfrog only",
                                   where({"integrator.dt_fixed", "integrator.kind"})));
    }
  }
  if (p.dt_min >= p.dt_max) {
    throw InputError(fmt::format("{}: key 'integrator.dt_min' = {} must be below integrator.dt_max = {}",
                                 where({"integrator.dt_min", "integrator.dt_max"}), p.dt_min, p.dt_max));
  }
  return p;
}

} // namespace tessera::nbody
