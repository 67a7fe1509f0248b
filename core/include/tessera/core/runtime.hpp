// SPDX-License-Identifier: Apache-2.0
#pragma once
// Start-up and shut-down of MPI and Kokkos (RAII), the banner, and the stop flag that
// SIGTERM/SIGINT/SIGUSR1 raise (batch schedulers send SIGTERM before the wall-clock limit; drivers
// poll stop_requested() between steps, write a final checkpoint and exit cleanly).

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"

namespace tessera {

class Runtime {
public:
  // Initialises MPI (also without mpiexec) and Kokkos where they are not running yet;
  // Kokkos consumes its --kokkos-* flags (not --help). The destructor ends only what this
  // Runtime started, so an app may start MPI or Kokkos itself (e.g. Kokkos::ScopeGuard
  // around the Runtime) and use other Kokkos libraries beside Tessera.
  Runtime(int& argc, char**& argv);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Comm& world() const { return *world_; }
  // A duplicate of the world communicator used only to agree on how a failed run ends
  // (see run_driver), so that it can never match a collective of the computation.
  MPI_Comm error_agreement() const { return error_agreement_; }

  // Backend, device, Kokkos version, ranks and threads, in a few lines.
  std::string banner() const;
  // The same facts as JSON, for summaries and result files.
  nlohmann::json description() const;

private:
  static void initialize_kokkos(int& argc, char**& argv);

  bool owns_mpi_ = false;
  bool owns_kokkos_ = false;
  std::unique_ptr<Comm> world_;
  MPI_Comm error_agreement_ = MPI_COMM_NULL;
};

// Kokkos' version as "5.2.2".
std::string kokkos_version();
// The GPU (or CPU) the kernels run on, e.g. "NVIDIA H100 80GB HBM3" or "host (16 threads)".
std::string device_name();
// Bytes of memory the kernels' memory space has free now (GPU memory on CUDA, physical
// memory on hosts): drivers check problem sizes against it before allocating.
std::size_t available_memory_bytes();
// Refuses a problem too large for the memory before anything is allocated: when this rank's
// estimate `bytes_per_rank` exceeds 90% of available_memory_bytes() on any rank, throws
// InputError (exit 2) on every rank with one line, "<what> needs about X GiB per rank, more
// than the Y GiB free; <advice>" (X the largest estimate, Y the least free memory over the
// ranks). Collective.
void check_memory(const Comm& comm, double bytes_per_rank, const std::string& what, const std::string& advice);
// The git commit the build was configured from ("unknown" outside a checkout).
std::string build_commit();
// Tessera's version, "0.1.0" (TESSERA_VERSION_STRING of tessera/version.hpp).
std::string version();

// SIGTERM/SIGINT/SIGUSR1 handling: after install_stop_handlers(), the first signal sets the
// flag (the run stops after its current unit of work with a checkpoint); a second SIGINT
// ends the process at once (the shell's usual Ctrl-C Ctrl-C).
void install_stop_handlers();
bool stop_requested();
int stop_signal();             // the signal that set the flag, 0 if none
void request_stop(int signal); // for tests

} // namespace tessera
