// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/params.hpp"

#include <charconv>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::lqcd {

ConfigSchema schema()
{
  ConfigSchema s;
  s.add_string("run.mode", "hmc",
               "hmc: generate an ensemble; measure: observables of a configuration; invert: "
               "point-source propagator and pion correlator of a configuration",
               {"hmc", "measure", "invert"})
      .add_string("lattice.size", "8x8x8x8", "Lx x Ly x Lz x Lt, each even")
      .add_string("lattice.ranks", "auto", "MPI rank grid Px x Py x Pz x Pt (0 or auto: chosen, time split first)")
      .add_string("gauge.start", "cold", "initial links: unit (cold), Haar-random (hot) or a NERSC file",
                  {"cold", "hot", "file"})
      .add_string("gauge.file", "", "NERSC configuration for gauge.start = file and the measure/invert modes")
      .add_real("action.beta", 5.7, "Wilson gauge coupling beta = 6 / g0^2", 0.0, 1e3)
      .add_int("action.flavours", 0, "dynamical Wilson quark flavours: 0 (quenched) or 2", 0, 2)
      .add_real("action.kappa", 0.15, "hopping parameter of the Wilson quarks (kappa_c = 1/8 free)", 0.0, 0.25)
      .add_string("action.time_boundary", "antiperiodic", "quark boundary condition in time",
                  {"antiperiodic", "periodic"})
      .add_int("hmc.trajectories", 100, "trajectories to run (a restart runs up to this total)", 0, 100000000)
      .add_int("hmc.thermalisation", 20, "first trajectories left out of the averages", 0, 100000000)
      .add_int("hmc.no_metropolis_until", 10,
               "trajectories before this one are always accepted (warm-up from a cold or hot start; the chain is "
               "exact only after it); at most hmc.thermalisation",
               0, 100000000)
      .add_int("hmc.seed", 1, "seed of the counter-based random numbers", 0, 9.0e18)
      .add_string("hmc.integrator", "omelyan", "molecular-dynamics integrator", {"omelyan", "leapfrog"})
      .add_real("hmc.length", 1.0, "trajectory length tau", 1e-6, 100.0)
      .add_int("hmc.steps", 10, "outer integration steps per trajectory", 1, 100000)
      .add_int("hmc.gauge_substeps", 1, "gauge steps per outer (fermion) step: the multi-time-scale option", 1, 1000)
      .add_int("hmc.reversibility_interval", 0,
               "every n trajectories also integrate forward and back with the same momenta and report how far U, "
               "P and H return (the chain is not changed; 0: never)",
               0, 100000000)
      .add_string("solver.kind", "cg-eo",
                  "CG on the normal equations: cg (whole lattice), cg-eo (even-odd), "
                  "cg-eo-mixed (single precision with reliable updates in double), cg-eo-half (16-bit fields, "
                  "float arithmetic, reliable updates in double)",
                  {"cg", "cg-eo", "cg-eo-mixed", "cg-eo-half"})
      .add_real("solver.tolerance", 1e-10, "relative residual of the action solves, the propagators", 1e-15, 1e-2)
      .add_real("solver.force_tolerance", 1e-8, "relative residual of the force solves", 1e-15, 1e-2)
      .add_int("solver.max_iterations", 10000, "iterations before a solve is declared failed", 1, 10000000)
      .add_real("solver.reliable_delta", 0.1, "cg-eo-mixed, cg-eo-half: residual drop between reliable updates", 1e-6,
                0.9)
      .add_int("measure.interval", 1, "measure every n trajectories", 1, 100000000)
      .add_int("flow.interval", 0, "hmc: Wilson flow and topological charge every n trajectories (0: never)", 0,
               100000000)
      .add_real("flow.step", 0.02, "Wilson flow step epsilon", 1e-5, 0.2)
      .add_real("flow.time", 1.0, "Wilson flow time t in lattice units", 0.0, 1e4)
      .add_string("invert.source", "0x0x0x0", "point source position x x y x z x t")
      .add_bool("output.save_config", true,
                "write the configuration of the chain's last trajectory as a NERSC file when the chain ends (not "
                "when it is interrupted)");
  declare_run_keys(s, unit(),
                   {.checkpoint_interval = 10,
                    .checkpoint_wall_seconds = 3600,
                    .output_interval = 0,
                    .table_interval = 1,
                    .log_interval = 1,
                    .has_output = true,
                    .has_table = true});
  s.renamed("output.save_interval", "output.interval");
  // A restart continues the same Markov chain and averages the same quantities over it: the
  // lattice, the start, the action, the seed, the molecular dynamics, the solver (its
  // tolerances change the forces, so the chain) and the measurements that enter the running
  // sums are fixed. The chain's length, the outputs, the rank grid (the chain is the same on
  // any) and the reversibility test (it leaves the chain alone) may change.
  s.fixed_on_restart({"lattice.size", "gauge.start", "gauge.file", "action.", "hmc.seed", "hmc.integrator",
                      "hmc.length", "hmc.steps", "hmc.gauge_substeps", "hmc.no_metropolis_until", "hmc.thermalisation",
                      "solver.", "measure.interval", "flow."});
  s.reads_file("gauge.file");
  return s;
}

