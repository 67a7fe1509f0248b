#pragma once
// tessera-reactions: the surrogate workflow of Fan et al. (ApJ 940, 134, 2022) on the carbon
// network of docs/reactions.md.
//   1. zones (rho, T, X12) drawn from the counter-based RNG over the configured ranges, split
//      over the ranks, each burnt for network.dt by the RODAS3 integrator (burn());
//   2. an MLP trained on inputs (log10 rho, log10 T, X12) -> targets (log10 dX, log10 eps):
//      the 12C burnt in the step and the energy generation rate (fit(), as tessera-mlp
//      trains); the new mass fractions X12 - dX and X24 + dX conserve mass exactly;
//   3. held-out zones (never trained on) burnt again and predicted: the errors of the
//      mass fractions and of the energy generation rate, and the speed of the surrogate
//      against the integrator on the same device.

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "tessera/core/comm.hpp"
#include "tessera/core/config.hpp"
#include "tessera/core/timers.hpp"
#include "tessera/nn/burn.hpp"
#include "tessera/nn/mlp_params.hpp"

namespace tessera::nn {

struct ReactionsParams {
  MlpParams mlp; // model.*, training.*, output.model, output.history
  std::int64_t zones = 50000, test_zones = 10000;
  double density_min = 1e8, density_max = 1e9;             // g/cm^3, log-uniform
  double temperature_min = 1.2e9, temperature_max = 1.4e9; // K, log-uniform
  double x12_min = 0.3, x12_max = 1.0;                     // uniform
  double dt = 1e-3;                                        // s
  BurnSettings burn;
  std::string data_file = "reactions_data.h5"; // the generated training set ("": not written)
};

ConfigSchema reactions_schema();
ReactionsParams reactions_params_from(const Config& config, const std::filesystem::path& output_dir);

nlohmann::json run_reactions(const Comm& comm, const ReactionsParams& params,
                             const std::optional<std::filesystem::path>& restart, PhaseTimers& timers);

} // namespace tessera::nn
