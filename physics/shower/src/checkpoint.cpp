#include "tessera/shower/checkpoint.hpp"

#include <fmt/format.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"

namespace tessera::shower {

namespace {
constexpr int n_counts = 5; // done, events, overflows, trials, partons
}

std::string physics_fingerprint(const Params& p)
{
  const auto& g = p.generator;
  const auto& s = g.shower;
  return fmt::format("events.n={} seed={} sqrt_s={:.17g} t_cutoff={:.17g} alpha_s_mz={:.17g} running={} "
                     "alpha_max={:.17g} g_to_qqbar_flavours={} competition={} max_partons={} sigma_lo={:.17g}",
                     p.events, s.seed, g.hard.sqrt_s(), s.t_cutoff, p.alpha_s_mz, p.running, s.alpha_max,
                     s.g_to_qqbar_flavours, s.competition == Competition::summed ? "summed" : "per_dipole",
                     g.max_partons, g.hard.total_cross_section());
}

void write_checkpoint(const Comm& comm, const std::filesystem::path& path, const Params& params,
                      const HistogramBook& book, const RunProgress& progress)
{
  CheckpointWriter writer(comm, path);
  HostViewRight<std::int64_t**> counts("counts", 1, n_counts);
  counts(0, 0) = progress.done;
  counts(0, 1) = progress.totals.events;
  counts(0, 2) = progress.totals.overflows;
  counts(0, 3) = progress.totals.trials;
  counts(0, 4) = progress.totals.partons;
  HostViewRight<double**> weights("weights", 1, 2);
  weights(0, 0) = progress.totals.sum_w;
  weights(0, 1) = progress.totals.sum_w2;
  const auto sums = book.host();
  HostViewRight<double***> histograms("histograms", 1, book.rows(), n_moments);
  for (int r = 0; r < book.rows(); ++r)
    for (int k = 0; k < n_moments; ++k)
      histograms(0, r, k) = sums(r, k);
  writer.write_distributed("counts", counts);
  writer.write_distributed("weights", weights);
  writer.write_distributed("histograms", histograms);
  writer.attribute("ranks", static_cast<std::int64_t>(comm.size()));
  writer.attribute("fingerprint", physics_fingerprint(params));
  writer.commit();
}

RunProgress read_checkpoint(const Comm& comm, const std::filesystem::path& path, const Params& params,
                            const HistogramBook& book)
{
  CheckpointReader reader(comm, path);
  const auto ranks = reader.file().attribute_int("", "ranks");
  if (ranks != comm.size())
    throw InputError(
        fmt::format("{}: written by a run on {} ranks; restart it on {} ranks", path.string(), ranks, ranks));
  const auto fingerprint = reader.file().attribute_string("", "fingerprint");
  if (fingerprint != physics_fingerprint(params))
    throw InputError(
        fmt::format("{}: written with other settings ({}); restart with the same input", path.string(), fingerprint));
  HostViewRight<std::int64_t**> counts("counts", 1, n_counts);
  HostViewRight<double**> weights("weights", 1, 2);
  HostViewRight<double***> histograms("histograms", 1, book.rows(), n_moments);
  reader.read_distributed("counts", counts);
  reader.read_distributed("weights", weights);
  reader.read_distributed("histograms", histograms);
  book.load({histograms.data(), histograms.data() + histograms.size()});
  RunProgress progress;
  progress.done = counts(0, 0);
  progress.totals.events = counts(0, 1);
  progress.totals.overflows = counts(0, 2);
  progress.totals.trials = counts(0, 3);
  progress.totals.partons = counts(0, 4);
  progress.totals.sum_w = weights(0, 0);
  progress.totals.sum_w2 = weights(0, 1);
  return progress;
}

} // namespace tessera::shower