ProgressUnit unit()
{
  return {"trajectory", "trajectories", false};
}

const char* name(Mode mode)
{
  switch (mode) {
  case Mode::hmc: return "hmc";
  case Mode::measure: return "measure";
  default: return "invert";
  }
}

std::array<int, dims> parse_extents(const std::string& text, const std::string& label, bool zero_allowed)
{
  std::array<int, dims> out{};
  const auto fail = [&] {
    return InputError(fmt::format("{} = '{}': expected four {}integers like 8x8x8x16", label, shorten_for_message(text),
                                  zero_allowed ? "non-negative " : "positive "));
  };
  std::size_t pos = 0;
  for (int mu = 0; mu < dims; ++mu) {
    const auto end = mu < dims - 1 ? text.find('x', pos) : text.size();
    if (end == std::string::npos || end == pos) throw fail();
    int value = -1;
    const auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + end, value);
    if (ec != std::errc() || ptr != text.data() + end || value < 0 || (!zero_allowed && value == 0) || value > 100000)
      throw fail();
    out[mu] = value;
    pos = end + 1;
  }
  return out;
}

Params params_from(const Config& c)
{
  // Each message names where its keys came from: the deck, or the override on the command
  // line when one of them was given there (Config::where).
  Params p{};
  const auto mode = c.get_string("run.mode");
  p.mode = mode == "hmc" ? Mode::hmc : mode == "measure" ? Mode::measure : Mode::invert;
  const auto size = c.get_string("lattice.size");
  p.lattice = parse_extents(size, c.where("lattice.size") + ": key 'lattice.size'", false);
  for (int mu = 0; mu < dims; ++mu)
    if (p.lattice[mu] % 2 != 0 || p.lattice[mu] < 2)
      throw InputError(fmt::format("{}: key 'lattice.size' = '{}': every extent must be even and at least 2",
                                   c.where("lattice.size"), shorten_for_message(size)));
  const auto ranks = c.get_string("lattice.ranks");
  p.ranks = ranks == "auto" ? std::array<int, dims>{}
                            : parse_extents(ranks, c.where("lattice.ranks") + ": key 'lattice.ranks'", true);
  p.start = c.get_string("gauge.start");
  p.config = c.get_string("gauge.file");
  if ((p.start == "file" || p.mode != Mode::hmc) && p.config.empty())
    throw InputError(fmt::format("{}: key 'gauge.file': a NERSC configuration is needed for {}",
                                 c.where({"gauge.file", p.mode == Mode::hmc ? "gauge.start" : "run.mode"}),
                                 p.mode == Mode::hmc ? "gauge.start = file" : "run.mode = " + mode));

  HmcParams& h = p.hmc;
  h.beta = c.get_real("action.beta");
  h.flavours = static_cast<int>(c.get_int("action.flavours"));
  if (h.flavours == 1)
    throw InputError(
        fmt::format("{}: key 'action.flavours' = 1: expected 0 (quenched) or 2", c.where("action.flavours")));
  h.wilson.kappa = c.get_real("action.kappa");
  h.wilson.boundary_phase = {1, 1, 1, c.get_string("action.time_boundary") == "antiperiodic" ? -1.0 : 1.0};
  h.seed = static_cast<std::uint64_t>(c.get_int("hmc.seed"));
  h.integrator = integrator_from(c.get_string("hmc.integrator"));
  h.trajectory_length = c.get_real("hmc.length");
  h.steps = static_cast<int>(c.get_int("hmc.steps"));
  h.gauge_substeps = static_cast<int>(c.get_int("hmc.gauge_substeps"));
  h.solver = solver_kind_from(c.get_string("solver.kind"));
  const int max_iterations = static_cast<int>(c.get_int("solver.max_iterations"));
  const double delta = c.get_real("solver.reliable_delta");
  h.action_solver = {c.get_real("solver.tolerance"), max_iterations, delta};
  h.force_solver = {c.get_real("solver.force_tolerance"), max_iterations, delta};
  if (h.flavours == 2 && h.solver == SolverKind::cg)
    throw InputError(fmt::format("{}: key 'solver.kind' = \"cg\": the HMC with quarks (action.flavours = 2) needs "
                                 "cg-eo, cg-eo-mixed or cg-eo-half",
                                 c.where({"solver.kind", "action.flavours"})));
  // 16-bit iterations drift from the true residual by about 1e-3 of it within a cycle: with
  // delta = 0.01 the iterated residual stops tracking it (a 4^3 x 6 hot field at kappa 0.235
  // ran 3708 iterations and missed 1e-10; 684 at 0.05, 615 at 0.1, 559 in double).
  if (h.solver == SolverKind::cg_even_odd_half && delta < min_half_reliable_delta)
    throw InputError(fmt::format("{}: key 'solver.reliable_delta' = {}: cg-eo-half needs {} or more (16-bit "
                                 "iterations drift from the true residual between reliable updates)",
                                 c.where({"solver.reliable_delta", "solver.kind"}), delta, min_half_reliable_delta));
  p.trajectories = static_cast<int>(c.get_int("hmc.trajectories"));
  p.thermalisation = static_cast<int>(c.get_int("hmc.thermalisation"));
  h.no_metropolis_until = static_cast<std::uint64_t>(c.get_int("hmc.no_metropolis_until"));
  if (static_cast<int>(h.no_metropolis_until) > p.thermalisation)
    throw InputError(fmt::format("{}: key 'hmc.no_metropolis_until' = {} is after hmc.thermalisation = {}: "
                                 "production trajectories must pass the Metropolis test",
                                 c.where({"hmc.no_metropolis_until", "hmc.thermalisation"}), h.no_metropolis_until,
                                 p.thermalisation));
  p.measure_interval = static_cast<int>(c.get_int("measure.interval"));
  p.flow_interval = static_cast<int>(c.get_int("flow.interval"));
  p.reversibility_interval = static_cast<int>(c.get_int("hmc.reversibility_interval"));
  p.flow_step = c.get_real("flow.step");
  p.flow_time = c.get_real("flow.time");
  const auto source = c.get_string("invert.source");
  p.source = parse_extents(source, c.where("invert.source") + ": key 'invert.source'", true);
  for (int mu = 0; mu < dims; ++mu)
    if (p.source[mu] >= p.lattice[mu])
      throw InputError(fmt::format("{}: key 'invert.source' = '{}' is outside the lattice {} (lattice.size)",
                                   c.where({"invert.source", "lattice.size"}), shorten_for_message(source),
                                   shorten_for_message(size)));
  p.save_config = c.get_bool("output.save_config");
  return p;
}

} // namespace tessera::lqcd
