// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/io.hpp"

#include <fstream>
#include <string_view>

#include <fmt/format.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/nbody/forces.hpp"

namespace tessera::nbody {

namespace {

constexpr const char* series_head = R"(<?xml version="1.0" ?>
<Xdmf Version="3.0">
  <Domain>
    <Grid Name="snapshots" GridType="Collection" CollectionType="Temporal">
)";
constexpr std::string_view series_tail = "    </Grid>\n  </Domain>\n</Xdmf>\n";

// One snapshot of the series, from what its file holds (so that the grids of the snapshots a
// run wrote before a restart read the same when the series is written anew).
std::string snapshot_grid(const std::filesystem::path& dir, int number)
{
  const auto h5 = snapshot_name(number);
  const Hdf5Reader file(dir / h5);
  const auto n = file.attribute_int("", "n");
  const double time = file.attribute_real("", "time");
  const auto item = [&](const std::string& dataset, bool vector, const char* type = "Float") {
    return fmt::format(R"(<DataItem Dimensions="{}{}" NumberType="{}" Precision="8" Format="HDF">{}:/{}</DataItem>)", n,
                       vector ? " 3" : "", type, h5, dataset);
  };
  std::string grid = fmt::format(R"(      <Grid Name="{}" GridType="Uniform">
        <Time Value="{:.17g}"/>
        <Topology TopologyType="Polyvertex" NumberOfElements="{}"/>
        <Geometry GeometryType="XYZ">
          {}
        </Geometry>
)",
                                 std::filesystem::path(h5).stem().string(), time, n, item("x", true));
  const auto attribute = [&](const char* name, const char* dataset, bool vector, const char* type = "Float") {
    if (!file.has(dataset)) return; // snapshots written before a and pot were added
    grid += fmt::format(R"(        <Attribute Name="{}" AttributeType="{}" Center="Node">
          {}
        </Attribute>
)",
                        name, vector ? "Vector" : "Scalar", item(dataset, vector, type));
  };
  attribute("velocity", "v", true);
  attribute("acceleration", "a", true);
  attribute("mass", "m", false);
  attribute("potential", "pot", false);
  attribute("id", "id", false, "Int");
  grid += "      </Grid>\n";
  return grid;
}

} // namespace

std::string snapshot_name(int number)
{
  return fmt::format("snapshot_{:04d}.h5", number);
}

void SnapshotSeries::add(int number)
{
  const auto file = path();
  const std::string grid = snapshot_grid(dir_, number);
  if (started_) {
    // Append: the grid goes where the closing tags were, and the closing tags after it.
    std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
    out.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(out.tellg());
    const auto tail_size = static_cast<std::streamoff>(series_tail.size());
    std::string tail(series_tail.size(), '\0');
    if (out && size >= tail_size && out.seekg(size - tail_size).read(tail.data(), tail_size) && tail == series_tail) {
      out.seekp(size - tail_size);
      out << grid << series_tail;
      if (out.flush()) return;
      throw IoError(fmt::format("{}: cannot write the snapshot series", file.string()));
    }
    // Changed under our feet (or unreadable): written anew below.
  }
  std::string text = series_head;
  for (int k = 0; k < number; ++k) {
    if (!std::filesystem::exists(dir_ / snapshot_name(k))) continue;
    try {
      text += snapshot_grid(dir_, k);
    } catch (const Error& e) {
      log::warn("{}: not listed in {} ({})", snapshot_name(k), file.filename().string(), e.what());
    }
  }
  text += grid;
  text += series_tail;
  const auto temporary = std::filesystem::path(file.string() + ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw IoError(fmt::format("{}: cannot write the snapshot series", temporary.string()));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, file, ec);
  if (ec) throw IoError(fmt::format("{}: cannot rename to {}: {}", temporary.string(), file.string(), ec.message()));
  started_ = true;
}

void write_snapshot(const Comm& comm, const State& state, const Params& params, const std::filesystem::path& dir,
                    int number)
{
  // Acceleration and potential at these positions (the Hermite state holds them at the
  // predicted positions of its last step, the leapfrog no potential at all).
  const Index n = state.local();
  Gravity<double, true> gravity(comm, n, params.softening, ForceConfig{params.team_size, params.tile, params.j_split});
  ViewRight<double**> sums("nbody::snapshot_forces", n, 7);
  gravity.compute(state.x, state.v, state.m, View<Index*>(), n, sums);
  View<double* [3]> a("nbody::snapshot_a", n);
  View<double*> pot("nbody::snapshot_pot", n);
  par_for(
      "nbody::snapshot_fields", n, KOKKOS_LAMBDA(Index i) {
        for (int d = 0; d < 3; ++d)
          a(i, d) = sums(i, d);
        pot(i) = sums(i, 6);
      });

  Hdf5Writer writer(comm, dir / snapshot_name(number));
  writer.write_distributed("x", state.x);
  writer.write_distributed("v", state.v);
  writer.write_distributed("m", state.m);
  writer.write_distributed("id", state.id);
  writer.write_distributed("a", a);
  writer.write_distributed("pot", pot);
  writer.attribute("", "time", state.time);
  writer.attribute("", "n", state.n_global);
  writer.attribute("", "units", std::string("Henon N-body units: G = M = 1, E = -1/4"));
  writer.attribute("", "softening", params.softening);
  writer.attribute("", "commit", build_commit());
  writer.close();
}

void write_checkpoint(CheckpointWriter& writer, const State& state, double initial_energy)
{
  writer.write_distributed("x", state.x);
  writer.write_distributed("v", state.v);
  writer.write_distributed("m", state.m);
  writer.write_distributed("id", state.id);
  writer.write_distributed("a", state.a);
  writer.write_distributed("jerk", state.j);
  writer.write_distributed("pot", state.pot);
  writer.write_distributed("t", state.t);
  writer.write_distributed("dt", state.dt);
  writer.attribute("time", state.time);
  writer.attribute("n", state.n_global);
  writer.attribute("steps", state.steps);
  writer.attribute("interactions", writer.comm().sum(state.interactions));
  writer.attribute("initial_energy", initial_energy);
}

double read_checkpoint(CheckpointReader& reader, State& state)
{
  const auto n = reader.attribute_int("n");
  if (n < 1 || n >= (std::int64_t{1} << 40))
    throw IoError(fmt::format("{}: {} particles is no particle count", reader.path().string(), n));
  state = allocate(reader.comm(), n);
  reader.read_distributed("x", state.x);
  reader.read_distributed("v", state.v);
  reader.read_distributed("m", state.m);
  reader.read_distributed("id", state.id);
  reader.read_distributed("a", state.a);
  reader.read_distributed("jerk", state.j);
  reader.read_distributed("pot", state.pot);
  reader.read_distributed("t", state.t);
  reader.read_distributed("dt", state.dt);
  state.time = reader.attribute_real("time");
  state.steps = reader.attribute_int("steps");
  state.interactions = 0;
  return reader.attribute_real("initial_energy");
}

} // namespace tessera::nbody
