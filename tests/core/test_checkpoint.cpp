// SPDX-License-Identifier: Apache-2.0
// Checkpoints: a round trip, refusal of damaged, truncated and incomplete files, and the
// previous checkpoint surviving a write that never completes. (The same with a process
// killed mid-write is tests/drivers/checkpoint_crash.sh.)

#include <gtest/gtest.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/loops.hpp"
#include "test_damage.hpp"
#include "test_paths.hpp"

using namespace tessera;

namespace {
View<double*> local_data(const Comm& comm, double scale)
{
  const Index n = 100 + 10 * comm.rank();
  const Index first = comm.exclusive_sum(n);
  View<double*> v("v", n);
  par_for("test::fill", n, KOKKOS_LAMBDA(Index i) { v(i) = scale * (first + i) + 0.5; });
  return v;
}

void write(const Comm& comm, const std::filesystem::path& path, double scale, Hdf5Layout layout)
{
  CheckpointWriter writer(comm, path, layout);
  writer.write_distributed("state/v", local_data(comm, scale));
  View<std::int64_t*> counters("counters", 3);
  Kokkos::deep_copy(counters, 9);
  writer.write_shared("counters", counters);
  writer.attribute("step", std::int64_t{17});
  writer.commit();
}

double first_value(const Comm& comm, const std::filesystem::path& path)
{
  CheckpointReader reader(comm, path);
  auto v = local_data(comm, 0.0);
  reader.read_distributed("state/v", v);
  EXPECT_EQ(reader.read_shared<std::int64_t>("counters"), (std::vector<std::int64_t>{9, 9, 9}));
  EXPECT_EQ(reader.file().attribute_int("", "step"), 17);
  const auto h = to_host(v);
  return h(0) - 0.5 - comm.exclusive_sum(static_cast<Index>(v.extent(0))) * (h(1) - h(0));
}

std::string io_error_of_load(const Comm& comm, const std::filesystem::path& path)
{
  try {
    CheckpointReader reader(comm, path);
    auto v = local_data(comm, 0.0);
    reader.read_distributed("state/v", v);
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

void round_trip(Hdf5Layout layout, const std::string& name)
{
  const Comm comm;
  test::ScratchDir dir(comm, name);
  const auto path = dir / "run.chk.h5";
  write(comm, path, 2.0, layout);
  EXPECT_NEAR(first_value(comm, path), 0.0, 1e-12);
  write(comm, path, 3.0, layout); // a second checkpoint replaces the first
  CheckpointReader reader(comm, path);
  auto v = local_data(comm, 0.0);
  reader.read_distributed("state/v", v);
  const auto h = to_host(v);
  EXPECT_EQ(h(1) - h(0), 3.0);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}
} // namespace

TEST(Checkpoint, RoundTrip)
{
  round_trip(Hdf5Layout::automatic, "chk-auto");
}
TEST(Checkpoint, RoundTripPerRankFiles)
{
  round_trip(Hdf5Layout::per_rank, "chk-per-rank");
}

TEST(Checkpoint, ChecksumIsIndependentOfTheSplit)
{
  std::vector<double> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = 0.1 * static_cast<double>(i);
  const auto whole = checksum(data.data(), 1000, sizeof(double), 0);
  EXPECT_EQ(checksum(data.data(), 300, sizeof(double), 0) + checksum(data.data() + 300, 700, sizeof(double), 300),
            whole);
  std::swap(data[3], data[4]);
  EXPECT_NE(checksum(data.data(), 1000, sizeof(double), 0), whole); // order matters
}

namespace {
bool refused(const std::string& message)
{
  return message.find("fails its checksum") != std::string::npos ||
         message.find("failed (file damaged?)") != std::string::npos ||
         message.find("not a readable HDF5 file") != std::string::npos ||
         message.find("not a complete Tessera checkpoint") != std::string::npos;
}
} // namespace

void check_bit_flip(Hdf5Layout layout, const std::string& name)
{
  const Comm comm;
  test::ScratchDir dir(comm, name);
  const auto path = dir / "run.chk.h5";
  write(comm, path, 2.0, layout);
  int flipped = 1;
  // A byte in the middle of the data (value 50 of the first rank's 100).
  if (comm.is_root()) flipped = test::flip_a_bit(path, "state/v", 8 * 50 + 3) ? 1 : 0;
  comm.broadcast(&flipped, 1);
  EXPECT_EQ(flipped, 1); // no ASSERT before a collective: every rank must reach it
  EXPECT_EQ(io_error_of_load(comm, path),
            path.string() + ": dataset 'state/v' fails its checksum (the file is damaged)");
}

void check_truncation(Hdf5Layout layout, const std::string& name)
{
  const Comm comm;
  test::ScratchDir dir(comm, name);
  const auto path = dir / "run.chk.h5";
  write(comm, path, 2.0, layout);
  const auto data = test::data_file(path, "state/v");
  if (comm.is_root()) std::filesystem::resize_file(data, std::filesystem::file_size(data) / 2);
  comm.barrier();
  const auto message = io_error_of_load(comm, path);
  EXPECT_TRUE(refused(message)) << message;
  if (data == path) {
    EXPECT_EQ(message, path.string() + ": not a readable HDF5 file (truncated or damaged?)");
  }
}

TEST(Checkpoint, BitFlipIsRefused)
{
  check_bit_flip(Hdf5Layout::automatic, "chk-bitflip");
}
TEST(Checkpoint, BitFlipInARankFileIsRefused)
{
  check_bit_flip(Hdf5Layout::per_rank, "chk-bitflip-rank");
}
TEST(Checkpoint, TruncatedFileIsRefused)
{
  check_truncation(Hdf5Layout::automatic, "chk-truncated");
}
TEST(Checkpoint, TruncatedRankFileIsRefused)
{
  check_truncation(Hdf5Layout::per_rank, "chk-truncated-rank");
}

TEST(Checkpoint, IncompleteWriteLeavesThePreviousCheckpoint)
{
  const Comm comm;
  test::ScratchDir dir(comm, "chk-incomplete");
  const auto path = dir / "run.chk.h5";
  write(comm, path, 2.0, Hdf5Layout::automatic);
  {
    // A writer that never commits (an exception, a crash) must not touch `path`.
    CheckpointWriter writer(comm, path);
    writer.write_distributed("state/v", local_data(comm, 5.0));
  }
  comm.barrier();
  EXPECT_NEAR(first_value(comm, path), 0.0, 1e-12);
  CheckpointReader reader(comm, path);
  auto v = local_data(comm, 0.0);
  reader.read_distributed("state/v", v);
  const auto h = to_host(v);
  EXPECT_EQ(h(1) - h(0), 2.0);

  // The uncommitted temporary file is not a checkpoint.
  EXPECT_EQ(io_error_of_load(comm, path.string() + ".tmp"), path.string() + ".tmp: not a complete Tessera checkpoint");
}

// Attributes carry no checksum of their own in HDF5: an edited step counter or a deleted
// attribute must be refused like edited data (h5py or h5edit make such edits in a second).
void edit_root_attribute(const std::filesystem::path& path, const char* name, bool remove)
{
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  if (remove) {
    H5Adelete(file, name);
  } else {
    const hid_t attr = H5Aopen(file, name, H5P_DEFAULT);
    const std::int64_t edited = 18;
    H5Awrite(attr, H5T_NATIVE_INT64, &edited);
    H5Aclose(attr);
  }
  H5Fclose(file);
}

TEST(Checkpoint, EditedOrDeletedAttributeIsRefused)
{
  const Comm comm;
  test::ScratchDir dir(comm, "chk-attribute");
  const auto path = dir / "run.chk.h5";
  for (const bool remove : {false, true}) {
    write(comm, path, 2.0, Hdf5Layout::automatic);
    if (comm.is_root()) edit_root_attribute(path, "step", remove);
    comm.barrier();
    EXPECT_EQ(io_error_of_load(comm, path),
              path.string() + (remove ? ": attribute 'step' is missing" : ": its attributes fail their checksum") +
                  " (the file was damaged or edited)");
  }
}

// An attribute added to the file (one the run loop reads only when present, such as the
// position of the last output) would otherwise be read without any checksum over it.
TEST(Checkpoint, AddedAttributeIsRefused)
{
  const Comm comm;
  test::ScratchDir dir(comm, "chk-added-attribute");
  const auto path = dir / "run.chk.h5";
  write(comm, path, 2.0, Hdf5Layout::automatic);
  {
    CheckpointReader reader(comm, path);
    EXPECT_TRUE(reader.has_attribute("step"));
    EXPECT_FALSE(reader.has_attribute("tessera_last_output"));
    EXPECT_FALSE(reader.has_attribute("tessera_complete")); // the reader's own, not the run's
  }
  comm.barrier();
  if (comm.is_root()) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attr = H5Acreate2(file, "tessera_last_output", H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
    const double position = 0.5;
    H5Awrite(attr, H5T_NATIVE_DOUBLE, &position);
    H5Aclose(attr);
    H5Sclose(space);
    H5Fclose(file);
  }
  comm.barrier();
  EXPECT_EQ(io_error_of_load(comm, path),
            path.string() + ": it carries attributes its checksum does not cover (the file was damaged or edited)");
}
