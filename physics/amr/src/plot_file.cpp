// SPDX-License-Identifier: Apache-2.0
#include "tessera/amr/plot_file.hpp"

#include <exception>
#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"

namespace tessera::amr {
namespace {

// Primitive variables of the interior cells, packed (variable, block, k, j, i) so that each
// variable is one contiguous (block, k, j, i) array to hand to the writer. The variables
// keep the slots of the conserved ones: density, velocity x y z, pressure, scalars.
using PackedPrimitives = ViewRight<double*****>;

// One kernel over every interior cell of every block (a functor: nvcc takes no lambdas in
// member functions of a class with private members).
struct InteriorPrimitives {
  BlockData u;
  PackedPrimitives w;
  Index begin[3]; // first interior index per axis (k, j, i offsets)
  double gamma;
  int scalars;

  KOKKOS_INLINE_FUNCTION void operator()(Index b, Index k, Index j, Index i) const
  {
    const Index kk = k + begin[2], jj = j + begin[1], ii = i + begin[0];
    const double rho = u(b, density, kk, jj, ii);
    const double vx = u(b, momentum_x, kk, jj, ii) / rho;
    const double vy = u(b, momentum_y, kk, jj, ii) / rho;
    const double vz = u(b, momentum_z, kk, jj, ii) / rho;
    w(density, b, k, j, i) = rho;
    w(momentum_x, b, k, j, i) = vx;
    w(momentum_y, b, k, j, i) = vy;
    w(momentum_z, b, k, j, i) = vz;
    w(energy, b, k, j, i) = (gamma - 1) * (u(b, energy, kk, jj, ii) - 0.5 * rho * (vx * vx + vy * vy + vz * vz));
    for (int n = 0; n < scalars; ++n)
      w(first_scalar + n, b, k, j, i) = u(b, first_scalar + n, kk, jj, ii) / rho;
  }
};

std::vector<std::string> variable_names(int scalars)
{
  std::vector<std::string> names{"density", "velocity_x", "velocity_y", "velocity_z", "pressure"};
  for (int n = 0; n < scalars; ++n)
    names.push_back(fmt::format("scalar_{}", n));
  return names;
}

// Full precision: the geometry must tile the domain exactly in the readers.
std::string full_precision(double x)
{
  return fmt::format("{:.17g}", x);
}

// The XDMF spatial collection of one plot, from what its HDF5 file holds (not from the mesh
// in memory), so that plots of a run before a restart are described the same way.
std::string spatial_grid(const std::filesystem::path& dir, const PlotRecord& record)
{
  const Hdf5Reader file(dir / record.h5_name);
  const auto shape = file.shape("density"); // (blocks, nz, ny, nx)
  const auto dims = file.attribute_int("", "dims");
  std::vector<std::string> variables;
  std::istringstream words(file.attribute_string("", "variables"));
  for (std::string word; words >> word;)
    variables.push_back(word);
  const auto level = file.read_all<std::int32_t>("level");
  const auto origin = file.read_all<double>("origin");
  const auto width = file.read_all<double>("cell_width");
  if (shape.size() != 4 || level.size() != shape[0] || origin.size() != 3 * shape[0])
    throw IoError(fmt::format("{}: not an AMR plot file (inconsistent block arrays)", file.path().string()));
  const auto blocks = shape[0], nz = shape[1], ny = shape[2], nx = shape[3];
  const std::string h5 = record.h5_name.generic_string();

  std::string out = fmt::format("    <Grid Name=\"{}\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
                                "      <Time Value=\"{}\"/>\n",
                                record.h5_name.stem().string(), full_precision(record.time));
  for (std::uint64_t b = 0; b < blocks; ++b) {
    const auto x = [&](const std::vector<double>& v, int axis) { return full_precision(v[3 * b + axis]); };
    std::string topology, geometry, cells;
    if (dims == 3) {
      topology = fmt::format("TopologyType=\"3DCoRectMesh\" Dimensions=\"{} {} {}\"", nz + 1, ny + 1, nx + 1);
      geometry = fmt::format("GeometryType=\"ORIGIN_DXDYDZ\">\n"
                             "          <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
                             "Format=\"XML\">{} {} {}</DataItem>\n"
                             "          <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
                             "Format=\"XML\">{} {} {}</DataItem>",
                             x(origin, 2), x(origin, 1), x(origin, 0), x(width, 2), x(width, 1), x(width, 0));
      cells = fmt::format("{} {} {}", nz, ny, nx);
    } else {
      // 2-D, and 1-D as a strip one cell high: square cells (y spacing = x spacing) at y = 0
      // look like the line they are, whatever the unit width of the inactive axis.
      const bool line = dims == 1;
      topology = fmt::format("TopologyType=\"2DCoRectMesh\" Dimensions=\"{} {}\"", ny + 1, nx + 1);
      geometry = fmt::format("GeometryType=\"ORIGIN_DXDY\">\n"
                             "          <DataItem Dimensions=\"2\" NumberType=\"Float\" Precision=\"8\" "
                             "Format=\"XML\">{} {}</DataItem>\n"
                             "          <DataItem Dimensions=\"2\" NumberType=\"Float\" Precision=\"8\" "
                             "Format=\"XML\">{} {}</DataItem>",
                             line ? full_precision(0) : x(origin, 1), x(origin, 0), line ? x(width, 0) : x(width, 1),
                             x(width, 0));
      cells = fmt::format("{} {}", ny, nx);
    }
    out += fmt::format("      <Grid Name=\"block_{}\" GridType=\"Uniform\">\n"
                       "        <Topology {}/>\n"
                       "        <Geometry {}\n"
                       "        </Geometry>\n"
                       "        <Attribute Name=\"level\" AttributeType=\"Scalar\" Center=\"Grid\">\n"
                       "          <DataItem Dimensions=\"1\" NumberType=\"Int\" Precision=\"4\" "
                       "Format=\"XML\">{}</DataItem>\n"
                       "        </Attribute>\n",
                       b, topology, geometry, level[b]);
    // Each variable: the block's slab (b, all, all, all) of the (blocks, nz, ny, nx) array.
    for (const auto& name : variables)
      out += fmt::format("        <Attribute Name=\"{0}\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
                         "          <DataItem ItemType=\"HyperSlab\" Dimensions=\"{1}\">\n"
                         "            <DataItem Dimensions=\"3 4\" NumberType=\"Int\" Format=\"XML\">"
                         "{2} 0 0 0 1 1 1 1 1 {3} {4} {5}</DataItem>\n"
                         "            <DataItem Dimensions=\"{6} {3} {4} {5}\" NumberType=\"Float\" Precision=\"8\" "
                         "Format=\"HDF\">{7}:/{0}</DataItem>\n"
                         "          </DataItem>\n"
                         "        </Attribute>\n",
                         name, cells, b, nz, ny, nx, blocks, h5);
    out += "      </Grid>\n";
  }
  out += "    </Grid>\n";
  return out;
}

// Runs f on rank 0 alone; an error there is thrown on every rank (no rank left waiting in
// the next collective call).
template <class F>
void on_root(const Comm& comm, const F& f)
{
  std::string error;
  if (comm.is_root()) {
    try {
      f();
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "plot file: unknown error";
    }
  }
  error = comm.broadcast(error);
  if (!error.empty()) throw IoError(error);
}

} // namespace

PlotWriter::PlotWriter(const Comm& comm, std::filesystem::path dir, std::string stem, std::vector<PlotRecord> previous)
    : comm_(&comm), dir_(std::move(dir)), stem_(std::move(stem)), records_(std::move(previous))
{
  on_root(comm, [&] {
    std::filesystem::create_directories(dir_);
    for (const auto& record : records_)
      grids_.push_back(spatial_grid(dir_, record));
  });
  comm.barrier(); // the directory exists before any rank writes into it
}

std::filesystem::path PlotWriter::h5_path(int number) const
{
  return dir_ / fmt::format("{}.{:05d}.h5", stem_, number);
}

void PlotWriter::write(int number, const Mesh& mesh, const BlockData& u, double gamma, double time, std::int64_t step)
{
  const auto& e = mesh.extent();
  const int nb = mesh.blocks(), nvar = mesh.variables();
  PackedPrimitives w("amr::plot::primitives", static_cast<std::size_t>(nvar), static_cast<std::size_t>(nb),
                     static_cast<std::size_t>(e.end[2] - e.begin[2]), static_cast<std::size_t>(e.end[1] - e.begin[1]),
                     static_cast<std::size_t>(e.end[0] - e.begin[0]));
  par_for_md<4>("amr::plot::primitives", {0, 0, 0, 0},
                {nb, static_cast<Index>(w.extent(2)), static_cast<Index>(w.extent(3)), static_cast<Index>(w.extent(4))},
                InteriorPrimitives{u, w, {e.begin[0], e.begin[1], e.begin[2]}, gamma, mesh.shape().scalars});

  // Where each block sits, for readers that rebuild the tree (the XDMF needs only the geometry).
  HostViewRight<std::int32_t*> level("amr::plot::level", static_cast<std::size_t>(nb));
  HostViewRight<std::int64_t* [3]> location("amr::plot::location", static_cast<std::size_t>(nb));
  for (int b = 0; b < nb; ++b) {
    const auto& loc = mesh.locations()[static_cast<std::size_t>(b)];
    level(b) = loc.level;
    for (int axis = 0; axis < 3; ++axis)
      location(b, axis) = loc.lx[static_cast<std::size_t>(axis)];
  }

  const PlotRecord record{h5_path(number).filename(), time, step, static_cast<int>(comm_->sum<std::int64_t>(nb))};
  const auto names = variable_names(mesh.shape().scalars);
  {
    Hdf5Writer writer(*comm_, dir_ / record.h5_name);
    for (int v = 0; v < nvar; ++v)
      writer.write_distributed(names[static_cast<std::size_t>(v)],
                               Kokkos::subview(w, v, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL, Kokkos::ALL));
    writer.write_distributed("level", level);
    writer.write_distributed("logical_location", location);
    writer.write_distributed("origin", mesh.origin);
    writer.write_distributed("cell_width", mesh.width);
    std::string list;
    for (const auto& name : names)
      list += (list.empty() ? "" : " ") + name;
    writer.attribute("", "time", time);
    writer.attribute("", "step", step);
    writer.attribute("", "dims", std::int64_t{mesh.shape().tree.dims});
    writer.attribute("", "block_cells", std::int64_t{mesh.shape().block_cells});
    writer.attribute("", "gamma", gamma);
    writer.attribute("", "blocks", std::int64_t{record.blocks});
    writer.attribute("", "variables", list);
    writer.close();
  }
  comm_->barrier(); // every rank's part is on disk before rank 0 reads the file back

  records_.push_back(record);
  on_root(*comm_, [&] {
    grids_.push_back(spatial_grid(dir_, record));
    if (xdmf_written_)
      append_xdmf(grids_.back());
    else
      rewrite_xdmf();
    xdmf_written_ = true;
  });
}

namespace {
// What closes the temporal collection: the end of every XDMF file the writer leaves.
constexpr std::string_view xdmf_tail = "  </Grid>\n</Domain>\n</Xdmf>\n";
} // namespace

void PlotWriter::rewrite_xdmf() const
{
  const auto path = xdmf_path();
  const auto temporary = std::filesystem::path(path.string() + ".tmp");
  {
    std::ofstream out(temporary);
    if (!out) throw IoError(fmt::format("{}: cannot write", temporary.string()));
    out << "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"3.0\">\n<Domain>\n";
    out << fmt::format("  <Grid Name=\"{}\" GridType=\"Collection\" CollectionType=\"Temporal\">\n", stem_);
    for (const auto& grid : grids_)
      out << grid;
    out << xdmf_tail;
    if (!out.flush()) throw IoError(fmt::format("{}: write failed", temporary.string()));
  }
  std::filesystem::rename(temporary, path);
}

// The new plot's grid written over the closing tags, which follow it again: the file grows by
// one plot, whatever the length of the series (a rewrite of every plot so far made a series
// of N plots cost N^2). A run killed in between leaves a file the restart rewrites whole.
void PlotWriter::append_xdmf(const std::string& grid) const
{
  const auto path = xdmf_path();
  std::fstream out(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!out) throw IoError(fmt::format("{}: cannot open to append a plot", path.string()));
  // Not the file this writer left (edited, or cut by a full disk): written whole again.
  std::string end(xdmf_tail.size(), '\0');
  out.seekg(-static_cast<std::streamoff>(xdmf_tail.size()), std::ios::end);
  if (!out.read(end.data(), static_cast<std::streamsize>(end.size())) || end != xdmf_tail) {
    out.close();
    rewrite_xdmf();
    return;
  }
  out.seekp(-static_cast<std::streamoff>(xdmf_tail.size()), std::ios::end);
  out << grid << xdmf_tail;
  if (!out.flush()) throw IoError(fmt::format("{}: write failed", path.string()));
}

} // namespace tessera::amr
