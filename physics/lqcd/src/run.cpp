#include "tessera/lqcd/run.hpp"

#include <chrono>
#include <cmath>
#include <fstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/lqcd/gauge_io.hpp"
#include "tessera/lqcd/observables.hpp"

namespace tessera::lqcd {

namespace {

// Mean and its naive standard error.
struct Average {
  double sum = 0, sum2 = 0;
  std::int64_t n = 0;
  void add(double x)
  {
    sum += x;
    sum2 += x * x;
    ++n;
  }
  double mean() const { return n > 0 ? sum / static_cast<double>(n) : 0.0; }
  double error() const
  {
    if (n < 2) return 0.0;
    const double m = mean();
    return std::sqrt(std::max(0.0, sum2 / static_cast<double>(n) - m * m) / static_cast<double>(n - 1));
  }
  nlohmann::json to_json() const { return {{"mean", mean()}, {"error", error()}, {"samples", n}}; }
};

// A text table written by rank 0, one flushed line per row (nothing lost on a crash).
class Table {
public:
  Table(const Comm& comm, const std::filesystem::path& path, const std::string& header, bool append)
  {
    if (!comm.is_root()) return;
    const bool fresh = !append || !std::filesystem::exists(path);
    out_.open(path, fresh ? std::ios::out : std::ios::app);
    if (!out_) throw IoError(fmt::format("{}: cannot open for writing", path.string()));
    if (fresh) out_ << header << '\n' << std::flush;
    path_ = path;
  }
  void row(const std::string& line)
  {
    if (!out_.is_open()) return;
    out_ << line << '\n' << std::flush;
    if (!out_) throw IoError(fmt::format("{}: write failed (disk full?)", path_.string()));
  }

private:
  std::ofstream out_;
  std::filesystem::path path_;
};

std::filesystem::path config_name(const Params& p, std::uint64_t trajectory)
{
  return p.output_dir / fmt::format("lqcd.{:06d}.nersc", trajectory);
}

Links initial_links(const Decomposition& d, const Params& p)
{
  if (p.start == "hot") return hot_start(d, p.hmc.seed);
  Links u = cold_start(d);
  if (p.start == "file" || p.mode != Mode::hmc) {
    const auto info = load_nersc(d, p.config, u);
    log::info("read {}: plaquette {:.10f}, link trace {:.10f} (header checks passed)", p.config.string(),
              info.plaquette, info.link_trace);
  }
  return u;
}

struct FlowSummary {
  double t = 0, t2_e_plaq = 0, t2_e_clover = 0, q = 0;
};

FlowSummary flow_measurement(const Decomposition& d, const Links& u, const Params& p)
{
  auto v = allocate_links<double>(d.geometry(), "lqcd::flowed");
  Kokkos::deep_copy(v, u);
  const int steps = static_cast<int>(std::lround(p.flow_time / p.flow_step));
  const auto history = wilson_flow(d, v, p.flow_step, p.flow_time, std::max(1, steps));
  FlowSummary s;
  if (!history.empty()) {
    const auto& last = history.back();
    s = {last.t, last.t2_e_plaq, last.t2_e_clover, last.q};
  }
  return s;
}

nlohmann::json run_hmc(const Decomposition& d, const Params& p, const std::optional<std::filesystem::path>& restart,
                       PhaseTimers& timers)
{
  const Comm& comm = d.comm();
  const auto checkpoint_path = p.output_dir / "lqcd.chk.h5";
  Links u;
  ChainState chain;
  chain.seed = p.hmc.seed;
  {
    auto scope = timers.scope("start");
    if (restart) {
      u = cold_start(d);
      chain = read_checkpoint(d, *restart, u);
      if (chain.seed != p.hmc.seed)
        throw InputError(fmt::format("{}: checkpoint of a chain with hmc.seed = {}, the input has {}",
                                     restart->string(), chain.seed, p.hmc.seed));
      log::info("restarted from {} at trajectory {}", restart->string(), chain.next_trajectory);
    } else {
      u = initial_links(d, p);
    }
  }
  Hmc hmc(d, u, p.hmc);
  const auto plaq0 = plaquette(d, u);
  log::info("{} start: plaquette {:.8f}; beta = {}, {} flavours{}, {} x {} steps of tau = {}", p.start, plaq0.average(),
            p.hmc.beta, p.hmc.flavours,
            p.hmc.flavours ? fmt::format(" (kappa = {}, {})", p.hmc.wilson.kappa, name(p.hmc.solver)) : "",
            name(p.hmc.integrator), p.hmc.steps, p.hmc.trajectory_length);
  Table table(comm, p.output_dir / "hmc.dat",
              "# trajectory accepted dH exp(-dH) plaquette plaquette_s plaquette_t polyakov_re polyakov_im "
              "solver_iterations seconds t2E_clover Q",
              restart.has_value());
  log::info("{:>6} {:>3} {:>11} {:>10} {:>11} {:>11} {:>8}", "traj", "acc", "dH", "exp(-dH)", "plaquette", "|polyakov|",
            "CG iter");

  Average plaq, exp_dh, polyakov_abs, charge, charge2, acceptance;
  nlohmann::json history = nlohmann::json::array(), reversibility = nlohmann::json::array();
  const auto first = chain.next_trajectory;
  const auto last = static_cast<std::uint64_t>(p.trajectories);
  Progress progress("trajectory", static_cast<std::int64_t>(last), "trajectories");
  bool interrupted = false;
  std::int64_t solver_iterations = 0;
  const auto clock_start = std::chrono::steady_clock::now();
  const auto clock = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_start).count();
  };
  for (std::uint64_t n = first; n < last; ++n) {
    const double t0 = clock();
    TrajectoryResult r;
    {
      auto scope = timers.scope("trajectory");
      r = hmc.trajectory(n);
    }
    solver_iterations += r.solver_iterations;
    ++chain.attempted;
    chain.accepted += r.accepted ? 1 : 0;
    chain.next_trajectory = n + 1;
    const bool production = static_cast<int>(n) >= p.thermalisation;
    Complex<double> poly(0, 0);
    FlowSummary flow{0, std::nan(""), std::nan(""), std::nan("")};
    if ((n + 1) % static_cast<std::uint64_t>(p.measure_interval) == 0) {
      auto scope = timers.scope("measure");
      poly = polyakov_loop(d, u);
      if (p.flow_interval > 0 && (n + 1) % static_cast<std::uint64_t>(p.flow_interval) == 0)
        flow = flow_measurement(d, u, p);
    }
    if (production) {
      plaq.add(r.plaquette.average());
      exp_dh.add(std::exp(-r.delta_h));
      acceptance.add(r.accepted ? 1.0 : 0.0);
      polyakov_abs.add(Kokkos::abs(poly));
      if (!std::isnan(flow.q)) {
        charge.add(flow.q);
        charge2.add(flow.q * flow.q);
      }
    }
    if (p.reversibility_interval > 0 && (n + 1) % static_cast<std::uint64_t>(p.reversibility_interval) == 0) {
      auto scope = timers.scope("reversibility");
      const auto rev = hmc.reversibility(n);
      log::info("reversibility after trajectory {}: max |U - U0| = {:.3e}, max |P - P0| = {:.3e}, H after forward "
                "and back - H0 = {:.3e} (forward dH = {:.3e})",
                n, rev.max_link_change, rev.max_momentum_change, rev.delta_h_total, rev.delta_h_forward);
      reversibility.push_back({{"trajectory", n},
                               {"max_link_change", rev.max_link_change},
                               {"max_momentum_change", rev.max_momentum_change},
                               {"delta_h_total", rev.delta_h_total},
                               {"delta_h_forward", rev.delta_h_forward}});
    }
    const double seconds = clock() - t0;
    table.row(fmt::format("{} {} {:.10e} {:.10e} {:.12f} {:.12f} {:.12f} {:.10e} {:.10e} {} {:.4f} {:.6e} {:.6e}", n,
                          r.accepted ? 1 : 0, r.delta_h, std::exp(-r.delta_h), r.plaquette.average(),
                          r.plaquette.spatial, r.plaquette.temporal, poly.real(), poly.imag(), r.solver_iterations,
                          seconds, flow.t2_e_clover, flow.q));
    log::info("{:>6} {:>3} {:>11.4e} {:>10.4f} {:>11.8f} {:>11.4e} {:>8}{}", n, r.accepted ? "yes" : "no", r.delta_h,
              std::exp(-r.delta_h), r.plaquette.average(), Kokkos::abs(poly), r.solver_iterations,
              std::isnan(flow.q) ? "" : fmt::format("  t^2E = {:.4f}, Q = {:.3f}", flow.t2_e_clover, flow.q));
    history.push_back(
        {{"trajectory", n}, {"accepted", r.accepted}, {"delta_h", r.delta_h}, {"plaquette", r.plaquette.average()}});
    progress.update(static_cast<std::int64_t>(n + 1));
    if (comm.any(stop_requested())) {
      interrupted = n + 1 < last;
      break;
    }
    if (chain.next_trajectory % static_cast<std::uint64_t>(p.checkpoint_interval) == 0 && n + 1 < last) {
      auto scope = timers.scope("checkpoint");
      write_checkpoint(d, u, chain, checkpoint_path);
    }
    if (p.save_interval > 0 && chain.next_trajectory % static_cast<std::uint64_t>(p.save_interval) == 0) {
      auto scope = timers.scope("save");
      save_nersc(d, u, config_name(p, chain.next_trajectory), {.beta = p.hmc.beta});
    }
  }
  progress.finish();
  {
    auto scope = timers.scope("checkpoint");
    write_checkpoint(d, u, chain, checkpoint_path);
  }
  std::string saved;
  if (!interrupted && p.save_config && chain.next_trajectory > first) {
    const auto path = config_name(p, chain.next_trajectory);
    if (!std::filesystem::exists(path)) save_nersc(d, u, path, {.beta = p.hmc.beta});
    saved = path.string();
  }
  if (interrupted)
    log::info("stop requested (signal {}): checkpoint after trajectory {}; continue with --restart {}", stop_signal(),
              chain.next_trajectory - 1, checkpoint_path.string());
  const double run_acceptance =
      chain.attempted > 0 ? static_cast<double>(chain.accepted) / static_cast<double>(chain.attempted) : 0.0;
  log::info("{} trajectories: acceptance {:.3f} (production {:.3f}), <exp(-dH)> = {:.4f} +- {:.4f}, plaquette "
            "{:.8f} +- {:.8f}",
            chain.next_trajectory - first, run_acceptance, acceptance.mean(), exp_dh.mean(), exp_dh.error(),
            plaq.mean(), plaq.error());
  nlohmann::json out = {{"trajectories", chain.next_trajectory},
                        {"acceptance", run_acceptance},
                        {"production_acceptance", acceptance.mean()},
                        {"exp_minus_dh", exp_dh.to_json()},
                        {"plaquette", plaq.to_json()},
                        {"polyakov_abs", polyakov_abs.to_json()},
                        {"solver_iterations", solver_iterations},
                        {"history", history},
                        {"reversibility", reversibility},
                        {"checkpoint", checkpoint_path.string()},
                        {"configuration", saved},
                        {"interrupted", interrupted}};
  if (charge.n > 0) out["topological_charge"] = {{"mean", charge.mean()}, {"q2", charge2.to_json()}};
  return out;
}

