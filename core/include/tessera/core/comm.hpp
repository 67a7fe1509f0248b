// SPDX-License-Identifier: Apache-2.0
#pragma once
// The MPI layer: rank and size, reductions of scalars and Views, a ring shift of device
// buffers. Works with one rank and without mpiexec (MPI singleton start). Device buffers go
// to MPI directly when the library is GPU-aware and are staged through host memory when
// not; that choice is made here once (see gpu_aware()).

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <mpi.h>

#include "tessera/core/spaces.hpp"

namespace tessera {

template <class T>
MPI_Datatype mpi_type()
{
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, double>)
    return MPI_DOUBLE;
  else if constexpr (std::is_same_v<U, float>)
    return MPI_FLOAT;
  else if constexpr (std::is_same_v<U, long double>)
    return MPI_LONG_DOUBLE;
  else if constexpr (std::is_same_v<U, bool>)
    return MPI_CXX_BOOL;
  else if constexpr (std::is_same_v<U, char>)
    return MPI_CHAR;
  else if constexpr (std::is_same_v<U, unsigned char>)
    return MPI_UNSIGNED_CHAR;
  // Every other integer by its width and sign (int, long, long long, std::int64_t, Index and
  // std::size_t alike, whichever of them the platform's fixed-width types are).
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 4)
    return std::is_signed_v<U> ? MPI_INT32_T : MPI_UINT32_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 8)
    return std::is_signed_v<U> ? MPI_INT64_T : MPI_UINT64_T;
  else if constexpr (std::is_integral_v<U> && sizeof(U) == 2)
    return std::is_signed_v<U> ? MPI_INT16_T : MPI_UINT16_T;
  else
    static_assert(sizeof(U) == 0, "mpi_type: no MPI datatype for this type");
}

// Rank r's share of n items split into contiguous blocks, the first n % ranks ranks holding
// one more: items [first, first + count).
struct BlockRange {
  std::int64_t first = 0, count = 0;
};
BlockRange block_range(std::int64_t n, int rank, int ranks);

class Comm {
public:
  explicit Comm(MPI_Comm comm = MPI_COMM_WORLD);

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  MPI_Comm native() const { return comm_; }
  void barrier() const;

  // Whether device buffers may be handed to MPI (always true when device memory is host
  // memory). TESSERA_GPU_AWARE_MPI=0/1 overrides the library's own answer.
  bool gpu_aware() const { return gpu_aware_; }

  template <class T>
  T sum(T x) const
  {
    return allreduce(x, MPI_SUM);
  }
  template <class T>
  T min(T x) const
  {
    return allreduce(x, MPI_MIN);
  }
  template <class T>
  T max(T x) const
  {
    return allreduce(x, MPI_MAX);
  }
  bool any(bool x) const { return allreduce(static_cast<int>(x), MPI_MAX) != 0; }
  // Bitwise or of flags over the ranks (several yes/no agreements in one collective).
  std::uint32_t bitwise_or(std::uint32_t x) const { return allreduce(x, MPI_BOR); }

  // Sum over ranks of the ranks before this one (0 on rank 0): offsets of distributed data.
  std::int64_t exclusive_sum(std::int64_t x) const;
  template <class T>
  std::vector<T> all_gather(T x) const
  {
    std::vector<T> out(size_);
    MPI_Allgather(&x, 1, mpi_type<T>(), out.data(), 1, mpi_type<T>(), comm_);
    return out;
  }
  template <class T>
  void broadcast(T* data, int count, int root = 0) const
  {
    MPI_Bcast(data, count, mpi_type<T>(), root, comm_);
  }
  std::string broadcast(const std::string& text, int root = 0) const;

