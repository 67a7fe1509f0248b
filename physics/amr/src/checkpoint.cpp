// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/checkpoint.hpp"

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::amr {

namespace {

constexpr int location_columns = 4; // level, lx, ly, lz
constexpr int plot_columns = 3;     // time, step, blocks

auto interior_of(const Mesh& mesh, const BlockData& u)
{
  const auto& e = mesh.extent();
  using range = Kokkos::pair<int, int>;
  return Kokkos::subview(u, range(0, mesh.blocks()), Kokkos::ALL, range(e.begin[2], e.end[2]),
                         range(e.begin[1], e.end[1]), range(e.begin[0], e.end[0]));
}

} // namespace

void write_checkpoint(CheckpointWriter& writer, const Mesh& mesh, const BlockData& u, const RunState& state)
{
  const auto& locations = mesh.locations();
  HostViewRight<std::int64_t**> leaves("leaves", locations.size(), location_columns);
  for (std::size_t b = 0; b < locations.size(); ++b) {
    leaves(b, 0) = locations[b].level;
    for (int axis = 0; axis < 3; ++axis)
      leaves(b, static_cast<std::size_t>(axis) + 1) = locations[b].lx[static_cast<std::size_t>(axis)];
  }
  writer.write_distributed("leaves", leaves);
  writer.write_distributed("cells", interior_of(mesh, u));
  if (!state.plots.empty()) {
    HostViewRight<double**> plots("plots", state.plots.size(), plot_columns);
    for (std::size_t n = 0; n < state.plots.size(); ++n) {
      plots(n, 0) = state.plots[n].time;
      plots(n, 1) = static_cast<double>(state.plots[n].step);
      plots(n, 2) = static_cast<double>(state.plots[n].blocks);
    }
    writer.write_shared("plots", plots);
  }
  writer.attribute("time", state.time);
  writer.attribute("step", state.step);
  writer.attribute("floors", state.floors);
  writer.attribute("regrids", state.regrids);
}

RestoredRun read_checkpoint(CheckpointReader& reader, const MeshShape& shape)
{
  const auto& file = reader.file();
  const auto& path = reader.path();
  const Comm& comm = reader.comm();
  std::vector<std::uint64_t> shape_of_leaves;
  const auto rows = reader.read_shared<std::int64_t>("leaves", &shape_of_leaves);
  std::vector<LogicalLocation> leaves(shape_of_leaves.at(0));
  for (std::size_t b = 0; b < leaves.size(); ++b) {
    leaves[b].level = static_cast<int>(rows[b * location_columns]);
    for (std::size_t axis = 0; axis < 3; ++axis)
      leaves[b].lx[axis] = rows[b * location_columns + axis + 1];
  }
  RestoredRun out{BlockTree::from_leaves(shape.tree, leaves, path.string()), {}, {}};

  const auto cells = file.shape("cells");
  const auto n = static_cast<std::uint64_t>(shape.block_cells);
  const std::uint64_t expected[3] = {shape.tree.dims > 2 ? n : 1, shape.tree.dims > 1 ? n : 1, n};
  if (cells.size() != 5 || cells[0] != leaves.size() || cells[1] != static_cast<std::uint64_t>(5 + shape.scalars) ||
      cells[2] != expected[0] || cells[3] != expected[1] || cells[4] != expected[2])
    throw IoError(
        fmt::format("{}: dataset 'cells' does not match {} blocks of this mesh", path.string(), leaves.size()));
  // This rank's share, as the mesh will partition the leaves (any number of ranks).
  const auto first = partition_leaves(static_cast<std::int64_t>(leaves.size()), comm.size());
  const auto mine = static_cast<std::size_t>(first[static_cast<std::size_t>(comm.rank()) + 1] -
                                             first[static_cast<std::size_t>(comm.rank())]);
  out.interior = BlockData("amr::restored", mine, cells[1], cells[2], cells[3], cells[4]);
  reader.read_distributed("cells", out.interior);

  auto& s = out.state;
  s.time = reader.attribute_real("time");
  s.step = reader.attribute_int("step");
  s.floors = reader.attribute_int("floors");
  s.regrids = reader.attribute_int("regrids");
  if (file.has("plots")) {
    std::vector<std::uint64_t> plot_shape;
    const auto plots = reader.read_shared<double>("plots", &plot_shape);
    for (std::size_t p = 0; p < plot_shape.at(0); ++p)
      s.plots.push_back({fmt::format("amr.{:05d}.h5", p), plots[p * plot_columns],
                         static_cast<std::int64_t>(plots[p * plot_columns + 1]),
                         static_cast<int>(plots[p * plot_columns + 2])});
  }
  return out;
}

void copy_interior(const BlockData& interior, const Mesh& mesh, const BlockData& u)
{
  Kokkos::deep_copy(interior_of(mesh, u), interior);
}

} // namespace tessera::amr