nlohmann::json run_measure(const Decomposition& d, const Params& p, PhaseTimers& timers)
{
  const Links u = initial_links(d, p);
  auto scope = timers.scope("measure");
  const auto plaq = plaquette(d, u);
  const auto poly = polyakov_loop(d, u);
  log::info("plaquette {:.10f} (spatial {:.10f}, temporal {:.10f}); Polyakov loop {:.6e} {:+.6e} i", plaq.average(),
            plaq.spatial, plaq.temporal, poly.real(), poly.imag());
  auto v = allocate_links<double>(d.geometry(), "lqcd::flowed");
  Kokkos::deep_copy(v, u);
  const int every = std::max(1, static_cast<int>(std::lround(0.1 / p.flow_step)));
  const auto flow = wilson_flow(d, v, p.flow_step, p.flow_time, every);
  nlohmann::json table = nlohmann::json::array();
  Table text(d.comm(), p.output_dir / "flow.dat", "# t t2E_plaquette t2E_clover Q", false);
  for (const auto& f : flow) {
    table.push_back({{"t", f.t}, {"t2_e_plaquette", f.t2_e_plaq}, {"t2_e_clover", f.t2_e_clover}, {"q", f.q}});
    text.row(fmt::format("{:.6f} {:.10e} {:.10e} {:.10e}", f.t, f.t2_e_plaq, f.t2_e_clover, f.q));
  }
  if (!flow.empty())
    log::info("Wilson flow to t = {}: t^2 E = {:.6f} (clover), Q = {:.4f}", flow.back().t, flow.back().t2_e_clover,
              flow.back().q);
  return {{"plaquette", plaq.average()},
          {"plaquette_spatial", plaq.spatial},
          {"plaquette_temporal", plaq.temporal},
          {"polyakov", {poly.real(), poly.imag()}},
          {"flow", table}};
}

