// SPDX-License-Identifier: Apache-2.0
#pragma once
// A Cartesian decomposition of the ranks (MPI_Cart_create) and the halo exchange of device
// buffers along its axes. Modules pack their own faces (a 4-D lattice, a set of AMR blocks)
// and call exchange(); HaloExchange / halo_exchange() do the whole job for a 2-D or 3-D field
// with ghost layers.

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/core/loops.hpp"

namespace tessera {

class CartComm {
public:
  // dims[d] = 0 lets MPI choose; the product of the others must divide the number of ranks.
  // Throws InputError when the given rank grid does not match the number of ranks.
  CartComm(const Comm& parent, std::vector<int> dims, std::vector<bool> periodic);
  ~CartComm();
  CartComm(const CartComm&) = delete;
  CartComm& operator=(const CartComm&) = delete;

  const Comm& comm() const { return comm_; }
  int ndims() const { return static_cast<int>(dims_.size()); }
  const std::vector<int>& dims() const { return dims_; }
  const std::vector<int>& coords() const { return coords_; }
  // Rank of the neighbour one step along `dim` in direction -1 or +1 (MPI_PROC_NULL past a
  // non-periodic edge).
  int neighbour(int dim, int direction) const { return direction < 0 ? lower_[dim] : upper_[dim]; }

  // Exchange along `dim`: send_lower goes to the lower neighbour, which puts it into its
  // recv_upper; likewise upwards. Receive buffers past a non-periodic edge are untouched.
  template <class V>
  void exchange(int dim, const V& send_lower, const V& send_upper, const V& recv_lower, const V& recv_upper) const
  {
    comm_.sendrecv(send_lower, neighbour(dim, -1), recv_upper, neighbour(dim, +1), 2 * dim);
    comm_.sendrecv(send_upper, neighbour(dim, +1), recv_lower, neighbour(dim, -1), 2 * dim + 1);
  }

private:
  MPI_Comm cart_ = MPI_COMM_NULL;
  Comm comm_;
  std::vector<int> dims_, coords_, lower_, upper_;
};

// Splits a global extent over the ranks along one axis; throws InputError naming `what` when
// it does not divide evenly.
Index local_extent(Index global, int ranks, const char* what);

namespace detail {
// (i, j, k) with `shift` added along `dim`.
KOKKOS_INLINE_FUNCTION Kokkos::Array<Index, 3> shifted(Index i, Index j, Index k, int dim, Index shift)
{
  Kokkos::Array<Index, 3> idx{i, j, k};
  idx[dim] += shift;
  return idx;
}

// The kernels of HaloExchange (free functions: CUDA forbids device lambdas in private
// member functions). The face is g cells thick along dim and spans the full,
// ghost-included extents of the other two axes; n numbers its cells row-major.
template <class Field, class Buffer>
void pack_faces(const Field& field, int dim, Index g, const std::array<Index, 3>& face, const Buffer& send_lower,
                const Buffer& send_upper)
{
  const Index interior_upper = static_cast<Index>(field.extent(dim)) - 2 * g; // first cell the upper neighbour needs
  const Index face1 = face[1], face2 = face[2];
  par_for_md<3>(
      "tessera::halo_exchange::pack", {0, 0, 0}, {face[0], face[1], face[2]}, KOKKOS_LAMBDA(Index i, Index j, Index k) {
        const Index n = (i * face1 + j) * face2 + k;
        const auto lo = shifted(i, j, k, dim, g);
        const auto hi = shifted(i, j, k, dim, interior_upper);
        send_lower(n) = field(lo[0], lo[1], lo[2]);
        send_upper(n) = field(hi[0], hi[1], hi[2]);
      });
}

template <class Field, class Buffer>
void unpack_faces(const Field& field, int dim, Index g, const std::array<Index, 3>& face, const Buffer& recv_lower,
                  const Buffer& recv_upper, bool fill_lower, bool fill_upper)
{
  const Index ghost_upper = static_cast<Index>(field.extent(dim)) - g;
  const Index face1 = face[1], face2 = face[2];
  par_for_md<3>(
      "tessera::halo_exchange::unpack", {0, 0, 0}, {face[0], face[1], face[2]},
      KOKKOS_LAMBDA(Index i, Index j, Index k) {
        const Index n = (i * face1 + j) * face2 + k;
        if (fill_lower) {
          const auto lo = shifted(i, j, k, dim, 0);
          field(lo[0], lo[1], lo[2]) = recv_lower(n);
        }
        if (fill_upper) {
          const auto hi = shifted(i, j, k, dim, ghost_upper);
          field(hi[0], hi[1], hi[2]) = recv_upper(n);
        }
      });
}
} // namespace detail

// Fills the ghost layers (width `ghost`) of 2-D or 3-D LayoutRight fields whose extents are
// (n0 + 2g, n1 + 2g[, n2 + 2g]), from the neighbours along the first Rank axes of a
// CartComm. Axes are done one after another, each including the ghosts of the axes before
// it, so edges and corners are filled too. Ghosts past a non-periodic edge are left as they
// are (physical boundaries). The face buffers are allocated once, when the exchange is made,
// not at every call.
//
//   CartComm cart(comm, {0, 0}, {true, true});                  // a 2-D rank grid
//   HaloExchange<double, 2> halo(cart, {nx + 2, ny + 2}, 1);    // one ghost layer
//   halo(field);                                                // ViewRight<double**>
template <class T, int Rank>
class HaloExchange {
  static_assert(Rank == 2 || Rank == 3, "HaloExchange: 2-D or 3-D fields");

public:
  using Field = std::conditional_t<Rank == 2, ViewRight<T**>, ViewRight<T***>>;

