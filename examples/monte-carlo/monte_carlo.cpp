// SPDX-License-Identifier: Apache-2.0
// monte-carlo: the volume of the unit ball in d dimensions by hit or miss, on Tessera's
// counter-based RNG and reduced over MPI ranks, written outside Tessera against its installed
// package. Sample k draws its d coordinates from RandomDraws(seed, stream, k): the hits, and
// so the estimate, are the same integers on any number of ranks, threads or backends.
//
// The answer it checks: V_d = pi^(d/2) / Gamma(d/2 + 1); the estimate must lie within five
// standard errors of it (exit 1 otherwise). A plain program, not a simulation: run_driver
// gives it the input deck, the command line, rank agreement, errors and the summary.
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include <tessera/core/driver.hpp>
#include <tessera/core/log.hpp>
#include <tessera/core/loops.hpp>
#include <tessera/core/rng.hpp>

namespace {

tessera::ConfigSchema schema()
{
  tessera::ConfigSchema s;
  s.add_int("sampling.samples", 4'000'000, "points drawn in the cube [-1, 1]^d (split over the ranks)", 1, 1e15)
      .add_int("sampling.dimensions", 5, "dimension d of the ball", 1, 20)
      .add_int("sampling.seed", 2026, "seed of the counter-based RNG", 0, 9.0e18);
  return s;
}

// Hits among samples [first, first + count): one RandomDraws per sample, keyed by its index.
long long count_hits(std::int64_t first, std::int64_t count, int dimensions, std::uint64_t seed)
{
  long long hits = 0;
  tessera::par_reduce(
      "monte_carlo::hits", count,
      KOKKOS_LAMBDA(tessera::Index k, long long& sum) {
        tessera::RandomDraws rng(seed, 0, static_cast<std::uint64_t>(first + k));
        double r2 = 0;
        for (int i = 0; i < dimensions; ++i) {
          const double x = rng.uniform(-1.0, 1.0);
          r2 += x * x;
        }
        sum += r2 <= 1.0 ? 1 : 0;
      },
      hits);
  return hits;
}

nlohmann::json estimate(const tessera::DriverContext& context)
{
  const auto& config = context.config;
  const std::int64_t samples = config.get_int("sampling.samples");
  const int d = static_cast<int>(config.get_int("sampling.dimensions"));
  const auto seed = static_cast<std::uint64_t>(config.get_int("sampling.seed"));
  const auto mine = tessera::block_range(samples, context.comm.rank(), context.comm.size());

  const long long hits = context.comm.sum(count_hits(mine.first, mine.count, d, seed));
  const double cube = std::pow(2.0, d), fraction = static_cast<double>(hits) / static_cast<double>(samples);
  const double volume = cube * fraction;
  const double error = cube * std::sqrt(fraction * (1 - fraction) / static_cast<double>(samples));
  const double exact = std::pow(std::numbers::pi, d / 2.0) / std::tgamma(d / 2.0 + 1);
  const double pull = (volume - exact) / error;
  const auto line = fmt::format("V_{} = {:.6f} +- {:.6f} from {} hits in {} samples; exact {:.6f} ({:+.2f} sigma)", d,
                                volume, error, hits, samples, exact, pull);
  if (!(std::abs(pull) < 5)) throw tessera::Error(tessera::ExitCode::failure, line + ": more than 5 sigma off");
  tessera::log::info("{} (ok)", line);
  return {{"hits", hits}, {"volume", volume}, {"error", error}, {"exact", exact}};
}

} // namespace

int main(int argc, char** argv)
{
  static const auto input = schema();
  tessera::DriverInfo info{"monte-carlo", "monte-carlo: the volume of the unit d-ball by hit or miss", &input};
  info.identity = {.program = "monte-carlo", .error_prefix = "monte-carlo", .version = "1.0.0", .commit = "example"};
  info.offers_restart = false;
  return tessera::run_driver(info, argc, argv, estimate);
}
