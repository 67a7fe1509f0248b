// SPDX-License-Identifier: Apache-2.0
// HDF5 round trips of distributed and shared Views, in both layouts (one collective file;
// per-rank files joined by virtual datasets, the serial-HDF5 path), and the reader's errors.
#include <fstream>

#include <gtest/gtest.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"
#include "tessera/core/loops.hpp"
#include "test_paths.hpp"

using namespace tessera;

namespace {
// Rank r owns r + 3 rows of a (rows, 4) array whose element (row, c) is 10 * row + c.
double element(Index row, Index c)
{
  return 10.0 * row + c;
}

void round_trip(Hdf5Layout layout, const std::string& name)
{
  const Comm comm;
  test::ScratchDir dir(comm, name);
  const Index rows = comm.rank() + 3;
  const Index first = comm.exclusive_sum(rows);
  const Index total = comm.sum(rows);

  View<double**> data("data", rows, 4); // LayoutLeft on GPUs: the writer makes it row-major
  par_for_md<2>(
      "test::fill", {0, 0}, {rows, 4}, KOKKOS_LAMBDA(Index i, Index c) { data(i, c) = 10.0 * (first + i) + c; });
  View<std::int64_t*> shared("shared", 5);
  par_for("test::fill_shared", 5, KOKKOS_LAMBDA(Index i) { shared(i) = 7 * i; });

  const auto path = dir / "data.h5";
  {
    Hdf5Writer writer(comm, path, layout);
    writer.write_distributed("group/data", data);
    writer.write_shared("shared", shared);
    writer.attribute("", "time", 1.25);
    writer.attribute("", "step", std::int64_t{42});
    writer.attribute("group/data", "unit", std::string("metre"));
    writer.close();
    if (layout == Hdf5Layout::per_rank) {
      for (int r = 0; r < comm.size(); ++r)
        EXPECT_TRUE(std::filesystem::exists(Hdf5Writer::rank_file(path, r)));
    }
  }
  comm.barrier();

  Hdf5Reader reader(path);
  std::vector<std::uint64_t> shape;
  const auto all = reader.read_all<double>("group/data", &shape);
  ASSERT_EQ(shape, (std::vector<std::uint64_t>{static_cast<std::uint64_t>(total), 4}));
  for (Index i = 0; i < total; ++i)
    for (Index c = 0; c < 4; ++c)
      ASSERT_EQ(all[i * 4 + c], element(i, c));
  const auto s = reader.read_all<std::int64_t>("shared");
  ASSERT_EQ(s.size(), 5u);
  for (Index i = 0; i < 5; ++i)
    EXPECT_EQ(s[i], 7 * i);
  EXPECT_EQ(reader.attribute_real("", "time"), 1.25);
  EXPECT_EQ(reader.attribute_int("", "step"), 42);
  EXPECT_EQ(reader.attribute_string("group/data", "unit"), "metre");

  View<double**> back("back", rows, 4);
  read_distributed(comm, reader, "group/data", back);
  const auto h = to_host(back);
  for (Index i = 0; i < rows; ++i)
    for (Index c = 0; c < 4; ++c)
      ASSERT_EQ(h(i, c), element(first + i, c));
}

template <class F>
std::string io_error(F&& f)
{
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}
} // namespace

TEST(Hdf5, RoundTripAutomaticLayout)
{
  round_trip(Hdf5Layout::automatic, "hdf5-auto");
}
TEST(Hdf5, RoundTripPerRankFilesJoinedByVirtualDatasets)
{
  round_trip(Hdf5Layout::per_rank, "hdf5-per-rank");
}

TEST(Hdf5, ReaderRefusesMissingGarbageAndAbsentData)
{
  const Comm comm;
  test::ScratchDir dir(comm, "hdf5-errors");
  const auto garbage = dir / (std::string("garbage.") + std::to_string(comm.rank()) + ".h5");
  std::ofstream(garbage) << "this is not HDF5\n";
  EXPECT_EQ(io_error([&] { Hdf5Reader r(dir / "absent.h5"); }), (dir / "absent.h5").string() + ": file not found");
  EXPECT_EQ(io_error([&] { Hdf5Reader r(garbage); }),
            garbage.string() + ": not a readable HDF5 file (truncated or damaged?)");

  const auto path = dir / "small.h5";
  {
    Hdf5Writer writer(comm, path);
    View<double*> v("v", 3);
    writer.write_distributed("v", v);
  }
  comm.barrier();
  Hdf5Reader reader(path);
  EXPECT_EQ(io_error([&] { reader.read_all<double>("w"); }), path.string() + ": no dataset 'w'");
  EXPECT_NE(io_error([&] { reader.read_rows<double>("v", 0, 1000); }).find("cannot read rows"), std::string::npos);
}

TEST(Hdf5, MissingRankFileIsRefusedNotReadAsZeros)
{
  const Comm comm;
  test::ScratchDir dir(comm, "hdf5-missing-rank");
  const auto path = dir / "split.h5";
  {
    Hdf5Writer writer(comm, path, Hdf5Layout::per_rank);
    View<double*> v("v", 4);
    Kokkos::deep_copy(v, 1.0);
    writer.write_distributed("v", v);
  }
  comm.barrier();
  if (comm.is_root()) std::filesystem::remove(Hdf5Writer::rank_file(path, comm.size() - 1));
  comm.barrier();
  Hdf5Reader reader(path);
  EXPECT_NE(io_error([&] { reader.read_all<double>("v"); }).find("needs the missing file"), std::string::npos);
}
