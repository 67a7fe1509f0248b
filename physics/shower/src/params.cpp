// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/params.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/shower/output.hpp"

namespace tessera::shower {

ConfigSchema schema()
{
  ConfigSchema s;
  s.add_int("events.n", 1000000, "events to generate (split over the MPI ranks)", 1, 1LL << 50)
      .add_int("events.seed", 1, "seed of the counter-based RNG (event k's random numbers depend on seed and k only)",
               0, 9.0e18)
      .add_int("events.batch", 0, "events showered at once per rank (0: backend default)", 0, 1LL << 30)
      .add_real("process.sqrt_s", 91.2, "centre-of-mass energy of e+ e- -> q qbar", 1.0, 1e5, "GeV")
      .add_real("process.mz", 91.1876, "Z mass", 1.0, 1e3, "GeV")
      .add_real("process.gamma_z", 2.4952, "Z width", 1e-3, 1e2, "GeV")
      .add_real("process.alpha", 1.0 / 128.802, "alpha_QED", 1e-4, 1.0)
      .add_real("process.sin2_theta_w", 0.22293, "sin^2 of the weak mixing angle", 1e-3, 0.999)
      .add_real("shower.t_cutoff", 1.0, "cutoff of the evolution variable t = kT^2", 0.01, 1e4, "GeV^2")
      .add_real("shower.alpha_s_mz", 0.118, "alpha_s(mZ)", 1e-3, 0.5)
      .add_string("shower.running", "two_loop",
                  "running of alpha_s: two-loop with flavour thresholds, or fixed at alpha_s(mZ)",
                  {"two_loop", "fixed"})
      .add_real("shower.mb", 4.75, "b-quark threshold of the running", 1.0, 100.0, "GeV")
      .add_real("shower.mc", 1.27, "c-quark threshold of the running", 0.5, 100.0, "GeV")
      .add_int("shower.g_to_qqbar_flavours", 5, "massless flavours a gluon splits into", 0, 5)
      .add_string("shower.competition", "summed",
                  "how the winning trial is found: one trial from the summed overestimate (fast) or one per "
                  "dipole and kernel, the highest winning (GAPS v1); equal in distribution",
                  {"summed", "per_dipole"})
      .add_int("shower.max_partons", 64,
               "partons per event the device reserves; events that need more are "
               "counted as overflows and left out of the histograms",
               4, 4096)
      .add_int("shower.trials_per_pass", -1,
               "trials per event per launch before live events are compacted (0: one launch to the end; "
               "-1: backend default)",
               -1, 1 << 20)
      .add_real("shower.max_overflow_fraction", 1e-3,
                "the run fails if a larger fraction of events overflows shower.max_partons", 0.0, 1.0)
      .add_string("output.yoda", "shower.yoda", "YODA histogram file in the output directory (\"\": none)")
      .add_string("output.yoda_format", "yoda2",
                  "layout of the YODA file: yoda2 (YODA_HISTO1D_V3, what YODA 2 and Rivet 4 read by default) or "
                  "yoda1 (YODA_HISTO1D_V2, YODA 1.x and Rivet 3)",
                  {"yoda2", "yoda1"})
      .add_string("output.hdf5", "shower.h5", "HDF5 histogram file in the output directory (\"\": none)")
      .add_int("output.hepmc_events", 0, "the first events of rank 0 written to events.hepmc3 (HepMC3 ASCII)", 0,
               1LL << 30);
  // Checkpoints every 10 minutes of wall-clock time, none by event count (a batch takes
  // milliseconds on a GPU); a progress line every 10^5 events, a tenth of the default run
  // (at most one per batch: a GPU batch of 2^20 events prints one each).
  declare_run_keys(
      s, unit(),
      {.checkpoint_interval = 0, .checkpoint_wall_seconds = 600, .log_interval = 100000, .final_checkpoint = false});
  // What a restart continues must draw the same events with the same physics: the number
  // of events (it also fixes each rank's block of event numbers), the seed, the hard
  // process and the shower, including max_partons (it decides which events overflow).
  // The batch size and the pass length change no event; max_overflow_fraction only the
  // verdict at the end.
  s.fixed_on_restart({"events.n", "events.seed", "process.", "shower.t_cutoff", "shower.alpha_s_mz", "shower.running",
                      "shower.mb", "shower.mc", "shower.g_to_qqbar_flavours", "shower.competition",
                      "shower.max_partons"});
  s.writes_file("output.yoda").writes_file("output.hdf5");
  return s;
}

std::int64_t default_batch_size()
{
  return device_is_host ? std::int64_t{1} << 14 : std::int64_t{1} << 20;
}

int default_trials_per_pass()
{
  return device_is_host ? 0 : 8; // H100, 10^6 events: 4.1e7/s at 4, 4.0e7 at 16, 3.0e7 at 0 (one launch)
}

ProgressUnit unit()
{
  return {"event", "events", false};
}

Params params_from(const Config& c)
{
  Params p{};
  p.events = c.get_int("events.n");
  auto& g = p.generator;
  g.batch_size = c.get_int("events.batch");
  if (g.batch_size == 0) g.batch_size = default_batch_size();
  ElectroweakInputs ew{};
  ew.mz = c.get_real("process.mz");
  ew.gamma_z = c.get_real("process.gamma_z");
  ew.alpha = c.get_real("process.alpha");
  ew.sin2_theta_w = c.get_real("process.sin2_theta_w");
  const double sqrt_s = c.get_real("process.sqrt_s");
  g.hard = EeToQQbar(ew, sqrt_s);
  auto& s = g.shower;
  s.seed = static_cast<std::uint64_t>(c.get_int("events.seed"));
  s.t_cutoff = c.get_real("shower.t_cutoff");
  if (4 * s.t_cutoff >= sqrt_s * sqrt_s)
    throw InputError(fmt::format("{}: key 'shower.t_cutoff' = {} must be below s/4 = {} (process.sqrt_s = {})",
                                 c.where({"shower.t_cutoff", "process.sqrt_s"}), s.t_cutoff, sqrt_s * sqrt_s / 4,
                                 sqrt_s));
  p.alpha_s_mz = c.get_real("shower.alpha_s_mz");
  p.running = c.get_string("shower.running");
  p.mb = c.get_real("shower.mb");
  p.mc = c.get_real("shower.mc");
  if (!(p.mc < p.mb))
    throw InputError(fmt::format("{}: keys 'shower.mc' = {} and 'shower.mb' = {}: expected mc < mb",
                                 c.where({"shower.mc", "shower.mb"}), p.mc, p.mb));
  s.alpha_s = AlphaS(ew.mz, p.alpha_s_mz, p.mb, p.mc);
  s.fixed_coupling = p.running == "fixed";
  s.alpha_fixed = p.alpha_s_mz;
  s.alpha_max = s.fixed_coupling ? s.alpha_fixed : s.alpha_s(s.t_cutoff);
  if (!(s.alpha_max > 0) || !std::isfinite(s.alpha_max) || s.alpha_max > 10)
    throw InputError(fmt::format("{}: key 'shower.t_cutoff' = {}: alpha_s there is {} (below the Landau pole "
                                 "expected); raise the cutoff",
                                 c.where({"shower.t_cutoff", "shower.alpha_s_mz", "shower.mb", "shower.mc"}),
                                 s.t_cutoff, s.alpha_max));
  s.g_to_qqbar_flavours = static_cast<int>(c.get_int("shower.g_to_qqbar_flavours"));
  s.competition = c.get_string("shower.competition") == "per_dipole" ? Competition::per_dipole : Competition::summed;
  g.max_partons = static_cast<int>(c.get_int("shower.max_partons"));
  p.batch_where = c.where({"events.batch", "shower.max_partons"});
  const auto per_pass = c.get_int("shower.trials_per_pass");
  g.trials_per_pass = per_pass < 0 ? default_trials_per_pass() : static_cast<int>(per_pass);
  p.max_overflow_fraction = c.get_real("shower.max_overflow_fraction");
  p.yoda = c.get_string("output.yoda");
  p.hdf5 = c.get_string("output.hdf5");
  p.yoda_format = yoda_format(c.get_string("output.yoda_format"));
  p.hepmc_events = c.get_int("output.hepmc_events");
  return p;
}

} // namespace tessera::shower
