// SPDX-License-Identifier: Apache-2.0
#pragma once
// Compressible hydrodynamics on an adaptive octree of mesh blocks as a simulation of core's
// run loop (tessera-amr; docs/amr.md). A fresh start builds the initial mesh around the
// problem's state (evaluate, regrid, evaluate again until the mesh stops changing); every
// advance() is one step of the global CFL time step, followed by a regrid every
// refinement.interval steps. Rows of conserved totals go to amr.hst, plot files and their
// XDMF series at every output, and checkpoints hold the tree, the cells and the plot series,
// so a restart continues bit for bit on any number of ranks.
//
// Tests and benchmarks build the same class from params_for<Simulation>({...}) and call
// advance(): there is no other set-up or step loop.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/amr/adaptive_run.hpp"
#include "tessera/amr/params.hpp"
#include "tessera/amr/plot_file.hpp"
#include "tessera/core/simulation.hpp"

namespace tessera::amr {

class Simulation {
public:
  using Params = amr::Params;
  static SimulationInfo info();
  static ConfigSchema schema() { return amr::schema(); }
  static Params params(const Config& config) { return params_from(config); }

  Simulation(const RunContext& context, const Params& params);
  Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint);

  // One step, dt = min(CFL step, target - time) (the time lands on target exactly when it
  // is reached), and a regrid when the step count is a multiple of refinement.interval.
  // Throws Error (exit 1) when the time step is no longer positive and finite, or when the
  // step's floor corrections per cell exceed hydro.max_floored_fraction.
  void advance(double target);
  double position() const { return time_; }
  double end() const { return params_.t_end; }
  // run.max_steps steps taken by this process (a run split into parts by a batch system).
  bool finished() const;
  void write_checkpoint(CheckpointWriter& writer) const;
  // time step dt mass momentum_x momentum_y momentum_z energy [scalar_n] blocks floors
  DiagnosticsRow diagnostics() const;
  void write_output(const OutputRequest& request);
  std::string status() const;
  Results results();

  // What tests and benchmarks look at (collective where the AdaptiveRun's calls are).
  const AdaptiveRun& adaptive_run() const { return *amr_; }
  const Mesh& mesh() const { return amr_->mesh(); }
  const BlockData& data() const { return amr_->data(); }
  const Params& parameters() const { return params_; }
  std::int64_t step() const { return step_; }
  std::int64_t regrids() const { return regrids_; }
  double last_dt() const { return dt_; }

private:
  void set_up_problem();
  void start(std::vector<PlotRecord> plots);
  void plot_between(double next);

  RunContext context_;
  Params params_;
  std::unique_ptr<AdaptiveRun> amr_;
  std::optional<PlotWriter> plots_;
  double time_ = 0, dt_ = 0;
  std::int64_t step_ = 0, steps_at_start_ = 0, regrids_ = 0;
  std::int64_t floors_ = 0; // floor corrections before this step (the limit is on one step's)
  // Plots of this step written from side steps; whether it lands on a plot time (or the end).
  int side_plots_ = 0;
  bool lands_on_plot_ = false;
  // This process's share of the run, for the summary and the progress lines.
  Totals totals_start_{};
  double zone_cycles_ = 0;
  std::int64_t max_blocks_ = 0;
  mutable double zone_cycles_at_status_ = 0, hydro_seconds_at_status_ = 0;
};

// tessera-amr with other problems: a user's generators added to (or instead of) the
// built-in ones, everything else unchanged (docs/amr.md):
//   ProblemSet my_problems() { return with_problem(builtin_problems(), blob()); }
//   int main(int argc, char** argv)
//   { return tessera::simulation_main<amr::SimulationWith<my_problems>>(argc, argv); }
template <ProblemSet (*Problems)()>
struct SimulationWith : Simulation {
  using Simulation::Simulation;
  static ConfigSchema schema() { return amr::schema(Problems()); }
  static Params params(const Config& config) { return params_from(config, Problems()); }
};

} // namespace tessera::amr
