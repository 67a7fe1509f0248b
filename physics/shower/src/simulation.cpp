// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::shower {

namespace {

// The generator's settings once every rank has the memory for its batch (the same decision
// on every rank): checked before the generator allocates.
const GeneratorSettings& checked_memory(const Comm& comm, const Params& params)
{
  const auto& g = params.generator;
  const double need = static_cast<double>(Generator::bytes_needed(g));
  const double free = comm.min(static_cast<double>(available_memory_bytes()));
  if (need > 0.9 * free)
    throw InputError(fmt::format("{}: events.batch = {} with shower.max_partons = {} needs {:.2f} GiB, more than the "
                                 "{:.2f} GiB free; lower events.batch",
                                 params.batch_where, g.batch_size, g.max_partons, need / (1 << 30), free / (1 << 30)));
  return g;
}

// The cross section (pb) and its statistical error from the weights of `t.events` events.
std::pair<double, double> cross_section(const GeneratorTotals& t)
{
  if (t.events == 0) return {0.0, 0.0};
  const double n = static_cast<double>(t.events);
  const double sigma = t.sum_w / n;
  const double error = t.events > 1 ? std::sqrt(std::max(0.0, t.sum_w2 / n - sigma * sigma) / (n - 1)) : 0.0;
  return {sigma, error};
}

double mean_partons(const GeneratorTotals& t)
{
  return t.events > t.overflows ? static_cast<double>(t.partons) / static_cast<double>(t.events - t.overflows) : 0.0;
}

double per_event(double x, std::int64_t events)
{
  return events > 0 ? x / static_cast<double>(events) : 0.0;
}

} // namespace

SimulationInfo Simulation::info()
{
  SimulationInfo i;
  i.name = "shower";
  i.description = "Tessera parton shower: e+ e- -> q qbar at the Z pole, Catani-Seymour dipole shower (veto "
                  "algorithm), event shapes and jet rates, all events on the device";
  i.unit = unit();
  i.output_files = {"*.yoda", "*.h5", "events.hepmc3"};
  // events.n is fixed on restart, so a finished run cannot be extended: its last checkpoint
  // would serve no one (a stop signal still writes one).
  i.final_checkpoint = false;
  return i;
}

Simulation::Simulation(const RunContext& context, const Params& params) : Simulation(context, params, nullptr) {}

Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : Simulation(context, params, &checkpoint)
{
}

Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader* checkpoint)
    : context_(context), params_(params), range_(block_range(params.events, context.comm.rank(), context.comm.size())),
      book_(standard_histograms()), generator_(checked_memory(context.comm, params), book_)
{
  const Comm& comm = context_.comm;
  const auto& g = params_.generator;
  generator_.warm_up();
  log::info("e+ e- -> q qbar at sqrt(s) = {} GeV: {} events on {} rank(s), batches of {}, alpha_s(mZ) = {} ({}), "
            "t_cutoff = {} GeV^2, {} competition, max {} partons",
            g.hard.sqrt_s(), params_.events, comm.size(), g.batch_size, params_.alpha_s_mz, params_.running,
            g.shower.t_cutoff, g.shower.competition == Competition::summed ? "summed" : "per-dipole", g.max_partons);
  if (checkpoint != nullptr) {
    progress_ = read_checkpoint(*checkpoint, book_, range_.count);
    restored_events_ = comm.sum(progress_.totals.events);
    rewrite_first_events();
  } else {
    // The run's first events are rank 0's; a restart keeps the file the start wrote.
    const std::int64_t wanted = comm.is_root() ? params_.hepmc_events : 0;
    first_events_ = FirstEvents(context_.output_dir / "events.hepmc3", wanted, g.hard.sqrt_s());
  }
  done_all_ranks_ = comm.sum(progress_.done);
}

void Simulation::rewrite_first_events()
{
  // A checkpoint taken before the first events were all written left events.hepmc3 unfinished
  // (its .tmp): the restarted run regenerates them, the same events (counter-based draws,
  // whatever the batch size), through the shower only (the histograms hold them already), so
  // that it ends with the file of a run that never stopped.
  const std::int64_t wanted = context_.comm.is_root() ? params_.hepmc_events : 0;
  if (wanted <= progress_.hepmc_written) return;
  first_events_ = FirstEvents(context_.output_dir / "events.hepmc3", wanted, params_.generator.hard.sqrt_s());
  progress_.hepmc_written = 0;
  const std::int64_t replay = std::min(wanted, progress_.done);
  for (std::int64_t done = 0; done < replay;) {
    const std::int64_t count = std::min(params_.generator.batch_size, replay - done);
    generator_.start(range_.first + done, count);
    generator_.shower(count);
    first_events_.record(generator_.batch(), range_.first + done, count);
    done += count;
  }
  log::info("events.hepmc3: the first {} events written again (the checkpoint's file was unfinished)", replay);
}

void Simulation::advance(double /*target*/)
{
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t count = std::min(params_.generator.batch_size, range_.count - progress_.done);
  const std::int64_t first = range_.first + progress_.done;
  progress_.totals +=
      generator_.run_batch(first, count, [this](const EventBatch& batch, std::int64_t f, std::int64_t n) {
        first_events_.record(batch, f, n);
      });
  progress_.done += count;
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  done_all_ranks_ = context_.comm.sum(progress_.done);
}

