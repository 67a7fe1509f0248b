#include "tessera/shower/run.hpp"

#include <chrono>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/loops.hpp"
#include "tessera/core/progress.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/shower/checkpoint.hpp"
#include "tessera/shower/output.hpp"

namespace tessera::shower {

namespace {

void check_memory(const Comm& comm, const Params& params)
{
  const double need = static_cast<double>(Generator::bytes_needed(params.generator));
  const double free = comm.min(static_cast<double>(available_memory_bytes()));
  if (need > 0.9 * free) // the same decision on every rank
    throw InputError(fmt::format("events.batch = {} with shower.max_partons = {} needs {:.2f} GiB, more than the "
                                 "{:.2f} GiB free; lower events.batch",
                                 params.generator.batch_size, params.generator.max_partons, need / (1 << 30),
                                 free / (1 << 30)));
}

struct PackedRows {
  std::vector<Parton> partons; // row-major (row, parton)
  std::vector<int> n, status;
  std::vector<double> weight;
};

// Rows [0, rows) of the batch, packed on the device and copied to the host.
PackedRows first_rows(const EventBatch& batch, std::int64_t rows)
{
  const int max_partons = batch.max_partons();
  ViewRight<Parton**> partons("shower::hepmc_partons", rows, max_partons);
  ViewRight<double* [3]> scalars("shower::hepmc_scalars", rows);
  par_for(
      "shower::pack_first_events", rows, KOKKOS_LAMBDA(Index i) {
        for (int k = 0; k < batch.n(i); ++k)
          partons(i, k) = batch.partons(i, k);
        scalars(i, 0) = batch.n(i);
        scalars(i, 1) = batch.status(i);
        scalars(i, 2) = batch.weight(i);
      });
  const auto h_partons = to_host(partons);
  const auto h_scalars = to_host(scalars);
  PackedRows packed;
  packed.partons.assign(h_partons.data(), h_partons.data() + h_partons.size());
  for (std::int64_t i = 0; i < rows; ++i) {
    packed.n.push_back(static_cast<int>(h_scalars(i, 0)));
    packed.status.push_back(static_cast<int>(h_scalars(i, 1)));
    packed.weight.push_back(h_scalars(i, 2));
  }
  return packed;
}

// Writes the first events of this rank (rank 0: the run's first events) as HepMC3.
class FirstEvents {
public:
  FirstEvents(const Comm& comm, const Params& params)
      : wanted_(comm.is_root() ? params.hepmc_events : 0), sqrt_s_(params.generator.hard.sqrt_s())
  {
    if (wanted_ > 0) writer_ = std::make_unique<HepMCWriter>(params.output_dir / "events.hepmc3", sqrt_s_);
  }
  void record(const EventBatch& batch, std::int64_t first, std::int64_t count)
  {
    if (written_ >= wanted_) return;
    const std::int64_t rows = std::min(count, wanted_ - written_);
    // Only the rows written cross to the host: the batch itself is gigabytes on a GPU.
    const auto packed = first_rows(batch, rows);
    for (std::int64_t i = 0; i < rows; ++i, ++written_) {
      const auto row = static_cast<std::size_t>(i) * static_cast<std::size_t>(batch.max_partons());
      if (packed.status[static_cast<std::size_t>(i)] == finished)
        writer_->write(first + i, packed.weight[static_cast<std::size_t>(i)], packed.partons.data() + row,
                       packed.n[static_cast<std::size_t>(i)]);
    }
  }
  void close()
  {
    if (writer_) writer_->close();
  }
  std::int64_t written() const { return written_; }

private:
  std::int64_t wanted_;
  double sqrt_s_;
  std::int64_t written_ = 0;
  std::unique_ptr<HepMCWriter> writer_;
};

} // namespace

nlohmann::json run(const Comm& comm, const Params& params, const std::optional<std::filesystem::path>& restart,
                   PhaseTimers& timers)
{
  check_memory(comm, params);
  // Each rank: a contiguous block of global event numbers.
  const auto mine = block_range(params.events, comm.rank(), comm.size());
  const auto& g = params.generator;
  HistogramBook book(standard_histograms());
  Generator generator(g, book);
  generator.warm_up();
  FirstEvents first_events(comm, params);
  log::info("e+ e- -> q qbar at sqrt(s) = {} GeV: {} events on {} rank(s), batches of {}, alpha_s(mZ) = {} ({}), "
            "t_cutoff = {} GeV^2, {} competition, max {} partons",
            g.hard.sqrt_s(), params.events, comm.size(), g.batch_size, params.alpha_s_mz, params.running,
            g.shower.t_cutoff, g.shower.competition == Competition::summed ? "summed" : "per-dipole", g.max_partons);

  const auto checkpoint_path = params.output_dir / "shower.chk.h5";
  RunProgress resumed;
  if (restart) {
    resumed = read_checkpoint(comm, *restart, params, book);
    log::info("restarted from {}: {} events done", restart->string(), comm.sum(resumed.done));
  }
  Progress progress("showering", mine.count, "events");
  bool interrupted = false;
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  auto last_checkpoint = started, last_log = started;
  Generator::Hooks hooks;
  hooks.after_shower = [&](const EventBatch& batch, std::int64_t first, std::int64_t count) {
    first_events.record(batch, first, count);
  };
  hooks.after_batch = [&](std::int64_t done, const GeneratorTotals& so_far) {
    progress.update(resumed.done + done);
    // Batch logs have no terminal: a line a minute there (rank 0's events).
    if (!progress.enabled() && std::chrono::duration<double>(Clock::now() - last_log).count() >= 60) {
      last_log = Clock::now();
      const double seconds = std::chrono::duration<double>(last_log - started).count();
      const double rate = static_cast<double>(done) / seconds;
      log::info("{} of {} events ({:.1f}%), {:.4g} events/s, about {:.0f} s left", resumed.done + done, mine.count,
                100.0 * static_cast<double>(resumed.done + done) / static_cast<double>(mine.count), rate,
                static_cast<double>(mine.count - resumed.done - done) / rate);
    }
    // Every rank must see the same decisions, or the collectives would hang.
    interrupted = comm.any(stop_requested());
    const double since = std::chrono::duration<double>(Clock::now() - last_checkpoint).count();
    const bool due = params.checkpoint_interval > 0 && comm.any(since >= params.checkpoint_interval);
    if (interrupted || due) {
      RunProgress now{resumed.done + done, resumed.totals};
      now.totals += so_far;
      auto t = timers.scope("checkpoint");
      write_checkpoint(comm, checkpoint_path, params, book, now);
      last_checkpoint = Clock::now();
    }
    return !interrupted;
  };
  GeneratorTotals totals = resumed.totals;
  {
    auto t = timers.scope("generate");
    // Every rank runs as many batches as the busiest one: the hooks' collectives match.
    const std::int64_t remaining = mine.count - resumed.done;
    totals += generator.run(mine.first + resumed.done, remaining, hooks, comm.max(generator.batches_for(remaining)));
    Kokkos::fence();
  }
  progress.finish();
  first_events.close();
  const double seconds = timers.seconds("generate");

  // Combine over the ranks.
  GeneratorTotals all;
  all.events = comm.sum(totals.events);
  all.overflows = comm.sum(totals.overflows);
  all.trials = comm.sum(totals.trials);
  all.partons = comm.sum(totals.partons);
  all.sum_w = comm.sum(totals.sum_w);
  all.sum_w2 = comm.sum(totals.sum_w2);
  book.combine(comm);
  const double n = static_cast<double>(all.events);
  const double sigma = all.sum_w / n;
  const double sigma_error = all.events > 1 ? std::sqrt(std::max(0.0, all.sum_w2 / n - sigma * sigma) / (n - 1)) : 0;
  const double sigma_lo = g.hard.total_cross_section();
  const double slowest = comm.max(seconds);
  // The rate of this process: events restored from a checkpoint were made by another.
  const double generated = n - static_cast<double>(comm.sum(resumed.totals.events));
  const double rate = slowest > 0 ? generated / slowest : 0;

  {
    auto t = timers.scope("output");
    const auto histograms = host_histograms(book, 1.0 / n);
    if (!params.yoda.empty() && comm.is_root()) write_yoda(params.output_dir / params.yoda, histograms);
    if (!params.hdf5.empty())
      write_histograms_hdf5(comm, params.output_dir / params.hdf5, histograms, sigma, sigma_error, all.events);
  }
  if (interrupted)
    log::info("stop requested (signal {}): {} events done, the histograms hold those; checkpoint {}: continue with "
              "--restart {}",
              stop_signal(), all.events, checkpoint_path.string(), checkpoint_path.string());
  log::info("sigma(e+ e- -> q qbar) = {:.6g} +- {:.3g} pb (analytic LO: {:.6g} pb)", sigma, sigma_error, sigma_lo);
  log::info("{} events in {:.3f} s: {:.4g} events/s (including hard process and analysis); {:.2f} partons and {:.1f} "
            "trials per event",
            static_cast<std::int64_t>(generated), slowest, rate,
            all.events > all.overflows
                ? static_cast<double>(all.partons) / static_cast<double>(all.events - all.overflows)
                : 0.0,
            static_cast<double>(all.trials) / n);
  if (static_cast<double>(all.overflows) > params.max_overflow_fraction * n)
    throw Error(ExitCode::failure, fmt::format("{} of {} events overflowed shower.max_partons = {} (more than "
                                               "shower.max_overflow_fraction = {}): raise shower.max_partons",
                                               all.overflows, all.events, g.max_partons, params.max_overflow_fraction));
  if (all.overflows > 0) {
    log::warn("{} events ({:.3g}%) needed more than shower.max_partons = {} partons: left out of the histograms "
              "(raise shower.max_partons)",
              all.overflows, 100.0 * static_cast<double>(all.overflows) / n, g.max_partons);
  }
  nlohmann::json result = {
      {"events", all.events},
      {"interrupted", interrupted},
      {"cross_section_pb", sigma},
      {"cross_section_error_pb", sigma_error},
      {"cross_section_lo_analytic_pb", sigma_lo},
      {"overflow_events", all.overflows},
      {"mean_partons", all.events > all.overflows
                           ? static_cast<double>(all.partons) / static_cast<double>(all.events - all.overflows)
                           : 0.0},
      {"trials_per_event", static_cast<double>(all.trials) / n},
      {"seconds", slowest},
      {"events_per_second", rate},
      {"events_restored", static_cast<std::int64_t>(n - generated)},
      {"hepmc_events", first_events.written()},
      {"yoda", params.yoda.empty() ? "" : (params.output_dir / params.yoda).string()},
      {"hdf5", params.hdf5.empty() ? "" : (params.output_dir / params.hdf5).string()}};
  return result;
}

} // namespace tessera::shower
