// SPDX-License-Identifier: Apache-2.0
#include "tessera/core/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/spaces.hpp"
#include "tessera/version.hpp"

#if defined(KOKKOS_ENABLE_CUDA)
#include <cuda_runtime.h>
#endif

#ifndef TESSERA_GIT_COMMIT
#define TESSERA_GIT_COMMIT "unknown"
#endif

namespace tessera {

namespace log {
Context& context()
{
  static Context c;
  return c;
}

void to_run_log(const std::string& line)
{
  auto& c = context();
  if (c.run_log == nullptr) return;
  std::fputs(line.c_str(), c.run_log);
  std::fputc('\n', c.run_log);
  std::fflush(c.run_log);
}

bool open_run_log(const std::string& path, bool append)
{
  auto& c = context();
  if (c.rank != 0) return true;
  close_run_log();
  c.run_log = std::fopen(path.c_str(), append ? "a" : "w");
  return c.run_log != nullptr;
}

void close_run_log()
{
  auto& c = context();
  if (c.run_log) std::fclose(c.run_log);
  c.run_log = nullptr;
}
} // namespace log

namespace {
std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int signal)
{
  if (g_stop_signal.load() != 0 && signal == SIGINT) {
    std::_Exit(128 + signal);
  }
  g_stop_signal.store(signal);
}
} // namespace

void install_stop_handlers()
{
  struct sigaction action{};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  // OpenMPI's mpiexec forwards SIGUSR1 to every rank and lets them finish, while SIGTERM and
  // SIGINT sent to it end the job within a second (docs/core.md, "Stopping a run").
  sigaction(SIGUSR1, &action, nullptr);
}
bool stop_requested()
{
  return g_stop_signal.load() != 0;
}
int stop_signal()
{
  return g_stop_signal.load();
}
void request_stop(int signal)
{
  g_stop_signal.store(signal);
}

std::string kokkos_version()
{
  return fmt::format("{}.{}.{}", KOKKOS_VERSION_MAJOR, KOKKOS_VERSION_MINOR, KOKKOS_VERSION_PATCH);
}

std::string build_commit()
{
  return TESSERA_GIT_COMMIT;
}

std::string version()
{
  return TESSERA_VERSION_STRING;
}

std::string device_name()
{
#if defined(KOKKOS_ENABLE_CUDA)
  if constexpr (std::is_same_v<ExecSpace, Kokkos::Cuda>) {
    cudaDeviceProp prop{};
    int device = ExecSpace().cuda_device();
    if (cudaGetDeviceProperties(&prop, device) == cudaSuccess) {
      return fmt::format("{} ({:.0f} GiB, device {})", prop.name, prop.totalGlobalMem / 1073741824.0, device);
    }
  }
#endif
  return fmt::format("host ({} threads)", ExecSpace().concurrency());
}

std::size_t available_memory_bytes()
{
#if defined(KOKKOS_ENABLE_CUDA)
  if constexpr (std::is_same_v<ExecSpace, Kokkos::Cuda>) {
    std::size_t free_bytes = 0, total_bytes = 0;
    if (cudaMemGetInfo(&free_bytes, &total_bytes) == cudaSuccess) return free_bytes;
  }
#endif
  const long pages = ::sysconf(_SC_AVPHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<std::size_t>(pages) * static_cast<std::size_t>(page_size)
                                    : std::numeric_limits<std::size_t>::max();
}

void check_memory(const Comm& comm, double bytes_per_rank, const std::string& what, const std::string& advice)
{
  const double available = static_cast<double>(available_memory_bytes());
  if (comm.any(bytes_per_rank > 0.9 * available)) {
    constexpr double gib = 1073741824.0;
    throw InputError(fmt::format("{} needs about {:.1f} GiB per rank, more than the {:.1f} GiB free; {}", what,
                                 comm.max(bytes_per_rank) / gib, comm.min(available) / gib, advice));
  }
}

Runtime::Runtime(int& argc, char**& argv)
{
  hdf5_library_start();
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    owns_mpi_ = true;
  }
  world_ = std::make_unique<Comm>(MPI_COMM_WORLD);
  MPI_Comm_dup(MPI_COMM_WORLD, &error_agreement_);
  log::context().rank = world_->rank();
  log::context().size = world_->size();
  if (!Kokkos::is_initialized() && !Kokkos::is_finalized()) {
    initialize_kokkos(argc, argv);
    owns_kokkos_ = true;
  }
}

// Kokkos answers --help with its own fifty lines; the app's help comes first, Kokkos' only
// under --kokkos-help. Kokkos removes the --kokkos-* arguments it consumed; so does argv.
void Runtime::initialize_kokkos(int& argc, char**& argv)
{
  const auto is_help = [](const char* arg) { return std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0; };
  std::vector<char*> kokkos_argv;
  for (int i = 0; i < argc; ++i)
    if (!is_help(argv[i])) kokkos_argv.push_back(argv[i]);
  int kokkos_argc = static_cast<int>(kokkos_argv.size());
  kokkos_argv.push_back(nullptr);
  char** kokkos_args = kokkos_argv.data();
  const bool kokkos_help =
      std::any_of(argv, argv + argc, [](const char* arg) { return std::strcmp(arg, "--kokkos-help") == 0; });
  Kokkos::initialize(kokkos_argc, kokkos_args);
  if (kokkos_help) {
    // Kokkos 5 exits after printing its help; Kokkos 4 prints it and goes on, and the program
    // then ran as if nothing had been asked (the default deck: 165 s of tessera-amr on an
    // H100). End here on both, as after --help.
    Kokkos::finalize();
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Finalize(); // the process ends: MPI must be finalized, whoever started it
    std::exit(0);
  }
  const std::set<const char*> kept(kokkos_args, kokkos_args + kokkos_argc);
  int remaining = 0;
  for (int i = 0; i < argc; ++i)
    if (kept.count(argv[i]) > 0 || is_help(argv[i])) argv[remaining++] = argv[i];
  argc = remaining;
  argv[argc] = nullptr;
}

Runtime::~Runtime()
{
  log::close_run_log();
  world_.reset();
  int finalized_before = 0;
  MPI_Finalized(&finalized_before);
  if (error_agreement_ != MPI_COMM_NULL && !finalized_before) MPI_Comm_free(&error_agreement_);
  hdf5_library_end(); // before MPI_Finalize: parallel HDF5 frees MPI objects
  // Only what this Runtime started: an app that started Kokkos or MPI itself ends them itself.
  if (owns_kokkos_ && Kokkos::is_initialized() && !Kokkos::is_finalized()) Kokkos::finalize();
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_mpi_ && !finalized) MPI_Finalize();
}

nlohmann::json Runtime::description() const
{
  return {{"backend", backend_name()},
          {"device", device_name()},
          {"kokkos_version", kokkos_version()},
          {"mpi_ranks", world_->size()},
          {"host_threads", HostExecSpace().concurrency()},
          // Device memory that is host memory has nothing for MPI to be GPU-aware about.
          {"gpu_aware_mpi", !device_is_host && world_->gpu_aware()},
          {"tessera_version", version()},
          {"commit", build_commit()}};
}

std::string Runtime::banner() const
{
  return fmt::format(
      "Tessera {} ({}) | backend {} on {} | Kokkos {} | {} MPI rank{}{} | {} host threads per rank", version(),
      build_commit(), backend_name(), device_name(), kokkos_version(), world_->size(), world_->size() == 1 ? "" : "s",
      (!device_is_host && world_->size() > 1) ? (world_->gpu_aware() ? " (GPU-aware)" : " (host-staged)") : "",
      HostExecSpace().concurrency());
}

} // namespace tessera