void Simulation::write_checkpoint(CheckpointWriter& writer) const
{
  RunProgress now = progress_;
  now.hepmc_written = hepmc_written();
  shower::write_checkpoint(writer, book_, now);
}

GeneratorTotals Simulation::totals() const
{
  const Comm& comm = context_.comm;
  const auto& t = progress_.totals;
  GeneratorTotals all;
  all.events = comm.sum(t.events);
  all.overflows = comm.sum(t.overflows);
  all.trials = comm.sum(t.trials);
  all.partons = comm.sum(t.partons);
  all.sum_w = comm.sum(t.sum_w);
  all.sum_w2 = comm.sum(t.sum_w2);
  return all;
}

std::vector<HostHistogram> Simulation::histograms() const
{
  const auto events = context_.comm.sum(progress_.totals.events);
  return host_histograms(book_.combined(context_.comm), per_event(1.0, events));
}

void Simulation::write_output(const OutputRequest& request)
{
  if (!request.final) return;
  first_events_.close();
  const auto all = totals();
  const auto histograms = this->histograms();
  const auto [sigma, sigma_error] = cross_section(all);
  const Comm& comm = context_.comm;
  if (!params_.yoda.empty() && comm.is_root())
    write_yoda(context_.output_dir / params_.yoda, histograms, params_.yoda_format);
  if (!params_.hdf5.empty())
    write_histograms_hdf5(comm, context_.output_dir / params_.hdf5, histograms, sigma, sigma_error, all.events);
  if (request.interrupted) log::info("the histograms hold the {} events done", all.events);
}

std::string Simulation::status() const
{
  const auto& t = progress_.totals;
  return fmt::format("rank {}: {:.2f} partons, {:.1f} trials per event", context_.comm.rank(), mean_partons(t),
                     per_event(static_cast<double>(t.trials), t.events));
}

Results Simulation::results()
{
  const Comm& comm = context_.comm;
  const auto& g = params_.generator;
  const auto all = totals();
  const auto [sigma, sigma_error] = cross_section(all);
  const double sigma_lo = g.hard.total_cross_section();
  const double slowest = comm.max(seconds_);
  // The rate of this process: events restored from a checkpoint were made by another.
  const auto generated = all.events - restored_events_;
  const double rate = slowest > 0 ? static_cast<double>(generated) / slowest : 0.0;
  const double trials = per_event(static_cast<double>(all.trials), all.events);
  Results r;
  r.rate = rate;
  r.rate_unit = "events/s";
  r.lines.push_back(fmt::format("sigma(e+ e- -> q qbar) = {:.6g} +- {:.3g} pb (analytic LO: {:.6g} pb)", sigma,
                                sigma_error, sigma_lo));
  r.lines.push_back(fmt::format("{} events in {:.3f} s: {:.4g} events/s (including hard process and analysis); {:.2f} "
                                "partons and {:.1f} trials per event",
                                generated, slowest, rate, mean_partons(all), trials));
  const double n = static_cast<double>(all.events);
  if (static_cast<double>(all.overflows) > params_.max_overflow_fraction * n) {
    // The loop prints the lines only for a run that ends well: these still belong to it.
    for (const auto& line : r.lines)
      log::info("{}", line);
    throw Error(ExitCode::failure,
                fmt::format("{} of {} events overflowed shower.max_partons = {} (more than "
                            "shower.max_overflow_fraction = {}): raise shower.max_partons",
                            all.overflows, all.events, g.max_partons, params_.max_overflow_fraction));
  }
  if (all.overflows > 0)
    log::warn("{} events ({:.3g}%) needed more than shower.max_partons = {} partons: left out of the histograms "
              "(raise shower.max_partons)",
              all.overflows, 100.0 * static_cast<double>(all.overflows) / n, g.max_partons);
  // The means of the observables, from the histograms (their underflow, the undefined
  // values, left out: observable_mean()).
  nlohmann::json means = nlohmann::json::object();
  std::string means_line = "observable means (weighted, the undefined values left out):";
  for (const auto& histogram : histograms()) {
    const auto m = observable_mean(histogram);
    const auto number = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
    means[m.name] = {{"mean", number(m.mean)}, {"error", number(m.error)}, {"weight_fraction", m.fraction}};
    means_line += fmt::format(" {} {:.5g} +- {:.2g};", m.name, m.mean, m.error);
  }
  means_line.pop_back();
  r.lines.push_back(means_line);
  const auto& dir = context_.output_dir;
  r.json = {{"events", all.events},
            {"cross_section_pb", sigma},
            {"cross_section_error_pb", sigma_error},
            {"cross_section_lo_analytic_pb", sigma_lo},
            {"overflow_events", all.overflows},
            {"mean_partons", mean_partons(all)},
            {"trials_per_event", trials},
            {"observable_means", means},
            {"seconds", slowest},
            {"events_per_second", rate},
            {"events_restored", restored_events_},
            {"hepmc_events", comm.is_root() ? hepmc_written() : 0},
            {"yoda", params_.yoda.empty() ? "" : (dir / params_.yoda).string()},
            {"hdf5", params_.hdf5.empty() ? "" : (dir / params_.hdf5).string()}};
  return r;
}

} // namespace tessera::shower
