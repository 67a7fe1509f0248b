// SPDX-License-Identifier: Apache-2.0
// Plot files: the HDF5 file holds the primitive variables of every interior cell (a linear
// state, so each value is known at the cell centre) and every block's place in the tree; the
// XDMF lists every block of every plot, continues the series after a restart, and an
// independent reader (tools/amr/check_plots.py, when h5py is there) finds it consistent:
// blocks tile the domain and the mass seen through the XDMF is the exact integral.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/stat.h>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../core/test_paths.hpp"
#include "simulation.hpp"
#include "tessera/core/hdf5.hpp"

namespace tessera::amr {
namespace {

// The domain [-1, 2] x [0, 1] x [0.5, 1.5] (its active axes), root blocks 3 x 2 x 2 of 4
// cells, the corner block refined twice: levels 0, 1 and 2 side by side (2:1 kept by the tree).
Mesh corner_refined_mesh(int dims)
{
  using testing::operator+;
  const auto shape =
      params_for<Simulation>(testing::box_keys(dims, {12, 8, 8}, 4, "outflow") +
                             std::vector<std::string>{"problem.kind=sod", "mesh.max_level=2", "hydro.scalars=1",
                                                      "mesh.x_min=-1", "mesh.x_max=2", "mesh.y_min=0", "mesh.y_max=1",
                                                      "mesh.z_min=0.5", "mesh.z_max=1.5"})
          .shape;
  BlockTree tree(shape.tree);
  tree.refine(tree.leaves().front()); // the leaves are in Morton order: the corner comes first
  tree.refine(tree.leaves().front());
  return Mesh(shape, std::move(tree));
}

// Linear in every coordinate (coordinates of inactive axes are 0 at cell centres).
Primitive linear_state(const std::array<double, 3>& x)
{
  Primitive w;
  w.rho = 2 + 0.3 * x[0] - 0.2 * x[1] + 0.1 * x[2];
  w.vn = 0.5 - 0.1 * x[1];
  w.vt1 = 0.2 * x[0];
  w.vt2 = -0.3 + 0.05 * x[2];
  w.p = 1.5 + 0.1 * x[0] + 0.2 * x[1] - 0.1 * x[2];
  w.s[0] = 0.25 + 0.1 * x[0];
  return w;
}

// The integral of the density over the domain: volume times the density at its centre.
double exact_mass(int dims)
{
  const std::array<double, 3> centre{0.5, dims > 1 ? 0.5 : 0.0, dims > 2 ? 1.0 : 0.0};
  return 3.0 * linear_state(centre).rho;
}

constexpr double gamma_gas = 1.4;

TEST(PlotFile, PrimitivesOfEveryInteriorCell)
{
  const Comm comm;
  for (int dims : {1, 2, 3}) {
    SCOPED_TRACE(::testing::Message() << dims << "-D");
    const test::ScratchDir dir(comm, "amr-plot-cells");
    const Mesh mesh = corner_refined_mesh(dims);
    const BlockData u = mesh.allocate("test::u");
    set_primitive_state(mesh, u, gamma_gas, linear_state);
    PlotWriter plots(comm, dir.path());
    plots.write(7, mesh, u, gamma_gas, 0.25, 42);
    ASSERT_EQ(plots.records().size(), 1u);
    EXPECT_EQ(plots.records()[0].h5_name, "amr.00007.h5");

    const Hdf5Reader file(dir / "amr.00007.h5");
    EXPECT_EQ(file.attribute_real("", "time"), 0.25);
    EXPECT_EQ(file.attribute_int("", "step"), 42);
    EXPECT_EQ(file.attribute_int("", "dims"), dims);
    EXPECT_EQ(file.attribute_int("", "blocks"), mesh.blocks());
    EXPECT_EQ(file.attribute_string("", "variables"), "density velocity_x velocity_y velocity_z pressure scalar_0");

    const auto& e = mesh.extent();
    const std::uint64_t n = 4, nb = static_cast<std::uint64_t>(mesh.blocks());
    const std::vector<std::uint64_t> cells{nb, dims > 2 ? n : 1, dims > 1 ? n : 1, n};
    const auto origin = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.origin);
    const auto width = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mesh.width);
    // Each variable as a function of the primitive state at the cell centre.
    const std::vector<std::pair<std::string, double (*)(const Primitive&)>> variables{
        {"density", [](const Primitive& w) { return w.rho; }},
        {"velocity_x", [](const Primitive& w) { return w.vn; }},
        {"velocity_y", [](const Primitive& w) { return w.vt1; }},
        {"velocity_z", [](const Primitive& w) { return w.vt2; }},
        {"pressure", [](const Primitive& w) { return w.p; }},
        {"scalar_0", [](const Primitive& w) { return w.s[0]; }}};
    for (const auto& [name, exact] : variables) {
      std::vector<std::uint64_t> shape;
      const auto data = file.read_all<double>(name, &shape);
      ASSERT_EQ(shape, cells) << name;
      int wrong = 0;
      std::size_t at = 0;
      for (Index b = 0; b < mesh.blocks(); ++b)
        for (Index k = e.begin[2]; k < e.end[2]; ++k)
          for (Index j = e.begin[1]; j < e.end[1]; ++j)
            for (Index i = e.begin[0]; i < e.end[0]; ++i, ++at)
              if (std::abs(data[at] - exact(linear_state(cell_centre(e, origin, width, b, k, j, i)))) > 1e-12) ++wrong;
      EXPECT_EQ(wrong, 0) << name;
    }

