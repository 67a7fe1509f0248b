// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/generator.hpp"

#include <algorithm>

#include "tessera/core/loops.hpp"

namespace tessera::shower {

GeneratorTotals& GeneratorTotals::operator+=(const GeneratorTotals& o)
{
  events += o.events;
  overflows += o.overflows;
  trials += o.trials;
  partons += o.partons;
  sum_w += o.sum_w;
  sum_w2 += o.sum_w2;
  return *this;
}

Generator::Generator(const GeneratorSettings& settings, const HistogramBook& book)
    : settings_(settings), book_(book), batch_(settings.batch_size, settings.max_partons),
      live_("shower::live", settings.batch_size), live_next_("shower::live_next", settings.batch_size)
{
}

void Generator::start(std::int64_t first, std::int64_t count)
{
  first_ = first;
  const EventShower shower(batch_, settings_.shower, settings_.hard, first);
  par_for("shower::hard_process", count, KOKKOS_LAMBDA(Index i) { shower.start(i); });
}

void Generator::shower(std::int64_t count)
{
  const EventShower shower(batch_, settings_.shower, settings_.hard, first_);
  const int per_pass = settings_.trials_per_pass;
  passes_ = 0;
  if (per_pass == 0) {
    par_for("shower::evolve", count, KOKKOS_LAMBDA(Index i) { shower.evolve(i, 0); });
    passes_ = 1;
    return;
  }
  // Passes over the live events, compacting the list between them.
  auto live = live_;
  auto next = live_next_;
  par_for("shower::live_init", count, KOKKOS_LAMBDA(Index i) { live(i) = static_cast<int>(i); });
  std::int64_t n_live = count;
  const auto status = batch_.status;
  while (n_live > 0) {
    par_for("shower::evolve_pass", n_live, KOKKOS_LAMBDA(Index k) { shower.evolve(live(k), per_pass); });
    ++passes_;
    Index still_live = 0;
    par_scan(
        "shower::compact_live", n_live,
        KOKKOS_LAMBDA(Index k, Index & slot, bool final) {
          if (status(live(k)) != showering) return;
          if (final) next(slot) = live(k);
          ++slot;
        },
        still_live);
    n_live = still_live;
    std::swap(live, next);
  }
}

GeneratorTotals Generator::analyse(std::int64_t count)
{
  const auto batch = batch_;
  const auto book = book_.filler();
  const double e2_vis = settings_.hard.s();
  GeneratorTotals totals;
  totals.events = count;
  const Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>> events(0, count);
  std::int64_t overflows = 0, trials = 0, partons = 0;
  Kokkos::parallel_reduce(
      "shower::analysis", events,
      KOKKOS_LAMBDA(Index i, double& w, double& w2, std::int64_t& o, std::int64_t& t, std::int64_t& np) {
        w += batch.weight(i);
        w2 += batch.weight(i) * batch.weight(i);
        t += batch.trials(i);
        if (batch.status(i) != finished) {
          ++o;
          return;
        }
        np += batch.n(i);
        analyse_event(batch, i, book, e2_vis);
      },
      Kokkos::Sum<double>(totals.sum_w), Kokkos::Sum<double>(totals.sum_w2), Kokkos::Sum<std::int64_t>(overflows),
      Kokkos::Sum<std::int64_t>(trials), Kokkos::Sum<std::int64_t>(partons));
  totals.overflows = overflows;
  totals.trials = trials;
  totals.partons = partons;
  return totals;
}

void Generator::warm_up()
{
  const auto book = book_;
  book_ = HistogramBook(standard_histograms());
  start(0, 1);
  shower(1);
  analyse(1);
  Kokkos::fence();
  book_ = book;
}

GeneratorTotals Generator::run_batch(std::int64_t first, std::int64_t count, const AfterShower& after_shower)
{
  if (count <= 0) return {};
  start(first, count);
  shower(count);
  if (after_shower) after_shower(batch_, first, count);
  return analyse(count);
}

std::size_t Generator::bytes_needed(const GeneratorSettings& settings)
{
  const auto rows = static_cast<std::size_t>(settings.batch_size);
  const auto partons = static_cast<std::size_t>(settings.max_partons);
  const std::size_t per_parton = sizeof(Parton) + sizeof(double) + 2 * sizeof(int);
  const std::size_t per_event = 6 * sizeof(double) + 8 * sizeof(int) + sizeof(std::uint64_t);
  return rows * (partons * per_parton + per_event);
}

} // namespace tessera::shower
