// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "tessera/amr/checkpoint.hpp"
#include "tessera/amr/initial_state.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
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

std::string total_name(int v)
{
  static const char* const names[first_scalar] = {"mass", "momentum_x", "momentum_y", "momentum_z", "energy"};
  return v < first_scalar ? names[v] : fmt::format("scalar_{}", v - first_scalar);
}

// A restart into another directory starts a new plot series there: the XDMF can only list
// plots whose files sit beside it.
std::vector<PlotRecord> plots_in(const std::filesystem::path& dir, std::vector<PlotRecord> plots)
{
  const auto before = plots.size();
  std::erase_if(plots, [&](const PlotRecord& r) { return !std::filesystem::exists(dir / r.h5_name); });
  if (plots.size() < before)
    log::warn("{} earlier plot files are not in {}: the plot series starts anew there", before - plots.size(),
              dir.string());
  return plots;
}

void check_time_step(double dt, double time)
{
  if (!(dt > 0) || !std::isfinite(dt))
    throw Error(ExitCode::failure, fmt::format("amr: the time step is {} at t = {}: the state is no longer physical "
                                               "(lower hydro.cfl, or raise the floors)",
                                               dt, time));
}

// A step whose floors raised more than `limit` density or pressure values per cell (each
// cell counts up to 4 times: two variables, two stages) hides a blow-up: the run stops.
void check_floors(std::int64_t corrections, double cells, double limit, std::int64_t step, double time)
{
  const double fraction = cells > 0 ? static_cast<double>(corrections) / cells : 0.0;
  if (fraction > limit)
    throw Error(ExitCode::failure,
                fmt::format("amr: step {} (t = {:.6g}) raised {} density or pressure values to the floors, {:.4g} per "
                            "cell, more than hydro.max_floored_fraction = {}: the solution has blown up (lower "
                            "hydro.cfl or check the initial state)",
                            step, time, corrections, fraction, limit));
}

// Refuses a root grid too large for the memory before the tree or any View exists. Every
// block of this rank's share holds (block_cells + 2 ghosts)^dims cells of 5 + scalars
// doubles in 3 + dims arrays: the state (AdaptiveRun), the step's copy of it, the primitive
// variables and a face flux per axis (Hydro); with plots one more, the copy a side step
// advances to a plot time (advance). Refinement adds blocks during the run: this is the least
// the run needs.
void check_root_grid_memory(const Comm& comm, const Params& p)
{
  const auto& s = p.shape;
  const int dims = s.tree.dims;
  double blocks = 1, cells = 1;
  std::string grid;
  for (int a = 0; a < dims; ++a) {
    const auto root = static_cast<double>(s.tree.root[static_cast<std::size_t>(a)]);
    blocks *= root;
    cells *= static_cast<double>(s.block_cells + 2 * ghosts);
    grid += fmt::format("{}mesh.cells_{} = {:.0f}", a > 0 ? ", " : "", "xyz"[a], root * s.block_cells);
  }
  const double blocks_per_rank = std::ceil(blocks / comm.size());
  const int arrays = 3 + dims + (p.plots ? 1 : 0);
  const double bytes = blocks_per_rank * cells * (first_scalar + s.scalars) * sizeof(double) * arrays;
  check_memory(comm, bytes,
               fmt::format("the root grid ({}, {:.0f} blocks of {}^{} cells)", grid, blocks, s.block_cells, dims),
               "use more ranks or a coarser root grid");
}

// Whether `time` has reached `end` as core's run loop counts it (sums of steps carry rounding).
constexpr double reach = 1e-12;
bool reached(double time, double end)
{
  return time >= end - reach * std::max(1.0, std::abs(end));
}

// The first multiple of `interval` past `time`, as core's run loop schedules outputs (a time
// within its rounding of a multiple counts as that multiple: the next one follows).
double next_multiple(double time, double interval)
{
  return (std::floor(time / interval * (1 + reach) + reach) + 1) * interval;
}

} // namespace

SimulationInfo Simulation::info()
{
  SimulationInfo i;
  i.name = "amr";
  i.description = "Tessera AMR: compressible hydrodynamics (PLM, HLLC/HLLE, RK2) on an adaptive octree of mesh blocks";
  i.unit = unit();
  i.table_file = "amr.hst";
  i.output_files = {"amr.*.h5", "amr.xdmf"};
  i.initial_output = true;
  return i;
}

