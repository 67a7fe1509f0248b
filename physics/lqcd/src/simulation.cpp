// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/simulation.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/lqcd/gauge_io.hpp"
#include "tessera/lqcd/observables.hpp"
#include "tessera/lqcd/setup.hpp"

namespace tessera::lqcd {

namespace {

bool every(std::uint64_t n, int interval)
{
  return interval > 0 && (n + 1) % static_cast<std::uint64_t>(interval) == 0;
}

// The Wilson flow of a copy of u to flow.time: t^2 E (clover) and Q at its end.
FlowResult flow_to_end(const Decomposition& d, const Links& u, const Params& p)
{
  auto v = allocate_links<double>(d.geometry(), "lqcd::flowed");
  Kokkos::deep_copy(v, u);
  const int steps = static_cast<int>(std::lround(p.flow_time / p.flow_step));
  const auto history = wilson_flow(d, v, p.flow_step, p.flow_time, std::max(1, steps));
  return history.empty() ? FlowResult{} : history.back();
}

// "0.55411613 +- 0.00038347 (tau_int 2.31 +- 0.40, 80 samples)" (Gamma method); without an
// error estimate the mean and why: "1.000 (no estimate: all 80 samples equal)".
std::string estimate_text(const Average& a, int precision)
{
  const ChainEstimate e = a.estimate();
  if (e.has_estimate) return e.describe(precision);
  if (e.samples == 0) return "no estimate (no samples)";
  const double first = a.samples.front();
  const bool equal = std::ranges::all_of(a.samples, [first](double x) { return x == first; });
  const std::string why = e.samples == 1 ? ": 1 sample"
                          : equal        ? fmt::format(": all {} samples equal", e.samples)
                                         : fmt::format(" from {} samples", e.samples);
  return fmt::format("{:.{}f} (no estimate{})", e.mean, precision, why);
}

} // namespace

SimulationInfo Simulation::info()
{
  SimulationInfo i;
  i.name = "lqcd";
  i.description = "Tessera lattice QCD: SU(3) Wilson gauge action, HMC with 0 or 2 flavours of Wilson quarks, Wilson "
                  "flow and topological charge, pion correlators";
  i.unit = unit();
  i.table_file = "hmc.dat";
  i.output_files = {"lqcd.*.nersc"};
  return i;
}

Simulation::Simulation(const RunContext& context, const Params& params) : Simulation(context, params, nullptr) {}

Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : Simulation(context, params, &checkpoint)
{
}

Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader* checkpoint)
    : context_(context), params_(params)
{
  if (params_.mode != Mode::hmc)
    throw Error(ExitCode::failure, fmt::format("lqcd::Simulation runs the HMC, not run.mode = {}", name(params_.mode)));
  decomposition_ = std::make_unique<Decomposition>(context_.comm, params_.lattice, params_.ranks);
  const Decomposition& d = *decomposition_;
  check_lattice(d, params_);
  if (checkpoint) {
    links_ = cold_start(d);
    chain_ = read_checkpoint(*checkpoint, d, links_);
  } else {
    links_ = initial_links(d, params_);
  }
  first_trajectory_ = chain_.next_trajectory;
  hmc_ = std::make_unique<Hmc>(d, links_, params_.hmc);
  const HmcParams& h = params_.hmc;
  log::info("{}: plaquette {:.8f}; beta = {}, {} flavours{}, {} x {} steps of tau = {}",
            checkpoint ? fmt::format("links after trajectory {}", chain_.next_trajectory)
                       : fmt::format("{} start", params_.start),
            plaquette(d, links_).average(), h.beta, h.flavours,
            h.flavours ? fmt::format(" (kappa = {}, {})", h.wilson.kappa, name(h.solver)) : "", name(h.integrator),
            h.steps, h.trajectory_length);
}

Simulation::~Simulation() = default;

void Simulation::advance(double /*target: one trajectory never passes it*/)
{
  const auto start = std::chrono::steady_clock::now();
  const std::uint64_t n = chain_.next_trajectory;
  TrajectoryRecord record;
  record.result = hmc_->trajectory(n);
  chain_.next_trajectory = n + 1;
  ++chain_.attempted;
  chain_.accepted += record.result.accepted ? 1 : 0;
  chain_.solver_iterations += record.result.solver_iterations;
  configuration_.clear();
  measure(n, record);
  add_to_averages(n, record);
  check_reversibility(n);
  record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  history_.push_back({{"trajectory", n},
                      {"accepted", record.result.accepted},
                      {"delta_h", record.result.delta_h},
                      {"plaquette", record.result.plaquette.average()}});
  last_ = record;
}

void Simulation::measure(std::uint64_t n, TrajectoryRecord& record)
{
  if (!every(n, params_.measure_interval)) return;
  auto scope = context_.scope("measure");
  record.polyakov = polyakov_loop(*decomposition_, links_);
  if (every(n, params_.flow_interval)) {
    const auto flow = flow_to_end(*decomposition_, links_, params_);
    record.t2_e_clover = flow.t2_e_clover;
    record.q = flow.q;
  }
}

void Simulation::add_to_averages(std::uint64_t n, const TrajectoryRecord& record)
{
  if (n < static_cast<std::uint64_t>(params_.thermalisation)) return;
  const auto& r = record.result;
  chain_.plaquette.add(r.plaquette.average());
  chain_.exp_minus_dh.add(std::exp(-r.delta_h));
  chain_.acceptance.add(r.accepted ? 1.0 : 0.0);
  if (every(n, params_.measure_interval)) chain_.polyakov_abs.add(Kokkos::abs(record.polyakov));
  if (!std::isnan(record.q)) {
    chain_.charge.add(record.q);
    chain_.charge2.add(record.q * record.q);
  }
}

