// SPDX-License-Identifier: Apache-2.0
// CSV header detection (issue 24): a first line that is numbers is data, also when it starts
// with a UTF-8 byte-order mark or a '+'; a header of names is still skipped. Every row is
// read, the values exactly as written.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "tessera/nn/samples.hpp"

namespace {

std::filesystem::path write_file(const std::string& name, const std::string& text)
{
  const auto path =
      std::filesystem::temp_directory_path() / ("tessera-samples-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

tessera::nn::Samples read(const std::string& name, const std::string& text)
{
  const auto path = write_file(name, text);
  auto s = tessera::nn::read_csv(path, 1);
  std::filesystem::remove(path);
  return s;
}

} // namespace

TEST(Csv, AByteOrderMarkBeforeNumbersIsData)
{
  const auto s = read("bom.csv", "\xEF\xBB\xBF"
                                 "1.5,2.0,3.25\n-4,5e-1,6\n7,8,-9.5\n");
  ASSERT_EQ(s.count, 3);
  EXPECT_EQ(s.inputs, 2);
  EXPECT_EQ(s.x, (std::vector<double>{1.5, 2.0, -4.0, 0.5, 7.0, 8.0}));
  EXPECT_EQ(s.y, (std::vector<double>{3.25, 6.0, -9.5}));
  EXPECT_EQ(s.input_names, (std::vector<std::string>{"c0", "c1"}));
}

TEST(Csv, ALeadingPlusIsANumber)
{
  const auto s = read("plus.csv", "+1.5,2.0,+3\n4,+5e-1,6\n7,8,9\n");
  ASSERT_EQ(s.count, 3);
  EXPECT_EQ(s.x, (std::vector<double>{1.5, 2.0, 4.0, 0.5, 7.0, 8.0}));
  EXPECT_EQ(s.y, (std::vector<double>{3.0, 6.0, 9.0}));
}

TEST(Csv, AByteOrderMarkBeforeAHeaderIsNotInTheFirstName)
{
  const auto s = read("bom_header.csv", "\xEF\xBB\xBFx1,x2,y\n1,2,3\n4,5,6\n7,8,9\n");
  ASSERT_EQ(s.count, 3);
  EXPECT_EQ(s.input_names, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(s.target_names, (std::vector<std::string>{"y"}));
  EXPECT_EQ(s.x, (std::vector<double>{1, 2, 4, 5, 7, 8}));
}

TEST(Csv, APlusThatIsNotANumberIsRefused)
{
  const auto path = write_file("plusplus.csv", "a,b,c\n++1,2,3\n");
  EXPECT_THROW(tessera::nn::read_csv(path, 1), std::exception);
  std::filesystem::remove(path);
}
