// SPDX-License-Identifier: Apache-2.0
#pragma once
// Logging through fmt: info and warnings from rank 0 only (a run on 1000 ranks prints each
// line once), errors from any rank, prefixed with the rank when there are several. While a
// run log is open (open_run_log: every driver's <output>/<name>.log), rank 0 also appends
// every line to it, flushed at once: the last lines of a run survive an MPI launcher that
// stops relaying output when it is signalled.

#include <cstdio>
#include <fmt/format.h>
#include <string>

namespace tessera::log {

struct Context {
  std::string program = "tessera"; // the prefix of warning and error lines (AppIdentity)
  int rank = 0;
  int size = 1;
  bool quiet = false;
  std::FILE* run_log = nullptr; // rank 0 while a run log is open
};
Context& context();

// Copies `line` (without its newline) into the run log, if one is open.
void to_run_log(const std::string& line);
// Opens <path> as the run log (rank 0; append: a restart continues the log of its run).
// Returns false when it cannot be opened (the run goes on without it).
bool open_run_log(const std::string& path, bool append);
void close_run_log();

template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args)
{
  if (context().rank == 0 && !context().quiet) {
    const auto line = fmt::format(format, std::forward<Args>(args)...);
    fmt::print(stdout, "{}\n", line);
    std::fflush(stdout);
    to_run_log(line);
  }
}

template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args)
{
  if (context().rank == 0) {
    const auto line = context().program + ": warning: " + fmt::format(format, std::forward<Args>(args)...);
    fmt::print(stderr, "{}\n", line);
    to_run_log(line);
  }
}

// Any rank; one line, the form drivers end with on failure.
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args)
{
  const auto text = fmt::format(format, std::forward<Args>(args)...);
  const auto line = context().size > 1 ? fmt::format("{}: error (rank {}): {}", context().program, context().rank, text)
                                       : context().program + ": error: " + text;
  fmt::print(stderr, "{}\n", line);
  to_run_log(line);
}

// One line without a rank prefix (for errors every rank found alike, printed by rank 0).
template <class... Args>
void error_plain(fmt::format_string<Args...> format, Args&&... args)
{
  const auto line = context().program + ": error: " + fmt::format(format, std::forward<Args>(args)...);
  fmt::print(stderr, "{}\n", line);
  to_run_log(line);
}

} // namespace tessera::log