Simulation::Simulation(const RunContext& context, const Params& params) : context_(context), params_(params)
{
  check_root_grid_memory(context_.comm, params_);
  amr_ = std::make_unique<AdaptiveRun>(params_.shape, BlockTree(params_.shape.tree), params_.hydro, params_.boundaries,
                                       params_.refinement, context_.comm);
  set_up_problem();
  start({});
}

Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : context_(context), params_(params)
{
  check_root_grid_memory(context_.comm, params_);
  auto restored = read_checkpoint(checkpoint, params_.shape);
  amr_ = std::make_unique<AdaptiveRun>(params_.shape, std::move(restored.tree), params_.hydro, params_.boundaries,
                                       params_.refinement, context_.comm);
  copy_interior(restored.interior, amr_->mesh(), amr_->data());
  amr_->add_floors(restored.state.floors);
  floors_ = restored.state.floors;
  time_ = restored.state.time;
  step_ = steps_at_start_ = restored.state.step;
  regrids_ = restored.state.regrids;
  start(plots_in(context_.output_dir, std::move(restored.state.plots)));
}

// The problem's initial state on a mesh refined around it: evaluate, regrid (with the
// problem's initial regions), evaluate again on the new mesh (exact values, not prolonged
// ones), until the mesh stops changing.
void Simulation::set_up_problem()
{
  const auto fill = [&] {
    set_primitive_state(amr_->mesh(), amr_->data(), params_.hydro.gamma, params_.problem.state);
  };
  RefinementParams criteria = params_.refinement;
  criteria.regions.insert(criteria.regions.end(), params_.problem.initial_regions.begin(),
                          params_.problem.initial_regions.end());
  const int max_level = params_.shape.tree.max_level;
  fill();
  for (int pass = 0; pass <= max_level && max_level > 0; ++pass) {
    if (!amr_->regrid(criteria)) break;
    fill();
  }
}

void Simulation::start(std::vector<PlotRecord> plots)
{
  plots_.emplace(context_.comm, context_.output_dir, "amr", std::move(plots));
  totals_start_ = amr_->totals();
  max_blocks_ = amr_->mesh().global_blocks();
  const auto& shape = params_.shape;
  log::info("{}-D {} on {} blocks of {}^{} cells (levels {}), t = {} to {}", shape.tree.dims, params_.problem.kind,
            amr_->mesh().global_blocks(), shape.block_cells, shape.tree.dims, levels_text(amr_->mesh()), time_,
            params_.t_end);
}

void Simulation::advance(double target)
{
  const double left = target - time_;
  double dt = 0;
  {
    auto scope = context_.scope("hydro");
    dt = std::min(amr_->time_step(), left);
    check_time_step(dt, time_);
  }
  const double next = dt == left ? target : time_ + dt;
  plot_between(next);
  {
    auto scope = context_.scope("hydro");
    amr_->step(dt);
    time_ = next;
    dt_ = dt;
  }
  ++step_;
  const double cells = amr_->mesh().global_cells();
  zone_cycles_ += cells;
  const auto floors = amr_->floors_applied();
  check_floors(floors - floors_, cells, params_.max_floored_fraction, step_, time_);
  floors_ = floors;
  // By the step count, so that regrids fall where they would have after a restart.
  const int interval = params_.refinement.interval;
  if (interval > 0 && step_ % interval == 0) {
    auto scope = context_.scope("regrid");
    if (amr_->regrid()) ++regrids_;
    max_blocks_ = std::max(max_blocks_, amr_->mesh().global_blocks());
  }
}

// The plots at the multiples of output.interval that the step from time_ to `next` passes,
// each from a copy of the state advanced by exactly (plot time - time_) with the same step (a
// side step) and then dropped. The run's own steps do not depend on when plots are due
// (shortening them to land on plot times would: a restart with another output.interval
// would take other steps). A plot time the step lands on exactly, or the end time, is
// plotted from the run's state by write_output.
void Simulation::plot_between(double next)
{
  side_plots_ = 0;
  lands_on_plot_ = false;
  if (!params_.plots) return;
  const double tolerance = reach * std::max(1.0, std::abs(params_.t_end));
  for (double at = next_multiple(time_, params_.plot_interval); reached(next, at);
       at = next_multiple(at, params_.plot_interval)) {
    if (at == next || std::abs(at - params_.t_end) <= tolerance) {
      lands_on_plot_ = true;
      break;
    }
    auto scope = context_.scope("side_step");
    const BlockData state = amr_->advanced_copy(at - time_);
    plots_->write(static_cast<int>(plots_->records().size()), amr_->mesh(), state, params_.hydro.gamma, at, step_);
    ++side_plots_;
  }
}