nlohmann::json run_invert(const Decomposition& d, const Params& p, PhaseTimers& timers)
{
  const Links u = initial_links(d, p);
  SolverStats stats;
  std::vector<double> c;
  {
    auto scope = timers.scope("invert");
    const SolverSettings settings = p.hmc.action_solver;
    c = pion_correlator(d, u, p.hmc.wilson, p.hmc.solver, settings, p.source, &stats);
  }
  Table text(d.comm(), p.output_dir / "pion.dat", "# t C(t) effective_mass", false);
  nlohmann::json table = nlohmann::json::array();
  const int lt = static_cast<int>(c.size());
  for (int t = 0; t < lt; ++t) {
    // cosh effective mass would need a solve; the log ratio is the usual quick look
    const double m = (t + 1 < lt && c[t + 1] > 0 && c[t] > 0) ? std::log(c[t] / c[t + 1]) : std::nan("");
    text.row(fmt::format("{} {:.12e} {:.6f}", t, c[t], m));
    table.push_back({{"t", t}, {"c", c[t]}, {"effective_mass", std::isnan(m) ? nlohmann::json() : nlohmann::json(m)}});
    log::info("C({:>2}) = {:.8e}  m_eff = {:.5f}", t, c[t], m);
  }
  log::info("12 inversions ({}): {} iterations, largest residual {:.3e}", name(p.hmc.solver), stats.iterations,
            stats.max_residual);
  return {{"pion_correlator", table},           {"kappa", p.hmc.wilson.kappa},
          {"solver", name(p.hmc.solver)},       {"solver_iterations", stats.iterations},
          {"max_residual", stats.max_residual}, {"source", p.source}};
}

