// SPDX-License-Identifier: Apache-2.0
#pragma once
// Direct N-body as a simulation of core's run loop (tessera-nbody; docs/nbody.md): Plummer
// or file initial conditions, the Hermite integrator with block or shared steps (or the
// leapfrog) advanced one step at a time, diagnostics rows (energy error, virial ratio,
// Lagrangian radii) in diagnostics.dat, HDF5 snapshots at every output (one XDMF series,
// snapshots.xdmf), checkpoints that hold each particle's own time so a restart continues bit
// for bit.

#include <optional>

#include "tessera/core/simulation.hpp"
#include "tessera/nbody/diagnostics.hpp"
#include "tessera/nbody/hermite.hpp"
#include "tessera/nbody/io.hpp"
#include "tessera/nbody/params.hpp"
#include "tessera/nbody/state.hpp"

namespace tessera::nbody {

class Simulation {
public:
  using Params = nbody::Params;
  static SimulationInfo info();
  static ConfigSchema schema() { return nbody::schema(); }
  static Params params(const Config& config) { return params_from(config); }

  Simulation(const RunContext& context, const Params& params);
  Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);
  Simulation(const Simulation&) = delete; // the integrator points at the state
  Simulation& operator=(const Simulation&) = delete;

  void advance(double target);
  double position() const { return state_.time; }
  double end() const { return params_.t_end; }
  void write_checkpoint(CheckpointWriter& writer) const;
  DiagnosticsRow diagnostics() const;
  void write_output(const OutputRequest& request);
  std::string status() const;
  // After each diagnostics row: a non-finite energy, or |dE/E0| above run.max_energy_error,
  // ends the run (Error, exit 1) with one line.
  void check() const;
  Results results();

  const State& state() const { return state_; }
  double initial_energy() const { return initial_energy_; }

private:
  void build_integrator();

  RunContext context_;
  Params params_;
  State state_;
  std::optional<Hermite> hermite_;
  std::optional<Leapfrog> leapfrog_;
  SnapshotSeries series_; // snapshots.xdmf (rank 0)
  double initial_energy_ = 0;
  std::int64_t steps_at_start_ = 0, active_total_ = 0;
  mutable nlohmann::json table_ = nlohmann::json::array(); // the rows of this run, for the summary
  mutable std::optional<Diagnostics> last_;
};

} // namespace tessera::nbody