  // Every rank's items, concatenated in rank order (ranks may contribute different counts).
  template <class T>
  std::vector<T> all_gather_v(const std::vector<T>& mine) const
  {
    const auto counts = all_gather(static_cast<int>(mine.size()));
    std::vector<int> offsets(counts.size(), 0);
    for (std::size_t r = 1; r < counts.size(); ++r)
      offsets[r] = offsets[r - 1] + counts[r - 1];
    std::vector<T> out(static_cast<std::size_t>(offsets.back() + counts.back()));
    MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), mpi_type<T>(), out.data(), counts.data(), offsets.data(),
                   mpi_type<T>(), comm_);
    return out;
  }

  // Personalised all-to-all of host vectors: to[r] goes to rank r; returns what each rank
  // sent to this one. For plans built once (who needs what), not for bulk data.
  template <class T>
  std::vector<std::vector<T>> all_to_all(const std::vector<std::vector<T>>& to) const
  {
    std::vector<int> send_counts(size_), recv_counts(size_), send_offsets(size_), recv_offsets(size_);
    std::vector<T> send;
    for (int r = 0; r < size_; ++r) {
      const auto& items = to.at(static_cast<std::size_t>(r));
      send_offsets[r] = static_cast<int>(send.size());
      send_counts[r] = static_cast<int>(items.size());
      send.insert(send.end(), items.begin(), items.end());
    }
    MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm_);
    int total = 0;
    for (int r = 0; r < size_; ++r)
      recv_offsets[r] = total, total += recv_counts[r];
    std::vector<T> recv(static_cast<std::size_t>(total));
    MPI_Alltoallv(send.data(), send_counts.data(), send_offsets.data(), mpi_type<T>(), recv.data(), recv_counts.data(),
                  recv_offsets.data(), mpi_type<T>(), comm_);
    std::vector<std::vector<T>> out(static_cast<std::size_t>(size_));
    for (int r = 0; r < size_; ++r)
      out[static_cast<std::size_t>(r)].assign(recv.begin() + recv_offsets[r],
                                              recv.begin() + recv_offsets[r] + recv_counts[r]);
    return out;
  }

  // A part of a buffer exchanged with one rank: [offset, offset + count) elements.
  struct Segment {
    int rank = 0;
    std::size_t offset = 0, count = 0;
  };

  // Sparse neighbour exchange: each segment of `send` goes to its rank while each segment of
  // `recv` is received from its rank (both sides know the sizes). Device buffers are staged
  // through the host when MPI is not GPU-aware.
  template <class V>
  void exchange(const V& send, const std::vector<Segment>& sends, const V& recv,
                const std::vector<Segment>& recvs) const
  {
    static_assert(Kokkos::is_view_v<V> && V::rank == 1);
    using T = typename V::non_const_value_type;
    ExecSpace().fence("tessera::Comm::exchange");
    const bool direct = gpu_aware_ || device_is_host || !std::is_same_v<typename V::memory_space, MemSpace>;
    decltype(Kokkos::create_mirror_view(HostSpace{}, send)) send_host, recv_host;
    if (!direct) {
      send_host = Kokkos::create_mirror_view_and_copy(HostSpace{}, send);
      recv_host = Kokkos::create_mirror_view(HostSpace{}, recv);
    }
    T* send_data = direct ? send.data() : send_host.data();
    T* recv_data = direct ? recv.data() : recv_host.data();
    std::vector<MPI_Request> requests;
    requests.reserve(sends.size() + recvs.size());
    for (const auto& s : recvs)
      MPI_Irecv(recv_data + s.offset, static_cast<int>(s.count), mpi_type<T>(), s.rank, 0, comm_,
                &requests.emplace_back());
    for (const auto& s : sends)
      MPI_Isend(send_data + s.offset, static_cast<int>(s.count), mpi_type<T>(), s.rank, 0, comm_,
                &requests.emplace_back());
    MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE);
    if (!direct) Kokkos::deep_copy(recv, recv_host);
  }

  // In-place element-wise sum of a contiguous View over all ranks (device or host).
  template <class V>
  void sum_in_place(const V& view) const
  {
    static_assert(Kokkos::is_view_v<V>);
    with_mpi_access(view, [&](auto* data, std::size_t n) {
      MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), mpi_type<typename V::value_type>(), MPI_SUM, comm_);
    });
  }

  // Sends `send` to rank + shift and receives `recv` from rank - shift (periodic): one step
  // of a ring. send and recv must have the same size and be different Views.
  template <class V>
  void ring_shift(const V& send, const V& recv, int shift = 1) const
  {
    const int dest = ((rank_ + shift) % size_ + size_) % size_;
    const int source = ((rank_ - shift) % size_ + size_) % size_;
    sendrecv(send, dest, recv, source);
  }

  // One paired exchange: send to `dest` while receiving from `source` (MPI_PROC_NULL for
  // none; then the receive View is left as it is).
  template <class V>
  void sendrecv(const V& send, int dest, const V& recv, int source, int tag = 0) const
  {
    static_assert(Kokkos::is_view_v<V>);
    using T = typename V::value_type;
    if (send.span() != recv.span()) throw_size_mismatch(send.span(), recv.span());
    if (dest == rank_ && source == rank_) {
      Kokkos::deep_copy(ExecSpace(), recv, send); // to itself (periodic, one rank on an axis): no MPI
      return;
    }
    ExecSpace().fence("tessera::Comm::sendrecv");
    if (gpu_aware_ || device_is_host || !std::is_same_v<typename V::memory_space, MemSpace>) {
      MPI_Sendrecv(send.data(), static_cast<int>(send.span()), mpi_type<T>(), dest, tag, recv.data(),
                   static_cast<int>(recv.span()), mpi_type<T>(), source, tag, comm_, MPI_STATUS_IGNORE);
      return;
    }
    auto send_host = Kokkos::create_mirror_view_and_copy(HostSpace{}, send);
    auto recv_host = Kokkos::create_mirror_view(HostSpace{}, recv);
    MPI_Sendrecv(send_host.data(), static_cast<int>(send.span()), mpi_type<T>(), dest, tag, recv_host.data(),
                 static_cast<int>(recv.span()), mpi_type<T>(), source, tag, comm_, MPI_STATUS_IGNORE);
    if (source != MPI_PROC_NULL) Kokkos::deep_copy(recv, recv_host);
  }

private:
  template <class T>
  T allreduce(T x, MPI_Op op) const
  {
    T out{};
    MPI_Allreduce(&x, &out, 1, mpi_type<T>(), op, comm_);
    return out;
  }

  // Calls f(pointer, count) on memory MPI may touch, staging device data through the host
  // when MPI is not GPU-aware, and copying back afterwards.
  template <class V, class F>
  void with_mpi_access(const V& view, const F& f) const
  {
    if (!view.span_is_contiguous()) throw_not_contiguous();
    ExecSpace().fence("tessera::Comm::with_mpi_access");
    if (gpu_aware_ || device_is_host || !std::is_same_v<typename V::memory_space, MemSpace>) {
      f(view.data(), view.span());
      return;
    }
    auto host = Kokkos::create_mirror_view_and_copy(HostSpace{}, view);
    f(host.data(), host.span());
    Kokkos::deep_copy(view, host);
  }

  [[noreturn]] static void throw_size_mismatch(std::size_t a, std::size_t b);
  [[noreturn]] static void throw_not_contiguous();

  MPI_Comm comm_;
  int rank_ = 0;
  int size_ = 1;
  bool gpu_aware_ = false;
};

} // namespace tessera
