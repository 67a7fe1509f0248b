// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/first_events.hpp"

#include <algorithm>
#include <vector>

#include "tessera/core/loops.hpp"

namespace tessera::shower {

namespace {

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

} // namespace

FirstEvents::FirstEvents(const std::filesystem::path& path, std::int64_t wanted, double sqrt_s) : wanted_(wanted)
{
  if (wanted_ > 0) writer_ = std::make_unique<HepMCWriter>(path, sqrt_s);
}

void FirstEvents::record(const EventBatch& batch, std::int64_t first, std::int64_t count)
{
  if (written_ >= wanted_) return;
  const std::int64_t rows = std::min(count, wanted_ - written_);
  // Only the rows written cross to the host: the batch itself is gigabytes on a GPU.
  const auto packed = first_rows(batch, rows);
  for (std::int64_t i = 0; i < rows; ++i, ++written_) {
    const auto r = static_cast<std::size_t>(i);
    const auto row = r * static_cast<std::size_t>(batch.max_partons());
    if (packed.status[r] == finished)
      writer_->write(first + i, packed.weight[r], packed.partons.data() + row, packed.n[r]);
  }
  if (written_ >= wanted_) close();
}

void FirstEvents::close()
{
  if (writer_) writer_->close();
}

} // namespace tessera::shower