  HaloExchange(const CartComm& cart, const std::array<Index, Rank>& extent, int ghost) : cart_(&cart), ghost_(ghost)
  {
    static_assert(std::is_trivially_copyable_v<T>);
    if (cart.ndims() < Rank)
      throw std::invalid_argument("HaloExchange: a " + std::to_string(Rank) + "-D field needs a CartComm of at least " +
                                  std::to_string(Rank) + " axes");
    for (int dim = 0; dim < Rank; ++dim)
      extent_[dim] = extent[dim];
    Index largest = 0;
    for (int dim = 0; dim < Rank; ++dim)
      largest = std::max(largest, face_size(dim));
    for (auto& buffer : buffers_)
      buffer = View<T*>("tessera::halo::buffer", largest);
  }

  void operator()(const Field& field) const
  {
    // A 2-D field is the 3-D one of extent 1 along the last axis (the same LayoutRight memory).
    const Kokkos::View<T***, Kokkos::LayoutRight, MemSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>> cells(
        field.data(), field.extent(0), field.extent(1), Rank == 3 ? field.extent(Rank - 1) : 1);
    for (int dim = 0; dim < Rank; ++dim)
      exchange_axis(cells, dim);
  }

private:
  Index face_size(int dim) const
  {
    auto face = extent_;
    face[dim] = ghost_;
    return face[0] * face[1] * face[2];
  }

  template <class Cells>
  void exchange_axis(const Cells& cells, int dim) const
  {
    auto face = extent_;
    face[dim] = ghost_;
    const auto part = Kokkos::make_pair(Index{0}, face_size(dim));
    const auto send_lower = Kokkos::subview(buffers_[0], part), send_upper = Kokkos::subview(buffers_[1], part);
    const auto recv_lower = Kokkos::subview(buffers_[2], part), recv_upper = Kokkos::subview(buffers_[3], part);
    detail::pack_faces(cells, dim, ghost_, face, send_lower, send_upper);
    cart_->exchange(dim, send_lower, send_upper, recv_lower, recv_upper);
    detail::unpack_faces(cells, dim, ghost_, face, recv_lower, recv_upper, cart_->neighbour(dim, -1) != MPI_PROC_NULL,
                         cart_->neighbour(dim, +1) != MPI_PROC_NULL);
  }

  const CartComm* cart_;
  std::array<Index, 3> extent_{1, 1, 1};
  int ghost_;
  std::array<View<T*>, 4> buffers_; // send lower, send upper, receive lower, receive upper
};

template <class T>
using HaloExchange3D = HaloExchange<T, 3>;
template <class T>
using HaloExchange2D = HaloExchange<T, 2>;

// One exchange with buffers made for it: for occasional use (a time loop keeps a
// HaloExchange instead).
template <class T>
void halo_exchange(const CartComm& cart, const ViewRight<T***>& field, int ghost)
{
  HaloExchange3D<T>(
      cart,
      {static_cast<Index>(field.extent(0)), static_cast<Index>(field.extent(1)), static_cast<Index>(field.extent(2))},
      ghost)(field);
}
template <class T>
void halo_exchange(const CartComm& cart, const ViewRight<T**>& field, int ghost)
{
  HaloExchange2D<T>(cart, {static_cast<Index>(field.extent(0)), static_cast<Index>(field.extent(1))}, ghost)(field);
}

} // namespace tessera
