// SPDX-License-Identifier: Apache-2.0
#pragma once
// Execution and memory spaces, and the View aliases every module uses. The backend is a
// build decision (TESSERA_BACKEND, see CMakeLists.txt); physics code names only these.

#include <string>
#include <vector>

#include <Kokkos_Core.hpp>

namespace tessera {

#if defined(TESSERA_BACKEND_SERIAL)
using ExecSpace = Kokkos::Serial;
#elif defined(TESSERA_BACKEND_OPENMP)
using ExecSpace = Kokkos::OpenMP;
#elif defined(TESSERA_BACKEND_CUDA)
using ExecSpace = Kokkos::Cuda;
#else
using ExecSpace = Kokkos::DefaultExecutionSpace;
#endif

using MemSpace = ExecSpace::memory_space;
using HostSpace = Kokkos::HostSpace;
using HostExecSpace = Kokkos::DefaultHostExecutionSpace;
using ScratchSpace = ExecSpace::scratch_memory_space;

// Device Views (in MemSpace) and host Views, with the layout Kokkos prefers for the space.
template <class DataType, class... Props>
using View = Kokkos::View<DataType, MemSpace, Props...>;
template <class DataType, class... Props>
using HostView = Kokkos::View<DataType, HostSpace, Props...>;
// Row-major Views: the layout of files and of MPI buffers, whatever the backend.
template <class DataType>
using ViewRight = Kokkos::View<DataType, Kokkos::LayoutRight, MemSpace>;
template <class DataType>
using HostViewRight = Kokkos::View<DataType, Kokkos::LayoutRight, HostSpace>;
// Unmanaged Views in a team's scratch memory (see tiles.hpp).
template <class DataType>
using ScratchView = Kokkos::View<DataType, ScratchSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

using TeamPolicy = Kokkos::TeamPolicy<ExecSpace>;
using TeamMember = TeamPolicy::member_type;

// True when device memory is the host's (no copies needed between the two).
inline constexpr bool device_is_host = Kokkos::SpaceAccessibility<HostSpace, MemSpace>::accessible;

// The View's data readable on the host: a copy from device memory, but the View itself when
// it is already host-accessible (so it aliases: use host_copy() to keep a snapshot).
template <class V>
auto to_host(const V& view)
{
  return Kokkos::create_mirror_view_and_copy(HostSpace{}, view);
}

// A device View (label `label`) holding a copy of `items`: tables built on the host (index
// maps, plans) for kernels to read.
template <class T>
View<T*> to_device(const std::vector<T>& items, const std::string& label)
{
  View<T*> out(label, items.size());
  auto host = Kokkos::create_mirror_view(out);
  for (std::size_t i = 0; i < items.size(); ++i)
    host(i) = items[i];
  Kokkos::deep_copy(out, host);
  return out;
}

// A host copy that never aliases the View.
template <class V>
auto host_copy(const V& view)
{
  auto copy = Kokkos::create_mirror(HostSpace{}, view);
  Kokkos::deep_copy(copy, view);
  return copy;
}

// The row-major layout with the extents of `view` (to make a LayoutRight copy of any View).
template <class V>
Kokkos::LayoutRight layout_right_of(const V& view)
{
  Kokkos::LayoutRight layout; // unused ranks keep Kokkos' "no extent" marker
  for (unsigned r = 0; r < V::rank(); ++r)
    layout.dimension[r] = view.extent(r);
  return layout;
}

// "Serial", "OpenMP", "Cuda": the backend in words, for banners and result files.
inline const char* backend_name()
{
  return ExecSpace::name();
}

} // namespace tessera
