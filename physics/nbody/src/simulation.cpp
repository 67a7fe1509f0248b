// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/simulation.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/io.hpp"

namespace tessera::nbody {

SimulationInfo Simulation::info()
{
  SimulationInfo i;
  i.name = "nbody";
  i.description = "Tessera direct N-body: 4th-order Hermite with block time steps (or leapfrog), Plummer initial "
                  "conditions, all pairs on the device";
  i.unit = unit();
  i.table_file = "diagnostics.dat";
  i.output_files = {"snapshot_*.h5", SnapshotSeries::file_name, "snapshots.xdmf.tmp"};
  i.initial_output = true;
  return i;
}

Simulation::Simulation(const RunContext& context, const Params& params)
    : context_(context), params_(params), series_(context.output_dir)
{
  {
    auto scope = context_.scope("initial_conditions");
    state_ = initial_state(context_.comm, params_);
  }
  build_integrator();
  hermite_ ? hermite_->start() : leapfrog_->start();
  initial_energy_ = energies(context_.comm, state_, params_.softening).total();
  log::info("{} particles, {} integrator, eps = {}, eta = {}, t_end = {}", state_.n_global, name(params_.integrator),
            params_.softening, params_.eta, params_.t_end);
}

Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : context_(context), params_(params), series_(context.output_dir)
{
  initial_energy_ = read_checkpoint(checkpoint, state_);
  build_integrator();
  steps_at_start_ = state_.steps;
}

void Simulation::build_integrator()
{
  if (params_.integrator == Integrator::leapfrog) {
    leapfrog_.emplace(context_.comm, state_, params_);
  } else {
    hermite_.emplace(context_.comm, state_, params_);
  }
}

void Simulation::advance(double target)
{
  active_total_ += hermite_ ? hermite_->step(target) : leapfrog_->step(target);
}

void Simulation::write_checkpoint(CheckpointWriter& writer) const
{
  nbody::write_checkpoint(writer, state_, initial_energy_);
}

DiagnosticsRow Simulation::diagnostics() const
{
  last_ = diagnose(context_.comm, state_, params_.softening, initial_energy_);
  table_.push_back(last_->to_json());
  return table_row(*last_);
}

void Simulation::write_output(const OutputRequest& request)
{
  // Block steps: only whole outputs at synchronised times (never an interrupted one).
  if (!params_.snapshots || request.interrupted) return;
  write_snapshot(context_.comm, state_, params_, context_.output_dir, request.index);
  if (context_.comm.is_root()) series_.add(request.index);
}

void Simulation::check() const
{
  if (!last_) return;
  const double de = last_->relative_energy_error;
  if (!std::isfinite(de))
    throw Error(ExitCode::failure, fmt::format("dE/|E0| = {} at t = {}: the energy is no longer finite (the "
                                               "integration has failed)",
                                               de, last_->time));
  const double limit = params_.max_energy_error;
  if (limit > 0 && std::abs(de) > limit)
    throw Error(ExitCode::failure, fmt::format("dE/|E0| = {:.3g} at t = {} exceeds run.max_energy_error = {} (the "
                                               "integration has failed: shorter steps or a larger gravity.softening)",
                                               de, last_->time, limit));
}

std::string Simulation::status() const
{
  return last_ ? fmt::format("dE/|E0| = {:.3e}, Q = {:.4f} at t = {}", last_->relative_energy_error,
                             last_->virial_ratio, last_->time)
               : std::string();
}

Results Simulation::results()
{
  const Comm& comm = context_.comm;
  const double seconds = context_.timers ? context_.timers->seconds("advance") : 0.0;
  const double interactions = static_cast<double>(comm.sum(state_.interactions));
  const double rate = seconds > 0 ? interactions / seconds : 0;
  const double flops = params_.integrator == Integrator::leapfrog
                           ? (params_.precision == Precision::fp32 ? flops_accel_fp32 : flops_accel_fp64)
                           : flops_hermite;
  const double de = last_ ? last_->relative_energy_error : 0.0;
  const auto steps = state_.steps - steps_at_start_;
  Results r;
  r.rate = rate;
  r.rate_unit = "interactions/s";
  r.lines.push_back(fmt::format("t = {} after {} steps | dE/|E0| = {:.3e} | {:.4g} interactions/s ({:.4g} GFLOP/s at "
                                "{} flops each)",
                                state_.time, steps, de, rate, rate * flops * 1e-9, flops));
  r.json = {{"n", state_.n_global},
            {"integrator", name(params_.integrator)},
            {"time", state_.time},
            {"steps", steps},
            {"mean_active_fraction", steps > 0 ? static_cast<double>(comm.sum(active_total_)) /
                                                     (static_cast<double>(steps) * static_cast<double>(state_.n_global))
                                               : 0.0},
            {"relative_energy_error", de},
            {"interactions", interactions},
            {"interactions_per_second", rate},
            {"gflops", rate * flops * 1e-9},
            {"flops_per_interaction", flops},
            {"diagnostics", table_}};
  return r;
}

} // namespace tessera::nbody