// Forward, momenta flipped, back, with the momenta of trajectory n: the links are put back,
// so the chain is the one without the test.
void Simulation::check_reversibility(std::uint64_t n)
{
  if (!every(n, params_.reversibility_interval)) return;
  auto scope = context_.scope("reversibility");
  const auto rev = hmc_->reversibility(n);
  log::info("reversibility after trajectory {}: max |U - U0| = {:.3e}, max |P - P0| = {:.3e}, H after forward and "
            "back - H0 = {:.3e} (forward dH = {:.3e})",
            n, rev.max_link_change, rev.max_momentum_change, rev.delta_h_total, rev.delta_h_forward);
  reversibility_.push_back({{"trajectory", n},
                            {"max_link_change", rev.max_link_change},
                            {"max_momentum_change", rev.max_momentum_change},
                            {"delta_h_total", rev.delta_h_total},
                            {"delta_h_forward", rev.delta_h_forward}});
}

void Simulation::write_checkpoint(CheckpointWriter& writer) const
{
  lqcd::write_checkpoint(writer, *decomposition_, links_, chain_);
}

DiagnosticsRow Simulation::diagnostics() const
{
  DiagnosticsRow row;
  if (!last_) return row; // no trajectory yet (hmc.trajectories = 0): no row
  const auto& r = last_->result;
  row.add("trajectory", r.number)
      .add("accepted", r.accepted ? 1 : 0)
      .add("dH", r.delta_h)
      .add("exp(-dH)", std::exp(-r.delta_h))
      .add("plaquette", r.plaquette.average())
      .add("plaquette_s", r.plaquette.spatial)
      .add("plaquette_t", r.plaquette.temporal)
      .add("polyakov_re", last_->polyakov.real())
      .add("polyakov_im", last_->polyakov.imag())
      .add("solver_iterations", r.solver_iterations)
      .add("seconds", last_->seconds)
      .add("t2E_clover", last_->t2_e_clover)
      .add("Q", last_->q);
  return row;
}

void Simulation::write_output(const OutputRequest& request)
{
  // Scheduled outputs (output.interval) always; the last configuration at the chain's natural
  // end only, and only when this process ran trajectories (a finished chain restarted again
  // has nothing new). An older run's file of the same name is replaced.
  const bool ran = chain_.next_trajectory > first_trajectory_;
  if (request.final && (request.interrupted || !params_.save_config || !ran)) return;
  const auto path = context_.output_dir / fmt::format("lqcd.{:06d}.nersc", chain_.next_trajectory);
  // SEQUENCE_NUMBER is the trajectory count, as in the file name: readers (Grid, MILC) take
  // it for the configuration's place in the chain.
  save_nersc(*decomposition_, links_, path,
             {.sequence_number = static_cast<std::int64_t>(chain_.next_trajectory), .beta = params_.hmc.beta});
  configuration_ = path.string();
}

std::string Simulation::status() const
{
  if (!last_) return {};
  const auto& r = last_->result;
  std::string s = fmt::format(
      "{} dH = {:.4e}, exp(-dH) = {:.4f}, plaquette {:.8f}, |polyakov| {:.4e}, acceptance {:.3f}",
      r.accepted ? "accepted" : "rejected", r.delta_h, std::exp(-r.delta_h), r.plaquette.average(),
      Kokkos::abs(last_->polyakov), static_cast<double>(chain_.accepted) / static_cast<double>(chain_.attempted));
  if (params_.hmc.flavours > 0) s += fmt::format(", {} CG iterations", r.solver_iterations);
  if (!std::isnan(last_->q)) s += fmt::format(", t^2E = {:.4f}, Q = {:.3f}", last_->t2_e_clover, last_->q);
  return s;
}

Results Simulation::results()
{
  const ChainState& c = chain_;
  const double acceptance = c.attempted > 0 ? static_cast<double>(c.accepted) / static_cast<double>(c.attempted) : 0.0;
  Results r;
  r.lines.push_back(fmt::format("{} trajectories: acceptance {:.3f}; over the production trajectories (errors by the "
                                "Gamma method, tau_int in trajectories or measurements):",
                                c.next_trajectory, acceptance));
  r.lines.push_back("  acceptance " + estimate_text(c.acceptance, 3));
  r.lines.push_back("  <exp(-dH)> " + estimate_text(c.exp_minus_dh, 4));
  r.lines.push_back("  plaquette " + estimate_text(c.plaquette, 8));
  r.lines.push_back("  |polyakov| " + estimate_text(c.polyakov_abs, 6));
  if (c.charge.n() > 0) {
    r.lines.push_back("  Q " + estimate_text(c.charge, 4));
    r.lines.push_back("  Q^2 " + estimate_text(c.charge2, 4));
  }
  r.json = {{"trajectories", c.next_trajectory},
            {"acceptance", acceptance},
            {"production_acceptance", c.acceptance.to_json()},
            {"exp_minus_dh", c.exp_minus_dh.to_json()},
            {"plaquette", c.plaquette.to_json()},
            {"polyakov_abs", c.polyakov_abs.to_json()},
            {"solver_iterations", c.solver_iterations},
            {"history", history_},
            {"reversibility", reversibility_},
            {"configuration", configuration_}};
  if (c.charge.n() > 0) {
    r.json["topological_charge"] = c.charge.to_json();
    r.json["topological_charge"]["q2"] = c.charge2.to_json();
  }
  r.json.update(describe(*decomposition_, params_));
  return r;
}

} // namespace tessera::lqcd
