// SPDX-License-Identifier: Apache-2.0
#pragma once
// Template definitions of hdf5.hpp (an implementation detail: include hdf5.hpp).

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera {

template <class V>
void read_distributed(const Comm& comm, const Hdf5Reader& reader, const std::string& name, const V& view)
{
  using T = typename V::non_const_value_type;
  const std::int64_t rows = static_cast<std::int64_t>(view.extent(0));
  const std::int64_t first = comm.exclusive_sum(rows);
  std::vector<std::uint64_t> shape;
  std::vector<T> data;
  // A damaged file may fail on one rank only; all ranks must then fail together, or the
  // others would wait in the next collective forever.
  std::string error;
  try {
    data = reader.read_rows<T>(name, static_cast<std::uint64_t>(first), rows, &shape);
  } catch (const IoError& e) {
    error = e.what();
  }
  const int failed_rank = comm.min(error.empty() ? comm.size() : comm.rank());
  if (failed_rank < comm.size()) throw IoError(comm.broadcast(error, failed_rank));
  if (shape.size() != V::rank()) {
    throw IoError(fmt::format("{}: dataset '{}' has rank {}, expected {}", reader.path().string(), name, shape.size(),
                              V::rank()));
  }
  for (unsigned r = 0; r < V::rank(); ++r) {
    if (shape[r] != view.extent(r)) {
      throw IoError(fmt::format("{}: dataset '{}' has extent {} along axis {}, expected {}", reader.path().string(),
                                name, shape[r], r, view.extent(r)));
    }
  }
  using Data = typename V::non_const_data_type;
  Kokkos::View<Data, Kokkos::LayoutRight, HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> host(
      data.data(), layout_right_of(view));
  if constexpr (std::is_same_v<typename V::array_layout, Kokkos::LayoutRight>) {
    Kokkos::deep_copy(view, host);
  } else {
    Kokkos::View<Data, Kokkos::LayoutRight, typename V::memory_space> right("tessera::hdf5::right",
                                                                            layout_right_of(view));
    Kokkos::deep_copy(right, host);
    Kokkos::deep_copy(view, right);
  }
}

} // namespace tessera
