// SPDX-License-Identifier: Apache-2.0
#pragma once
// What tessera-flow's run needs of its target theory (key `theory`: phi4 or u1), so that the
// run itself (simulation.cpp: training, the flow's chain, HMC, checkpoints, results) is
// written once: the action in either precision, the flow that fits the theory, the
// measurements of each configuration as a flat record of doubles (so that they are gathered
// over ranks, kept for the chain's current state and checkpointed without knowing what they
// are), and the estimates over a series of them.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/statistics.hpp"
#include "tessera/flow/local_metropolis.hpp"
#include "tessera/flow/params.hpp"
#include "tessera/nn/lattice_flow.hpp"

namespace tessera::flow {

// A checkpoint's vector of doubles (any length, empty included) under `name`.
void write_vector(CheckpointWriter& writer, const std::string& name, const std::vector<double>& v);
std::vector<double> read_vector(CheckpointReader& reader, const std::string& name);

// The estimates of a series, as the results report them.
struct SeriesSummary {
  nlohmann::json observables;
  ChainEstimate cost_observable; // the observable whose independent samples are costed (|M|/V, Q)
  std::string line;              // the estimates in one line of the summary
};

// Estimates over a Monte Carlo series: `replicas` chains per time step (HMC) or one chain.
class SeriesEstimates {
public:
  virtual ~SeriesEstimates() = default;
  // Records of whole time steps, replica after replica.
  virtual void add(const std::vector<double>& records) = 0;
  virtual Index steps() const = 0;
  virtual void write(CheckpointWriter& writer, const std::string& prefix) const = 0;
  virtual void read(CheckpointReader& reader, const std::string& prefix) = 0;
  // Needs at least 2 steps.
  virtual SeriesSummary summary() const = 0;
};

class TargetTheory {
public:
  virtual ~TargetTheory() = default;
  // Reals per configuration (V for phi^4, 2V link angles for U(1)).
  virtual Index components() const = 0;
  // Doubles per configuration's record.
  virtual Index record_size() const = 0;
  // The costed observable's name in result keys ("abs_m", "q") and in the summary ("|M|", "Q").
  virtual std::string cost_key() const = 0;
  virtual std::string cost_name() const = 0;
  // The two columns of the table and progress lines, and their values for a batch of records.
  virtual std::array<std::string, 2> progress_keys() const = 0;
  virtual std::array<double, 2> progress(const std::vector<double>& records) const = 0;
  virtual std::vector<double> measure(const ExecSpace& space, const nn::ConstFieldBatch<float>& fields) const = 0;
  virtual std::vector<double> measure(const ExecSpace& space, const nn::ConstFieldBatch<double>& fields) const = 0;
  virtual std::unique_ptr<SeriesEstimates> estimates(Index replicas) const = 0;
  virtual std::unique_ptr<nn::LatticeAction<float>> action_float() const = 0;
  virtual std::unique_ptr<nn::LatticeAction<double>> action_double() const = 0;
  virtual std::unique_ptr<nn::LatticeFlow<float>> flow_float() const = 0;
  virtual std::unique_ptr<nn::LatticeFlow<double>> flow_double() const = 0;
  // The local baseline of this theory's action (double precision, as HMC).
  virtual std::unique_ptr<LocalMetropolis<double>> local_metropolis(Index chains,
                                                                    const LocalMetropolisParams& params) const = 0;
  // "m2 = -4, lambda = 8" / "beta = 2": for the log.
  virtual std::string couplings() const = 0;
  // log Z of exp(-S) over the configurations, where known exactly (U(1)); NaN otherwise.
  virtual double log_partition_function() const = 0;
  // The couplings as result keys, and exact values to compare with (none for phi^4).
  virtual void describe(nlohmann::json& results) const = 0;
  virtual std::vector<std::string> reference_lines() const = 0;

  template <class T>
  std::unique_ptr<nn::LatticeAction<T>> action() const
  {
    if constexpr (sizeof(T) == sizeof(double)) {
      return action_double();
    } else {
      return action_float();
    }
  }
  template <class T>
  std::unique_ptr<nn::LatticeFlow<T>> flow() const
  {
    if constexpr (sizeof(T) == sizeof(double)) {
      return flow_double();
    } else {
      return flow_float();
    }
  }
};

std::unique_ptr<TargetTheory> make_target_theory(const Params& p);

} // namespace tessera::flow
