#include "tessera/amr/run.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "tessera/amr/adaptive_run.hpp"
#include "tessera/amr/checkpoint.hpp"
#include "tessera/amr/history.hpp"
#include "tessera/amr/initial_state.hpp"
#include "tessera/amr/plot_file.hpp"
#include "tessera/amr/problems.hpp"
#include "tessera/core/driver.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::amr {

namespace {

std::vector<int> blocks_per_level(const Mesh& mesh)
{
  std::vector<int> count(static_cast<std::size_t>(mesh.shape().tree.max_level) + 1, 0);
  for (const auto& loc : mesh.leaves())
    ++count[static_cast<std::size_t>(loc.level)];
  while (count.size() > 1 && count.back() == 0)
    count.pop_back();
  return count;
}

std::string levels_text(const Mesh& mesh)
{
  std::string out;
  for (const int n : blocks_per_level(mesh))
    out += (out.empty() ? "" : "+") + std::to_string(n);
  return fmt::format("{} = {}", out, mesh.global_blocks());
}

// The problem's initial state on a mesh refined around it: evaluate, regrid, evaluate again
// on the new mesh (exact values, not prolonged ones), until the mesh stops changing.
void set_up_problem(AdaptiveRun& amr, const Config& config, const Params& p)
{
  const auto& generator = find_problem(p.problem, config.source());
  const auto state = generator.make({config, p.shape, p.hydro.gamma});
  const auto fill = [&] { set_primitive_state(amr.mesh(), amr.data(), p.hydro.gamma, state); };
  RefinementParams criteria = p.refinement;
  if (generator.initial_regions)
    for (const auto& region : generator.initial_regions({config, p.shape, p.hydro.gamma}))
      criteria.regions.push_back(region);
  fill();
  for (int pass = 0; pass <= p.shape.tree.max_level && p.shape.tree.max_level > 0; ++pass) {
    if (!amr.regrid(criteria)) break;
    fill();
  }
}

// A restart into another directory starts a new plot series there: the XDMF can only list
// plots whose files sit beside it.
void keep_plots_in(const std::filesystem::path& dir, std::vector<PlotRecord>& plots)
{
  const auto before = plots.size();
  std::erase_if(plots, [&](const PlotRecord& r) { return !std::filesystem::exists(dir / r.h5_name); });
  if (plots.size() < before)
    log::warn("{} earlier plot files are not in {}: the plot series starts anew there", before - plots.size(),
              dir.string());
}

void check_time_step(double dt, double time)
{
  if (!(dt > 0) || !std::isfinite(dt))
    throw Error(ExitCode::failure, fmt::format("amr: the time step is {} at t = {}: the state is no longer physical "
                                               "(lower hydro.cfl, or raise the floors)",
                                               dt, time));
}

double next_after(double time, double interval)
{
  return interval > 0 ? (std::floor(time / interval * (1 + 1e-12)) + 1) * interval : HUGE_VAL;
}

} // namespace