    const auto level = file.read_all<std::int32_t>("level");
    const auto location = file.read_all<std::int64_t>("logical_location");
    const auto file_origin = file.read_all<double>("origin");
    const auto file_width = file.read_all<double>("cell_width");
    ASSERT_EQ(level.size(), nb);
    ASSERT_EQ(location.size(), 3 * nb);
    for (std::size_t b = 0; b < nb; ++b) {
      const auto& loc = mesh.locations()[b];
      EXPECT_EQ(level[b], loc.level);
      for (std::size_t axis = 0; axis < 3; ++axis) {
        EXPECT_EQ(location[3 * b + axis], loc.lx[axis]);
        EXPECT_EQ(file_origin[3 * b + axis], origin(b, axis));
        EXPECT_EQ(file_width[3 * b + axis], width(b, axis));
      }
    }
  }
}

std::string read_text(const std::filesystem::path& path)
{
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int occurrences(const std::string& text, const std::string& what)
{
  int count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
    ++count;
  return count;
}

TEST(PlotFile, XdmfSeriesContinuesAfterRestart)
{
  const Comm comm;
  const bool have_h5py = std::system("python3 -c 'import h5py' > /dev/null 2>&1") == 0;
  const auto checker = std::filesystem::path(__FILE__).parent_path() / "../../tools/amr/check_plots.py";
  for (int dims : {1, 2, 3}) {
    SCOPED_TRACE(::testing::Message() << dims << "-D");
    const test::ScratchDir dir(comm, "amr-plot-series");
    const Mesh mesh = corner_refined_mesh(dims);
    const BlockData u = mesh.allocate("test::u");
    set_primitive_state(mesh, u, gamma_gas, linear_state);
    std::vector<PlotRecord> records;
    {
      PlotWriter plots(comm, dir.path(), "run");
      plots.write(0, mesh, u, gamma_gas, 0.0, 0);
      plots.write(1, mesh, u, gamma_gas, 0.5, 10);
      records = plots.records();
    }
    // A restarted run: a new writer that knows the earlier plots only by their records.
    PlotWriter plots(comm, dir.path(), "run", records);
    plots.write(2, mesh, u, gamma_gas, 1.0, 20);
    ASSERT_EQ(plots.records().size(), 3u);

    const std::string xdmf = read_text(dir / "run.xdmf");
    EXPECT_EQ(occurrences(xdmf, "<Time Value="), 3);
    EXPECT_EQ(occurrences(xdmf, "Name=\"block_"), 3 * mesh.blocks());
    EXPECT_EQ(occurrences(xdmf, "CollectionType=\"Temporal\""), 1);
    for (const char* name : {"run.00000.h5:/density", "run.00001.h5:/pressure", "run.00002.h5:/scalar_0"})
      EXPECT_EQ(occurrences(xdmf, name), mesh.blocks()) << name;
    EXPECT_FALSE(std::filesystem::exists(dir / "run.xdmf.tmp"));

    if (!have_h5py) {
      std::printf("PlotFile: python3 with h5py not found; check_plots.py not run\n");
      continue;
    }
    const std::string command = "python3 '" + checker.string() + "' '" + (dir / "run.xdmf").string() +
                                "' --expect-blocks " + std::to_string(mesh.blocks()) + " --total-mass " +
                                fmt::format("{:.17g}", exact_mass(dims)) + " --rtol 1e-12";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
}

// Issue 24: each plot is appended to the XDMF (the same file, its earlier text kept), not the
// whole series rewritten; a file that does not end as the writer left it is rewritten whole.
TEST(PlotFile, XdmfGrowsByAppendingEachPlot)
{
  const Comm comm;
  const test::ScratchDir dir(comm, "amr-plot-append");
  const Mesh mesh = corner_refined_mesh(2);
  const BlockData u = mesh.allocate("test::u");
  set_primitive_state(mesh, u, gamma_gas, linear_state);
  const auto inode = [&] {
    struct stat st{};
    EXPECT_EQ(::stat((dir / "run.xdmf").c_str(), &st), 0);
    return st.st_ino;
  };
  const std::string tail = "  </Grid>\n</Domain>\n</Xdmf>\n";
  PlotWriter plots(comm, dir.path(), "run");
  plots.write(0, mesh, u, gamma_gas, 0.0, 0);
  const std::string first = read_text(dir / "run.xdmf");
  const auto first_inode = inode();
  plots.write(1, mesh, u, gamma_gas, 0.5, 10);
  plots.write(2, mesh, u, gamma_gas, 1.0, 20);
  const std::string third = read_text(dir / "run.xdmf");
  EXPECT_EQ(inode(), first_inode); // no temporary file renamed over it
  ASSERT_GT(first.size(), tail.size());
  EXPECT_EQ(third.substr(0, first.size() - tail.size()), first.substr(0, first.size() - tail.size()));
  EXPECT_EQ(third.substr(third.size() - tail.size()), tail);
  EXPECT_EQ(occurrences(third, "<Time Value="), 3);
  EXPECT_EQ(occurrences(third, "Name=\"block_"), 3 * mesh.blocks());
  EXPECT_EQ(occurrences(third, "run.00002.h5:/density"), mesh.blocks());

  // Cut short (a full disk): the next plot writes the series whole again.
  std::filesystem::resize_file(dir / "run.xdmf", third.size() - 5);
  plots.write(3, mesh, u, gamma_gas, 1.5, 30);
  const std::string fourth = read_text(dir / "run.xdmf");
  EXPECT_EQ(occurrences(fourth, "<Time Value="), 4);
  EXPECT_EQ(fourth.substr(fourth.size() - tail.size()), tail);
  EXPECT_EQ(occurrences(fourth, "CollectionType=\"Temporal\""), 1);
}

} // namespace
} // namespace tessera::amr
