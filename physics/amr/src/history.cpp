#include "tessera/amr/history.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::amr {

namespace {

// The lines of an existing history whose time (first column) is at most `time`.
std::vector<std::string> rows_up_to(const std::filesystem::path& path, double time)
{
  std::vector<std::string> kept;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] != '#') {
      std::size_t used = 0;
      double t = 0;
      try {
        t = std::stod(line, &used);
      } catch (const std::exception&) {
        continue; // a row cut by a crash
      }
      if (t > time) break;
    }
    kept.push_back(line);
  }
  return kept;
}

} // namespace

History::History(const Comm& comm, std::filesystem::path path, int scalars, double restart_time)
    : path_(std::move(path)), scalars_(scalars)
{
  if (comm.rank() != 0) return;
  const auto kept = restart_time >= 0 ? rows_up_to(path_, restart_time) : std::vector<std::string>{};
  file_ = std::fopen(path_.string().c_str(), "w");
  if (!file_) throw IoError(fmt::format("{}: cannot open the history file for writing", path_.string()));
  if (kept.empty()) {
    std::string header = "# time step dt mass momentum_x momentum_y momentum_z energy";
    for (int n = 0; n < scalars_; ++n)
      header += fmt::format(" scalar_{}", n);
    fmt::print(file_, "{} blocks floors\n", header);
  }
  for (const auto& line : kept)
    fmt::print(file_, "{}\n", line);
  check(std::fflush(file_) == 0);
}

History::~History()
{
  if (file_) std::fclose(file_);
}

void History::check(bool ok) const
{
  if (!ok || std::ferror(file_))
    throw IoError(fmt::format("{}: cannot write the history file (disk full?)", path_.string()));
}

void History::row(double time, std::int64_t step, double dt, const Totals& totals, int blocks, std::int64_t floors)
{
  if (!file_) return;
  std::string line = fmt::format("{:.17g} {} {:.17g}", time, step, dt);
  for (int v = 0; v < first_scalar + scalars_; ++v)
    line += fmt::format(" {:.17g}", totals[static_cast<std::size_t>(v)]);
  fmt::print(file_, "{} {} {}\n", line, blocks, floors);
  check(std::fflush(file_) == 0);
}

} // namespace tessera::amr
