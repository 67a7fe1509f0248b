// SPDX-License-Identifier: Apache-2.0
#pragma once
// The errors a run can end with, each mapped to one exit code (README lists them). Drivers
// catch them in run_driver() and print one line; nothing else should call exit().

#include <stdexcept>
#include <string>

namespace tessera {

enum class ExitCode : int {
  ok = 0,
  failure = 1,     // an internal error or a failed physics check
  bad_input = 2,   // input file, key, value or command line
  io_error = 3,    // a file that cannot be read, written or trusted (checksum)
  interrupted = 4, // SIGTERM/SIGINT: a final checkpoint was written, the run can restart
};

class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& what) : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

private:
  ExitCode code_;
};

// Bad input: the message names the file or key and what was expected.
class InputError : public Error {
public:
  explicit InputError(const std::string& what) : Error(ExitCode::bad_input, what) {}
};

// A file that could not be read or written, or failed its checksum.
class IoError : public Error {
public:
  explicit IoError(const std::string& what) : Error(ExitCode::io_error, what) {}
};

} // namespace tessera
