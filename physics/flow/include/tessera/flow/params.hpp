// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters of a tessera-flow run and the input keys that set them (tessera-flow
// --help-input; docs/flows.md). Every field comes from the keys: the defaults live in the
// schema only.

#include <cstdint>
#include <filesystem>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/flow/phi4.hpp"
#include "tessera/flow/u1_flow.hpp"
#include "tessera/nn/affine_flow.hpp"
#include "tessera/nn/optimizer.hpp"

namespace tessera::flow {

// What a run does: train a flow, sample with it (the flow + Metropolis-Hastings chain),
// run local Metropolis, run HMC, or all four in turn (the default: the comparison the module
// exists for).
enum class Mode { all, train, sample, metropolis, hmc };

// The target theory: real scalar phi^4 (phi4.hpp) or U(1) gauge theory (u1.hpp).
enum class Theory { phi4, u1 };

struct TrainParams {
  std::int64_t steps, batch;
  std::uint64_t seed;
  nn::OptimizerSettings optimizer;
};

struct SampleParams {
  std::int64_t proposals, batch;
  std::uint64_t seed;
};

struct HmcRunParams {
  std::int64_t chains, thermalisation, trajectories, steps;
  double trajectory_length;
  std::uint64_t seed;
  std::string start; // cold | hot
};

struct MetropolisRunParams {
  std::int64_t chains, thermalisation, sweeps, hits;
  double width; // 0: the theory's default
  std::uint64_t seed;
};

struct Params {
  Mode mode;
  Theory theory;
  int lattice;           // L: an L x L periodic lattice
  std::string precision; // float32 | float64 (the flow's arithmetic; HMC runs in double)
  Phi4Couplings phi4;
  double u1_beta;
  nn::AffineFlowSpec flow; // phi4's flow; U(1)'s takes its layers and nets from here too
  int mixture_components;  // U(1): circle maps per plaquette coupling
  std::uint64_t model_seed;
  std::filesystem::path model_input; // model.file: the flow to sample with (mode sample)
  TrainParams train;
  SampleParams sample;
  MetropolisRunParams metropolis;
  HmcRunParams hmc;
  std::string model_file; // output.model, in the output directory ("" : none)
  std::string table_file; // output.table
  bool trains() const { return mode == Mode::all || mode == Mode::train; }
  bool samples() const { return mode == Mode::all || mode == Mode::sample; }
  bool runs_metropolis() const { return mode == Mode::all || mode == Mode::metropolis; }
  bool runs_hmc() const { return mode == Mode::all || mode == Mode::hmc; }
  // The U(1) flow's layers: those of `flow` but never a final tanh (the tutorial's U(1) nets).
  U1FlowSpec u1_flow() const
  {
    U1FlowSpec spec{flow.coupling_layers, mixture_components, flow.net};
    spec.net.final_tanh = false;
    return spec;
  }
};

ConfigSchema schema();
// Reads and cross-checks the keys (throws InputError naming the key).
Params params_from(const Config& config);
const char* mode_name(Mode mode);
const char* theory_name(Theory theory);

} // namespace tessera::flow