bool Simulation::finished() const
{
  return params_.max_steps > 0 && step_ - steps_at_start_ >= params_.max_steps;
}

void Simulation::write_checkpoint(CheckpointWriter& writer) const
{
  amr::write_checkpoint(writer, amr_->mesh(), amr_->data(),
                        {time_, step_, amr_->floors_applied(), regrids_, plots_->records()});
}

DiagnosticsRow Simulation::diagnostics() const
{
  const auto totals = amr_->totals();
  DiagnosticsRow row;
  row.add("time", time_).add("step", step_).add("dt", dt_);
  for (int v = 0; v < first_scalar + params_.shape.scalars; ++v)
    row.add(total_name(v), totals[static_cast<std::size_t>(v)]);
  row.add("blocks", amr_->mesh().global_blocks()).add("floors", amr_->floors_applied());
  return row;
}

void Simulation::write_output(const OutputRequest& request)
{
  // The last output of a run cut short by run.max_steps is no plot: the next part of the run
  // continues the series as if uninterrupted. Nor is that of a stopped run.
  if (!params_.plots || request.interrupted || (request.final && !reached(time_, params_.t_end))) return;
  // This step's plot times were passed, not landed on: side steps have plotted them. The end
  // is plotted all the same (the loop asks for no other output there).
  if (!request.final && side_plots_ > 0 && !lands_on_plot_ && !reached(time_, params_.t_end)) return;
  plots_->write(static_cast<int>(plots_->records().size()), amr_->mesh(), amr_->data(), params_.hydro.gamma, time_,
                step_);
}

std::string Simulation::status() const
{
  const double seconds = context_.timers ? context_.timers->seconds("hydro") : 0.0;
  const double elapsed = seconds - hydro_seconds_at_status_;
  const double rate = elapsed > 0 ? (zone_cycles_ - zone_cycles_at_status_) / elapsed : 0.0;
  zone_cycles_at_status_ = zone_cycles_;
  hydro_seconds_at_status_ = seconds;
  return fmt::format("step {}  dt = {:.3e}  blocks {}  {:.3e} zone-cycles/s", step_, dt_, levels_text(amr_->mesh()),
                     rate);
}

Results Simulation::results()
{
  const auto totals_end = amr_->totals();
  const auto seconds = [&](const char* phase) { return context_.timers ? context_.timers->seconds(phase) : 0.0; };
  const double hydro_seconds = seconds("hydro");
  // The steps and regrids (advance) with the rows, plots and checkpoints of this process.
  const double loop_seconds = seconds("advance") + seconds("diagnostics") + seconds("output") + seconds("checkpoint");
  const double rate = hydro_seconds > 0 ? zone_cycles_ / hydro_seconds : 0;
  const double rate_with_output = loop_seconds > 0 ? zone_cycles_ / loop_seconds : 0;
  const auto floors = amr_->floors_applied();
  const auto& mesh = amr_->mesh();
  Results r;
  r.rate = rate;
  r.rate_unit = "zone-cycles/s";
  r.lines.push_back(fmt::format("t = {} after {} steps, {} blocks ({}), {} regrids, {} floor corrections | {:.4g} "
                                "zone-cycles/s (hydro), {:.4g} with regrids and output",
                                time_, step_ - steps_at_start_, mesh.global_blocks(), levels_text(mesh), regrids_,
                                floors, rate, rate_with_output));
  nlohmann::json totals = nlohmann::json::object();
  for (int v = 0; v < first_scalar + params_.shape.scalars; ++v) {
    const auto u = static_cast<std::size_t>(v);
    totals[total_name(v)] = {{"start", totals_start_[u]}, {"end", totals_end[u]}};
  }
  r.json = {{"problem", params_.problem.kind},
            {"dims", params_.shape.tree.dims},
            {"time", time_},
            {"steps", step_ - steps_at_start_},
            {"step", step_},
            {"last_dt", dt_},
            {"blocks", mesh.global_blocks()},
            {"blocks_per_level", blocks_per_level(mesh)},
            {"max_blocks", max_blocks_},
            {"cells", mesh.global_cells()},
            {"regrids", regrids_},
            {"floors_applied", floors},
            {"zone_cycles", zone_cycles_},
            {"zone_cycles_per_second", rate},
            {"zone_cycles_per_second_with_regrid_and_output", rate_with_output},
            {"totals", totals},
            {"plots", plots_->records().size()},
            {"history", (context_.output_dir / info().table_file).string()}};
  return r;
}

} // namespace tessera::amr
