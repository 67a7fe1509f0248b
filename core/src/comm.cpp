// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/comm.hpp"

#include <algorithm>

#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h>
#endif

#include "tessera/core/errors.hpp"

namespace tessera {

namespace {

bool library_is_gpu_aware()
{
#if defined(KOKKOS_ENABLE_CUDA) && defined(MPIX_CUDA_AWARE_SUPPORT) && MPIX_CUDA_AWARE_SUPPORT
  return MPIX_Query_cuda_support() == 1;
#else
  return false;
#endif
}

bool detect_gpu_aware()
{
  if (const char* env = std::getenv("TESSERA_GPU_AWARE_MPI")) {
    const std::string_view value(env);
    if (value == "0" || value == "1") return value == "1";
    throw InputError(fmt::format("environment TESSERA_GPU_AWARE_MPI='{}': expected 0 or 1", value));
  }
  return library_is_gpu_aware();
}

} // namespace

Comm::Comm(MPI_Comm comm) : comm_(comm)
{
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  gpu_aware_ = device_is_host ? true : detect_gpu_aware();
}

void Comm::barrier() const
{
  MPI_Barrier(comm_);
}

BlockRange block_range(std::int64_t n, int rank, int ranks)
{
  const std::int64_t base = n / ranks, extra = n % ranks;
  return {rank * base + std::min<std::int64_t>(rank, extra), base + (rank < extra ? 1 : 0)};
}

std::int64_t Comm::exclusive_sum(std::int64_t x) const
{
  std::int64_t out = 0;
  MPI_Exscan(&x, &out, 1, MPI_INT64_T, MPI_SUM, comm_);
  return rank_ == 0 ? 0 : out;
}

std::string Comm::broadcast(const std::string& text, int root) const
{
  std::int64_t n = static_cast<std::int64_t>(text.size());
  broadcast(&n, 1, root);
  std::string out = rank_ == root ? text : std::string(static_cast<std::size_t>(n), '\0');
  if (n > 0) MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, root, comm_);
  return out;
}

void Comm::throw_size_mismatch(std::size_t a, std::size_t b)
{
  throw Error(ExitCode::failure, fmt::format("Comm: send and receive buffers differ in size ({} vs {})", a, b));
}

void Comm::throw_not_contiguous()
{
  throw Error(ExitCode::failure, "Comm: MPI needs a contiguous View");
}

} // namespace tessera
