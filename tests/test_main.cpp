// SPDX-License-Identifier: Apache-2.0
// main() of every test executable: MPI and Kokkos up for the whole run. Rank 0 prints the
// usual GoogleTest report; other ranks print only their failures (so 2-rank output stays
// readable and a failure on any rank still shows), and all ranks agree on the exit code.
#include <cstdio>

#include <gtest/gtest.h>

#include "tessera/core/runtime.hpp"

namespace {
class FailuresOnly : public ::testing::EmptyTestEventListener {
public:
  explicit FailuresOnly(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& result) override
  {
    if (result.failed()) {
      std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_, result.file_name() ? result.file_name() : "?",
                   result.line_number(), result.summary());
    }
  }

private:
  int rank_;
};
} // namespace

int main(int argc, char** argv)
{
  tessera::Runtime runtime(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  const int rank = runtime.world().rank();
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new FailuresOnly(rank));
  }
  const int failed = RUN_ALL_TESTS();
  return runtime.world().max(failed);
}
