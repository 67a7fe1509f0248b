// SPDX-License-Identifier: Apache-2.0
#pragma once
// A Markov-chain baseline of a tessera-flow run (HMC or local Metropolis, written once): a
// number of chains advanced together (each rank its block of them), thermalised, then measured
// after every unit of work (one trajectory or one sweep of every chain); checkpointed with the
// fields of every chain, its acceptance series and its estimates; reported with the cost per
// effectively independent sample of the theory's costed observable.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "target_theory.hpp"
#include "tessera/core/comm.hpp"

namespace tessera::flow {

// What a baseline sampler offers the phase (adapters of BatchedHmc and LocalMetropolis).
class ChainSampler {
public:
  virtual ~ChainSampler() = default;
  // One unit of every chain of this rank; returns its accepted and proposed updates.
  virtual std::array<double, 2> advance() = 0;
  virtual std::uint64_t units() const = 0;
  virtual nn::ConstFieldBatch<double> fields() const = 0;
  virtual void restore(const nn::ConstFieldBatch<double>& fields, std::uint64_t units) = 0;
};

struct BaselineSettings {
  std::string key;   // "hmc", "metropolis": the results' and checkpoint's keys
  std::string title; // "HMC", "Metropolis": the summary's
  std::string unit;  // "trajectories", "sweeps"
  std::int64_t chains = 0, thermalisation = 0, measured = 0;
};

// What one unit did, for the progress lines and the table.
struct BaselineUnit {
  std::int64_t number = 0;
  double acceptance = 0;
  std::array<double, 2> progress = {0, 0}; // NaN while thermalising
};

class BaselinePhase {
public:
  // `sampler` holds this rank's block of the chains (core block_range).
  BaselinePhase(const Comm& comm, const TargetTheory& theory, BaselineSettings settings,
                std::unique_ptr<ChainSampler> sampler);
  std::int64_t units() const { return settings_.thermalisation + settings_.measured; }
  std::int64_t done() const { return static_cast<std::int64_t>(sampler_->units()); }
  const BaselineSettings& settings() const { return settings_; }
  BaselineUnit advance();
  void write(CheckpointWriter& writer) const;
  void read(CheckpointReader& reader);
  // Adds results[key] and its summary lines once there are 2 measured units; adds the samples
  // it made and the seconds they took to units and seconds.
  void report(nlohmann::json& results, std::vector<std::string>& lines, double& units, double& seconds) const;

private:
  const Comm* comm_;
  const TargetTheory* theory_;
  BaselineSettings settings_;
  std::unique_ptr<ChainSampler> sampler_;
  std::unique_ptr<SeriesEstimates> estimates_;
  std::vector<double> acceptance_; // over all chains, per unit
  double rejected_in_a_row_ = 0;   // proposals of all chains since the last accepted one
  double seconds_ = 0, thermalisation_seconds_ = 0;
};

// The baselines of a run's theory, chains split over comm's ranks.
std::unique_ptr<BaselinePhase> make_hmc_phase(const Comm& comm, const TargetTheory& theory, const Params& p);
std::unique_ptr<BaselinePhase> make_metropolis_phase(const Comm& comm, const TargetTheory& theory, const Params& p);

} // namespace tessera::flow
