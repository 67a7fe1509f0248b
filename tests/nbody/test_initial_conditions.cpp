// SPDX-License-Identifier: Apache-2.0
// Initial conditions: the Kroupa mass spectrum, and particles read back from the text and
// HDF5 formats tessera-nbody accepts.
#include <cmath>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include "tessera/core/hdf5.hpp"
#include "tessera/nbody/diagnostics.hpp"
#include "tessera/nbody/initial_conditions.hpp"
#include "tessera/nbody/simulation.hpp"

namespace tessera::nbody {
namespace {

TEST(InitialConditions, KroupaMassesAreNormalisedAndSpanTheImf)
{
  const Comm comm;
  const auto p =
      params_for<Simulation>({"ic.n=4096", "ic.mass_spectrum=kroupa", "ic.kroupa_min=0.08", "ic.kroupa_max=100"});
  const State s = initial_state(comm, p);
  const auto m = to_host(s.m);
  double total = 0, lightest = 1, heaviest = 0;
  int below_half_solar = 0;
  for (Index i = 0; i < s.local(); ++i) {
    total += m(i);
    lightest = std::min(lightest, m(i));
    heaviest = std::max(heaviest, m(i));
  }
  // Masses in solar units are m * (sum of the drawn masses); the ratio heaviest/lightest is
  // unit-free and bounded by the IMF's range.
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_LE(heaviest / lightest, 100.0 / 0.08 * (1 + 1e-12));
  EXPECT_GT(heaviest / lightest, 20.0); // a 4096-star draw reaches well into the upper IMF
  const double mean = total / static_cast<double>(s.local());
  for (Index i = 0; i < s.local(); ++i)
    below_half_solar += m(i) < mean ? 1 : 0;
  EXPECT_GT(below_half_solar, s.local() / 2); // most stars are lighter than the mean
  EXPECT_NEAR(energies(comm, s, p.softening).total(), -0.25, 1e-12);
}

TEST(InitialConditions, TextAndHdf5FilesReadBack)
{
  const Comm comm;
  const auto dir = std::filesystem::temp_directory_path() / ("tessera-ic-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  // Three particles with the centre of mass at rest at the origin.
  const double table[3][7] = {
      {0.5, 1, 0, 0, 0, 0.5, 0}, {0.25, -1, 1, 0, 0, -0.5, 0.25}, {0.25, -1, -1, 0, 0, -0.5, -0.25}};
  {
    std::ofstream out(dir / "ic.txt");
    out << "# m x y z vx vy vz\n";
    for (const auto& row : table) {
      for (double value : row)
        out << value << ' ';
      out << "\n";
    }
  }
  {
    HostViewRight<double* [3]> x("x", 3), v("v", 3);
    HostView<double*> m("m", 3);
    for (int i = 0; i < 3; ++i) {
      m(i) = table[i][0];
      for (int d = 0; d < 3; ++d) {
        x(i, d) = table[i][1 + d];
        v(i, d) = table[i][4 + d];
      }
    }
    Hdf5Writer writer(comm, dir / "ic.h5");
    writer.write_shared("x", x);
    writer.write_shared("v", v);
    writer.write_shared("m", m);
  }
  for (const char* kind : {"text", "hdf5"}) {
    const auto p = params_for<Simulation>(
        {std::string("ic.kind=") + kind,
         "ic.file=" + (dir / (std::string(kind) == "text" ? "ic.txt" : "ic.h5")).string(), "ic.standard_units=false"});
    const State s = initial_state(comm, p);
    ASSERT_EQ(s.n_global, 3) << kind;
    const auto x = to_host(s.x);
    const auto v = to_host(s.v);
    const auto m = to_host(s.m);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(m(i), table[i][0]) << kind;
      for (int d = 0; d < 3; ++d) {
        EXPECT_NEAR(x(i, d), table[i][1 + d], 1e-15) << kind;
        EXPECT_NEAR(v(i, d), table[i][4 + d], 1e-15) << kind;
      }
    }
  }
  std::filesystem::remove_all(dir);
}

// A dataset 'm' that is a scalar (fuzz_nbody_hdf5 found it: counting the particles took the
// first extent of an empty shape) is refused with the file and the dataset named.
TEST(InitialConditions, Hdf5FileWithAScalarMassDatasetIsRefused)
{
  const Comm comm;
  const auto path = std::filesystem::temp_directory_path() / fmt::format("tessera_scalar_m_{}.h5", ::getpid());
  {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t set = H5Dcreate2(file, "m", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    const double mass = 1.0;
    ASSERT_GE(H5Dwrite(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &mass), 0);
    H5Dclose(set);
    H5Sclose(space);
    H5Fclose(file);
  }
  const auto p = params_for<Simulation>({"ic.kind=hdf5", "ic.file=" + path.string()});
  try {
    (void)initial_state(comm, p);
    ADD_FAILURE() << "a scalar 'm' was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("dataset 'm' must be 1-D"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path.filename().string()), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

} // namespace
} // namespace tessera::nbody
