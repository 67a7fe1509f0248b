// SPDX-License-Identifier: Apache-2.0
#include "tessera/nbody/io.hpp"

#include <fstream>

#include <fmt/format.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::nbody {

namespace {
void write_xdmf(const std::filesystem::path& xdmf, const std::string& h5, std::int64_t n, double time)
{
  std::ofstream out(xdmf);
  out << fmt::format(R"(<?xml version="1.0" ?>
<Xdmf Version="3.0">
  <Domain>
    <Grid Name="particles" GridType="Uniform">
      <Time Value="{2}"/>
      <Topology TopologyType="Polyvertex" NumberOfElements="{0}"/>
      <Geometry GeometryType="XYZ">
        <DataItem Dimensions="{0} 3" NumberType="Float" Precision="8" Format="HDF">{1}:/x</DataItem>
      </Geometry>
      <Attribute Name="velocity" AttributeType="Vector" Center="Node">
        <DataItem Dimensions="{0} 3" NumberType="Float" Precision="8" Format="HDF">{1}:/v</DataItem>
      </Attribute>
      <Attribute Name="mass" AttributeType="Scalar" Center="Node">
        <DataItem Dimensions="{0}" NumberType="Float" Precision="8" Format="HDF">{1}:/m</DataItem>
      </Attribute>
      <Attribute Name="id" AttributeType="Scalar" Center="Node">
        <DataItem Dimensions="{0}" NumberType="Int" Precision="8" Format="HDF">{1}:/id</DataItem>
      </Attribute>
    </Grid>
  </Domain>
</Xdmf>
)",
                     n, h5, time);
}
} // namespace

void write_snapshot(const Comm& comm, const State& state, const Params& params, const std::filesystem::path& dir,
                    int number)
{
  const auto name = fmt::format("snapshot_{:04d}", number);
  const auto path = dir / (name + ".h5");
  Hdf5Writer writer(comm, path);
  writer.write_distributed("x", state.x);
  writer.write_distributed("v", state.v);
  writer.write_distributed("m", state.m);
  writer.write_distributed("id", state.id);
  writer.attribute("", "time", state.time);
  writer.attribute("", "n", state.n_global);
  writer.attribute("", "units", std::string("Henon N-body units: G = M = 1, E = -1/4"));
  writer.attribute("", "softening", params.softening);
  writer.attribute("", "commit", build_commit());
  writer.close();
  if (comm.is_root()) write_xdmf(dir / (name + ".xdmf"), name + ".h5", state.n_global, state.time);
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