// Refuses a lattice whose fields would not fit: 5 gauge fields (links, saved links, momenta,
// force, a flowed copy) of 576 B per site, 16 spinors of 192 B per half site, and on the host
// the gathered whole lattice for files (576 B per global site).
void check_memory(const Comm& comm, const Decomposition& d, const Params& p)
{
  const Geometry& g = d.geometry();
  const double device = 2.0 * static_cast<double>(g.storage_half) * (5 * 576.0 + 8 * 192.0);
  const double host = static_cast<double>(g.global_volume()) * 576.0 * 2;
  const double needed = device_is_host ? device + host : std::max(device, host);
  const double free = comm.min(static_cast<double>(available_memory_bytes()));
  if (needed > free)
    throw InputError(fmt::format("lattice.size = {} needs about {:.2f} GiB per rank, more than the {:.2f} GiB free; "
                                 "use more ranks or a smaller lattice",
                                 fmt::join(p.lattice, "x"), needed / 1073741824.0, free / 1073741824.0));
}

} // namespace

nlohmann::json run(const Comm& comm, const Params& p, const std::optional<std::filesystem::path>& restart,
                   PhaseTimers& timers)
{
  const Decomposition d(comm, p.lattice, p.ranks);
  check_memory(comm, d, p);
  const auto grid = d.rank_grid();
  log::info("lattice {} on ranks {} (local {}), mode {}", fmt::join(p.lattice, "x"), fmt::join(grid, "x"),
            fmt::join(d.geometry().local, "x"), name(p.mode));
  if (restart && p.mode != Mode::hmc) throw InputError("--restart: only run.mode = hmc has checkpoints");
  nlohmann::json out;
  switch (p.mode) {
  case Mode::hmc: out = run_hmc(d, p, restart, timers); break;
  case Mode::measure: out = run_measure(d, p, timers); break;
  case Mode::invert: out = run_invert(d, p, timers); break;
  }
  out["mode"] = name(p.mode);
  out["lattice"] = p.lattice;
  out["rank_grid"] = grid;
  return out;
}

} // namespace tessera::lqcd
