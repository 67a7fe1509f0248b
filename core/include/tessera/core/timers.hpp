// SPDX-License-Identifier: Apache-2.0
#pragma once
// Phase timers: wall time per named phase of a run, fenced so that asynchronous device work
// is charged to the phase that launched it. Each phase is also a Kokkos Tools region, so a
// profile shows the same structure.
//
//   PhaseTimers timers;
//   { auto t = timers.scope("force"); compute_forces(); }
//   log::info("{}", timers.table());

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace tessera {

class PhaseTimers {
public:
  class Scope {
  public:
    Scope(PhaseTimers& timers, std::string name);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

  private:
    PhaseTimers& timers_;
    std::string name_;
    double start_;
  };

  Scope scope(const std::string& name) { return Scope(*this, name); }
  void add(const std::string& name, double seconds);
  double seconds(const std::string& name) const;
  double total() const;
  std::string table() const;
  nlohmann::json to_json() const;

private:
  struct Entry {
    double seconds = 0;
    long calls = 0;
  };
  std::map<std::string, Entry> entries_;
};

} // namespace tessera
