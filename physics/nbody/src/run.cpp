#include "tessera/nbody/run.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/nbody/diagnostics.hpp"
#include "tessera/nbody/hermite.hpp"
#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/io.hpp"

namespace tessera::nbody {

namespace {

// The integrator behind one interface for the run loop.
class Stepper {
public:
  Stepper(const Comm& comm, State& state, const Params& params)
  {
    if (params.integrator == Integrator::leapfrog) {
      leapfrog_.emplace(comm, state, params);
    } else {
      hermite_.emplace(comm, state, params);
    }
  }
  void start() { hermite_ ? hermite_->start() : leapfrog_->start(); }
  Index step(double t_stop) { return hermite_ ? hermite_->step(t_stop) : leapfrog_->step(t_stop); }

private:
  std::optional<Hermite> hermite_;
  std::optional<Leapfrog> leapfrog_;
};

double next_multiple(double time, double interval)
{
  return (std::floor(time / interval + 1e-9) + 1.0) * interval;
}

} // namespace

nlohmann::json run(const Comm& comm, const Params& params, const std::optional<std::filesystem::path>& restart,
                   PhaseTimers& timers)
{
  const auto checkpoint_path = params.output_dir / "nbody.chk.h5";
  State state;
  double e0 = 0;
  int snapshot = 0;
  {
    auto t = timers.scope("initial_conditions");
    if (restart) {
      state = allocate(comm, checkpoint_particles(*restart));
      const auto r = read_checkpoint(comm, state, *restart);
      e0 = r.initial_energy;
      snapshot = r.next_snapshot;
    } else {
      state = initial_state(comm, params);
    }
  }
  Stepper stepper(comm, state, params);
  nlohmann::json table = nlohmann::json::array();
  const auto report = [&] {
    auto t = timers.scope("diagnostics");
    const auto d = diagnose(comm, state, params.softening, e0);
    table.push_back(d.to_json());
    log::info("{}", table_row(d));
    if (params.snapshots) write_snapshot(comm, state, params, snapshot++);
    return d;
  };
  if (!restart) {
    auto t = timers.scope("start");
    stepper.start();
    e0 = energies(comm, state, params.softening).total();
    log::info("{} particles, {} integrator, eps = {}, eta = {}, t_end = {}", state.n_global, name(params.integrator),
              params.softening, params.eta, params.t_end);
    log::info("{}", table_header());
    report();
  } else {
    log::info("restarted from {} at t = {} ({} particles)", restart->string(), state.time, state.n_global);
    log::info("{}", table_header());
  }

  Progress progress("t", static_cast<std::int64_t>(std::llround(params.t_end * 1e6)), "time-units x 1e-6");
  const double t_start = state.time;
  const std::int64_t steps_start = state.steps;
  bool interrupted = false;
  double next_output = next_multiple(state.time, params.output_interval);
  double next_checkpoint =
      params.checkpoint_interval > 0 ? next_multiple(state.time, params.checkpoint_interval) : 2 * params.t_end + 1;
  std::int64_t active_total = 0;
  while (state.time < params.t_end * (1 - 1e-15)) {
    const double t_stop = std::min({next_output, next_checkpoint, params.t_end});
    {
      auto t = timers.scope("integrate");
      while (state.time < t_stop * (1 - 1e-15)) {
        active_total += stepper.step(t_stop);
        progress.update(static_cast<std::int64_t>(std::llround(state.time * 1e6)));
        if (comm.any(stop_requested())) break;
      }
    }
    if (comm.any(stop_requested())) {
      interrupted = true;
      break;
    }
    if (state.time >= next_output * (1 - 1e-12)) {
      report();
      next_output = next_multiple(state.time, params.output_interval);
    }
    if (state.time >= next_checkpoint * (1 - 1e-12) && state.time < params.t_end * (1 - 1e-15)) {
      auto t = timers.scope("checkpoint");
      write_checkpoint(comm, state, checkpoint_path, e0, snapshot);
      next_checkpoint = next_multiple(state.time, params.checkpoint_interval);
    }
  }
  progress.finish();
  if (interrupted) {
    // Block steps: particles are at different times now; the checkpoint holds each one's
    // own time, so the restart continues exactly.
    auto t = timers.scope("checkpoint");
    write_checkpoint(comm, state, checkpoint_path, e0, snapshot);
    log::info("stop requested (signal {}): checkpoint at t = {}; continue with --restart {}", stop_signal(), state.time,
              checkpoint_path.string());
  } else {
    auto t = timers.scope("checkpoint");
    write_checkpoint(comm, state, checkpoint_path, e0, snapshot);
  }

  const double integrate_seconds = timers.seconds("integrate");
  const double interactions = static_cast<double>(comm.sum(state.interactions));
  const double rate = integrate_seconds > 0 ? interactions / integrate_seconds : 0;
  const double flops = params.integrator == Integrator::leapfrog
                           ? (params.precision == Precision::fp32 ? flops_accel_fp32 : flops_accel_fp64)
                           : flops_hermite;
  const auto last = table.empty() ? nlohmann::json() : table.back();
  const double de = last.is_null() ? 0.0 : last["relative_energy_error"].get<double>();
  log::info("t = {} after {} steps | dE/|E0| = {:.3e} | {:.4g} interactions/s ({:.4g} GFLOP/s at {} flops each)",
            state.time, state.steps - steps_start, de, rate, rate * flops * 1e-9, flops);
  return {{"n", state.n_global},
          {"integrator", name(params.integrator)},
          {"time", state.time},
          {"steps", state.steps - steps_start},
          {"mean_active_fraction", state.steps > steps_start ? static_cast<double>(comm.sum(active_total)) /
                                                                   (static_cast<double>(state.steps - steps_start) *
                                                                    static_cast<double>(state.n_global))
                                                             : 0.0},
          {"relative_energy_error", de},
          {"interactions", interactions},
          {"interactions_per_second", rate},
          {"gflops", rate * flops * 1e-9},
          {"flops_per_interaction", flops},
          {"simulated_time_per_second", integrate_seconds > 0 ? (state.time - t_start) / integrate_seconds : 0},
          {"diagnostics", table},
          {"checkpoint", checkpoint_path.string()},
          {"interrupted", interrupted}};
}

} // namespace tessera::nbody
