// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/cart.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/errors.hpp"

namespace tessera {

CartComm::CartComm(const Comm& parent, std::vector<int> dims, std::vector<bool> periodic)
    : comm_(parent.native()), dims_(std::move(dims))
{
  const int n = static_cast<int>(dims_.size());
  if (n < 1 || static_cast<int>(periodic.size()) != n) {
    throw Error(ExitCode::failure, "CartComm: dims and periodic must have the same, non-zero length");
  }
  int fixed = 1;
  for (int d : dims_) {
    if (d < 0) throw InputError(fmt::format("rank grid {}: negative entry", fmt::join(dims_, "x")));
    if (d > 0) fixed *= d;
  }
  if (parent.size() % fixed != 0) {
    throw InputError(fmt::format("rank grid {} does not fit {} MPI ranks", fmt::join(dims_, "x"), parent.size()));
  }
  MPI_Dims_create(parent.size(), n, dims_.data());
  std::vector<int> periods(n);
  for (int d = 0; d < n; ++d)
    periods[d] = periodic[d] ? 1 : 0;
  MPI_Cart_create(parent.native(), n, dims_.data(), periods.data(), 0, &cart_);
  comm_ = Comm(cart_);
  coords_.resize(n);
  MPI_Cart_coords(cart_, comm_.rank(), n, coords_.data());
  lower_.resize(n);
  upper_.resize(n);
  for (int d = 0; d < n; ++d)
    MPI_Cart_shift(cart_, d, 1, &lower_[d], &upper_[d]);
}

CartComm::~CartComm()
{
  if (cart_ != MPI_COMM_NULL) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&cart_);
  }
}

Index local_extent(Index global, int ranks, const char* what)
{
  if (ranks <= 0 || global % ranks != 0) {
    throw InputError(fmt::format("{} = {} is not divisible by the {} ranks along that axis", what, global, ranks));
  }
  return global / ranks;
}

} // namespace tessera