nlohmann::json run(const Comm& comm, const Config& config, const Params& p,
                   const std::optional<std::filesystem::path>& restart, PhaseTimers& timers)
{
  const auto checkpoint_path = p.output_dir / "amr.chk.h5";
  const auto fingerprint = physics_fingerprint(config);
  RunState state;
  std::unique_ptr<AdaptiveRun> amr;
  {
    auto t = timers.scope("set_up");
    if (restart) {
      auto restored = read_checkpoint(comm, *restart, p.shape, fingerprint);
      amr = std::make_unique<AdaptiveRun>(p.shape, std::move(restored.tree), p.hydro, p.boundaries, p.refinement, comm);
      copy_interior(restored.interior, amr->mesh(), amr->data());
      state = restored.state;
      amr->add_floors(state.floors);
      log::info("restarted from {} at t = {} (step {}, {} blocks)", restart->string(), state.time, state.step,
                amr->mesh().global_blocks());
      state.next_plot = next_after(state.time, p.plot_interval);
    } else {
      amr = std::make_unique<AdaptiveRun>(p.shape, BlockTree(p.shape.tree), p.hydro, p.boundaries, p.refinement, comm);
      set_up_problem(*amr, config, p);
    }
    state.next_checkpoint = next_after(state.time, p.checkpoint_interval);
  }
  if (restart) keep_plots_in(p.output_dir, state.plots);
  const auto totals_start = amr->totals();
  History history(comm, p.output_dir / "amr.hst", p.shape.scalars, restart ? state.time : -1.0);
  PlotWriter plots(comm, p.output_dir, "amr", state.plots);
  const auto plot = [&] {
    auto t = timers.scope("output");
    plots.write(static_cast<int>(plots.records().size()), amr->mesh(), amr->data(), p.hydro.gamma, state.time,
                state.step);
    state.plots = plots.records();
    state.next_plot = next_after(state.time, p.plot_interval);
  };
  const auto checkpoint = [&] {
    auto t = timers.scope("checkpoint");
    state.floors = amr->floors_applied();
    write_checkpoint(comm, checkpoint_path, amr->mesh(), amr->data(), state, fingerprint);
  };
  log::info("{}-D {} on {} blocks of {}^{} cells (levels {}), t = {} to {}", p.shape.tree.dims, p.problem,
            amr->mesh().global_blocks(), p.shape.block_cells, p.shape.tree.dims, levels_text(amr->mesh()), state.time,
            p.t_end);
  if (!restart) {
    if (p.history_interval > 0) history.row(state.time, state.step, 0, totals_start, amr->mesh().global_blocks(), 0);
    if (p.plot_interval > 0) plot();
  }

  Progress progress("t", static_cast<std::int64_t>(std::llround(p.t_end * 1e6)), "time x 1e-6");
  const std::int64_t first_step = state.step;
  double zone_cycles = 0, zone_cycles_since_log = 0, hydro_seconds_at_log = 0;
  std::size_t max_blocks = static_cast<std::size_t>(amr->mesh().global_blocks());
  bool interrupted = false;
  double dt = 0;
  while (state.time < p.t_end * (1 - 1e-14) && (p.max_steps == 0 || state.step - first_step < p.max_steps)) {
    {
      auto t = timers.scope("hydro");
      dt = std::min(amr->time_step(), p.t_end - state.time);
      check_time_step(dt, state.time);
      amr->step(dt);
    }
    state.time += dt;
    ++state.step;
    zone_cycles += amr->mesh().global_cells();
    zone_cycles_since_log += amr->mesh().global_cells();
    if (p.refinement.interval > 0 && state.step % p.refinement.interval == 0) {
      auto t = timers.scope("regrid");
      if (amr->regrid()) ++state.regrids;
      max_blocks = std::max(max_blocks, static_cast<std::size_t>(amr->mesh().global_blocks()));
    }
    if (p.history_interval > 0 && state.step % p.history_interval == 0) {
      auto t = timers.scope("output");
      history.row(state.time, state.step, dt, amr->totals(), amr->mesh().global_blocks(), amr->floors_applied());
    }
    if (state.step % p.log_interval == 0) {
      const double seconds = timers.seconds("hydro") - hydro_seconds_at_log;
      log::info("step {:6d}  t = {:.6e}  dt = {:.3e}  blocks {}  {:.3e} zone-cycles/s", state.step, state.time, dt,
                levels_text(amr->mesh()), seconds > 0 ? zone_cycles_since_log / seconds : 0.0);
      zone_cycles_since_log = 0;
      hydro_seconds_at_log = timers.seconds("hydro");
    }
    progress.update(static_cast<std::int64_t>(std::llround(state.time * 1e6)));
    if (p.plot_interval > 0 && state.time >= state.next_plot * (1 - 1e-12)) plot();
    if (state.time >= state.next_checkpoint * (1 - 1e-12)) {
      state.next_checkpoint = next_after(state.time, p.checkpoint_interval);
      checkpoint();
    }
    if (comm.any(stop_requested())) {
      interrupted = true;
      break;
    }
  }
  progress.finish();
  // A final plot when the run reached its end time (not when max_steps cut it: the next part
  // of the run continues the series as if uninterrupted).
  const bool finished = state.time >= p.t_end * (1 - 1e-14);
  if (p.plot_interval > 0 && finished && (plots.records().empty() || plots.records().back().step != state.step)) plot();
  checkpoint();
  if (interrupted)
    log::info("stop requested (signal {}): checkpoint at t = {}; continue with --restart {}", stop_signal(), state.time,
              checkpoint_path.string());

  const auto totals_end = amr->totals();
  const double hydro_seconds = timers.seconds("hydro");
  const double loop_seconds =
      hydro_seconds + timers.seconds("regrid") + timers.seconds("output") + timers.seconds("checkpoint");
  const double rate = hydro_seconds > 0 ? zone_cycles / hydro_seconds : 0;
  log::info("t = {} after {} steps, {} blocks ({}), {} regrids, {} floor corrections | {:.4g} zone-cycles/s "
            "(hydro), {:.4g} with regrids and output",
            state.time, state.step - first_step, amr->mesh().global_blocks(), levels_text(amr->mesh()), state.regrids,
            amr->floors_applied(), rate, loop_seconds > 0 ? zone_cycles / loop_seconds : 0.0);
  nlohmann::json totals = nlohmann::json::object();
  const char* names[5] = {"mass", "momentum_x", "momentum_y", "momentum_z", "energy"};
  for (int v = 0; v < first_scalar + p.shape.scalars; ++v) {
    const auto u = static_cast<std::size_t>(v);
    const std::string name = v < first_scalar ? names[v] : fmt::format("scalar_{}", v - first_scalar);
    totals[name] = {{"start", totals_start[u]}, {"end", totals_end[u]}};
  }
  return {{"problem", p.problem},
          {"dims", p.shape.tree.dims},
          {"time", state.time},
          {"steps", state.step - first_step},
          {"step", state.step},
          {"last_dt", dt},
          {"blocks", amr->mesh().global_blocks()},
          {"blocks_per_level", blocks_per_level(amr->mesh())},
          {"max_blocks", max_blocks},
          {"cells", amr->mesh().global_cells()},
          {"regrids", state.regrids},
          {"floors_applied", amr->floors_applied()},
          {"zone_cycles", zone_cycles},
          {"zone_cycles_per_second", rate},
          {"zone_cycles_per_second_with_regrid_and_output", loop_seconds > 0 ? zone_cycles / loop_seconds : 0.0},
          {"totals", totals},
          {"plots", plots.records().size()},
          {"history", history.path().string()},
          {"checkpoint", checkpoint_path.string()},
          {"interrupted", interrupted}};
}

int driver_main(int argc, char** argv)
{
  static const auto amr_schema = schema();
  const DriverInfo info{"amr",
                        "Tessera AMR: compressible hydrodynamics (PLM, HLLC/HLLE, RK2) on an adaptive octree of mesh "
                        "blocks",
                        &amr_schema};
  return run_driver(info, argc, argv, [](const DriverContext& ctx) {
    const auto params = params_from(ctx.config, ctx.options.output_dir);
    return run(ctx.comm, ctx.config, params, ctx.options.restart, ctx.timers);
  });
}

} // namespace tessera::amr
