// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/checkpoint.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::shower {

namespace {
constexpr int n_counts = 6; // done, events, overflows, trials, partons, hepmc_written
constexpr const char* attr_ranks = "ranks";
} // namespace

void write_checkpoint(CheckpointWriter& writer, const HistogramBook& book, const RunProgress& progress)
{
  HostViewRight<std::int64_t**> counts("counts", 1, n_counts);
  counts(0, 0) = progress.done;
  counts(0, 1) = progress.totals.events;
  counts(0, 2) = progress.totals.overflows;
  counts(0, 3) = progress.totals.trials;
  counts(0, 4) = progress.totals.partons;
  counts(0, 5) = progress.hepmc_written;
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
  writer.attribute(attr_ranks, static_cast<std::int64_t>(writer.comm().size()));
}

RunProgress read_checkpoint(CheckpointReader& reader, const HistogramBook& book, std::int64_t range)
{
  const auto& path = reader.path();
  const int size = reader.comm().size();
  // Each rank's events are a block of the global numbers that depends on the rank count.
  const auto ranks = reader.attribute_int(attr_ranks);
  if (ranks != size)
    throw InputError(fmt::format("{}: written by a run on {} ranks; restart it on {} ranks (not {})", path.string(),
                                 ranks, ranks, size));
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
  progress.hepmc_written = counts(0, 5);
  progress.totals.sum_w = weights(0, 0);
  progress.totals.sum_w2 = weights(0, 1);
  const auto& t = progress.totals;
  const bool consistent = progress.done >= 0 && progress.done <= range && t.events == progress.done &&
                          t.overflows >= 0 && t.overflows <= t.events && t.trials >= 0 && t.partons >= 0 &&
                          progress.hepmc_written >= 0;
  if (reader.comm().any(!consistent))
    throw IoError(
        fmt::format("{}: its event counts do not fit this run ({} events on this rank)", path.string(), range));
  return progress;
}

} // namespace tessera::shower
