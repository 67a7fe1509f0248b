// SPDX-License-Identifier: Apache-2.0
#include "output_lock.hpp"

#include <cerrno>
#include <chrono>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera {

namespace {

std::string holder_description(const std::string& driver)
{
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char when[64] = {};
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  return fmt::format("tessera-{}, pid {} on {}, started {}", driver, ::getpid(), host, when);
}

std::string read_all(int fd)
{
  std::string text;
  char buffer[512];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0'))
    text.pop_back();
  return text;
}

} // namespace

OutputLock::OutputLock(const Comm& comm, const std::filesystem::path& dir, const std::string& driver)
{
  std::string refusal;
  int in_use = 0; // 1: another run holds it (bad input); else an I/O failure
  if (comm.is_root()) {
    const auto path = lock_file(dir);
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      refusal = fmt::format("{}: cannot create the lock file of the output directory", path.string());
    } else if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      const auto holder = read_all(fd_);
      ::close(fd_);
      fd_ = -1;
      in_use = error == EWOULDBLOCK ? 1 : 0;
      refusal = in_use ? fmt::format("{}: the output directory is in use by another run ({}); wait for it to end or "
                                     "choose another --output",
                                     dir.string(), holder.empty() ? "no details" : holder)
                       : fmt::format("{}: cannot lock the output directory", dir.string());
    } else {
      const auto text = holder_description(driver) + "\n";
      if (::ftruncate(fd_, 0) == 0 && ::write(fd_, text.data(), text.size()) >= 0) ::fsync(fd_);
    }
  }
  refusal = comm.broadcast(refusal);
  comm.broadcast(&in_use, 1);
  if (refusal.empty()) return;
  if (in_use) throw InputError(refusal);
  throw IoError(refusal);
}

OutputLock::~OutputLock()
{
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

} // namespace tessera
