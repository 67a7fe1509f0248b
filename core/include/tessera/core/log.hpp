#pragma once
// Logging through fmt: info and warnings from rank 0 only (a run on 1000 ranks prints each
// line once), errors from any rank, prefixed with the rank when there are several.

#include <cstdio>
#include <fmt/format.h>

namespace tessera::log {

struct Context {
  int rank = 0;
  int size = 1;
  bool quiet = false;
};
Context& context();

template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args)
{
  if (context().rank == 0 && !context().quiet) {
    fmt::print(stdout, "{}\n", fmt::format(format, std::forward<Args>(args)...));
    std::fflush(stdout);
  }
}

template <class... Args>
void warn(fmt::format_string<Args...> format, Args&&... args)
{
  if (context().rank == 0) {
    fmt::print(stderr, "tessera: warning: {}\n", fmt::format(format, std::forward<Args>(args)...));
  }
}

// Any rank; one line, the form drivers end with on failure.
template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args)
{
  const auto text = fmt::format(format, std::forward<Args>(args)...);
  if (context().size > 1) {
    fmt::print(stderr, "tessera: error (rank {}): {}\n", context().rank, text);
  } else {
    fmt::print(stderr, "tessera: error: {}\n", text);
  }
}

// One line without a rank prefix (for errors every rank found alike, printed by rank 0).
template <class... Args>
void error_plain(fmt::format_string<Args...> format, Args&&... args)
{
  fmt::print(stderr, "tessera: error: {}\n", fmt::format(format, std::forward<Args>(args)...));
}

} // namespace tessera::log
