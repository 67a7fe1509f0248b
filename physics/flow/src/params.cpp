// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/params.hpp"

#include <sstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/simulation.hpp"

namespace tessera::flow {

namespace {

void add_theory_keys(ConfigSchema& s)
{
  s.add_string("run.theory", "phi4",
               "the target: phi4 (real scalar phi^4, keys phi4.*) or u1 (U(1) gauge theory with the Wilson "
               "action, key u1.beta; its flow needs lattice.size a multiple of 4)",
               {"phi4", "u1"})
      .add_int("lattice.size", 8, "L: the theory lives on an L x L periodic lattice", 3, 4096)
      .add_real("phi4.m2", -4.0,
                "m^2 of S = sum_x [sum_mu phi(2 phi - phi(x+mu) - phi(x-mu)) + m^2 phi^2 + "
                "lambda phi^4] (the 2021 tutorial's point: -4)",
                -1e6, 1e6)
      .add_real("phi4.lambda", 8.0,
                "lambda of the phi^4 action (the tutorial's point: 8; 0 with m2 > 0: the free "
                "theory)",
                0.0, 1e6)
      .add_real("u1.beta", 2.0, "beta of the U(1) Wilson action S = -beta sum_x cos theta_P(x) (the tutorial's: 2)",
                1e-6, 1e4);
}

void add_model_keys(ConfigSchema& s)
{
  s.add_int("model.coupling_layers", 16,
            "coupling layers (phi4: affine, checkerboard parity alternating; u1: gauge-equivariant plaquette "
            "couplings, direction and stripe offset cycling through all 8)",
            1, 1024)
      .add_string("model.hidden_channels", "8,8",
                  "channels of the hidden convolutions of each coupling network, comma-separated (phi4: 1 -> ... -> 2; "
                  "u1: 2 -> ... -> mixture_components + 1)")
      .add_int("model.kernel", 3, "odd kernel size of the periodic convolutions", 1, 63)
      .add_real("model.leaky_slope", 0.01, "slope of leaky_relu (between the convolutions) for negative inputs", 0.0,
                1.0)
      .add_bool("model.final_tanh", true,
                "phi4: tanh on the networks' outputs s and t (as the tutorial); the U(1) flow's networks end "
                "without one (as the tutorial's)")
      .add_int("model.mixture_components", 2,
               "u1: circle maps mixed in each plaquette coupling (the tutorial's n_s_nets: 2)", 1, 64)
      .add_string("model.precision", "float32", "the flow's arithmetic (HMC and all averages are double)",
                  {"float32", "float64"})
      .add_int("model.seed", 1, "seed of the networks' initial weights", 0, 9.0e18)
      .add_string("model.file", "",
                  "mode sample: the model file (output.model of a training run) whose flow proposes; ignored "
                  "by the other modes");
}

void add_train_keys(ConfigSchema& s)
{
  s.add_int("train.steps", 2000, "optimiser steps of the reverse-KL training", 1, 1LL << 40)
      .add_int("train.batch", 64, "global batch: model samples per step, split over the ranks", 1, 1LL << 31)
      .add_real("train.learning_rate", 1e-3, "Adam's step size", 0.0, 1e3)
      .add_real("train.beta1", 0.9, "Adam: decay of the first moment", 0.0, 0.9999999)
      .add_real("train.beta2", 0.999, "Adam: decay of the second moment", 0.0, 0.9999999)
      .add_real("train.epsilon", 1e-8, "Adam: added to the root of the second moment", 0.0, 1.0)
      .add_int("train.seed", 1, "seed of the prior draws of training", 0, 9.0e18);
}

void add_sample_keys(ConfigSchema& s)
{
  s.add_int("sample.proposals", 16384, "proposals of the flow for the Metropolis-Hastings chain", 2, 1LL << 40)
      .add_int("sample.batch", 1024, "proposals drawn at once (split over the ranks); one unit of work", 1, 1LL << 31)
      .add_int("sample.seed", 2, "seed of the proposals and of the accept/reject draws", 0, 9.0e18);
}

void add_metropolis_keys(ConfigSchema& s)
{
  s.add_int("metropolis.chains", 64, "independent local Metropolis chains run side by side (split over the ranks)", 1,
            1LL << 31)
      .add_int("metropolis.thermalisation", 200, "sweeps of each chain before measuring", 0, 1LL << 40)
      .add_int("metropolis.sweeps", 2000, "measured sweeps of each chain (one measurement a sweep)", 2, 1LL << 40)
      .add_int("metropolis.hits", 1, "Metropolis hits per variable per sweep", 1, 1 << 20)
      .add_real("metropolis.width", 0.0,
                "half-width of the uniform proposal v + width (2u - 1); 0: three standard deviations of one "
                "variable's density with its neighbours at zero (accepts about half)",
                0.0, 1e6)
      .add_int("metropolis.seed", 4, "seed of the proposals and accept/reject draws", 0, 9.0e18);
}

void add_hmc_keys(ConfigSchema& s)
{
  s.add_int("hmc.chains", 64, "independent HMC chains run side by side (split over the ranks)", 1, 1LL << 31)
      .add_int("hmc.thermalisation", 200, "trajectories of each chain before measuring", 0, 1LL << 40)
      .add_int("hmc.trajectories", 500, "measured trajectories of each chain", 2, 1LL << 40)
      .add_int("hmc.steps", 12, "leapfrog steps per trajectory", 1, 1 << 20)
      .add_real("hmc.trajectory_length", 1.0, "molecular-dynamics time of a trajectory", 1e-6, 1e3)
      .add_string("hmc.start", "cold",
                  "start of each chain: cold (phi = 0) or hot (gaussian of width 0.5; wider starts can leave a "
                  "chain of the broken phase stuck where the leapfrog is unstable)",
                  {"cold", "hot"})
      .add_int("hmc.seed", 3, "seed of the momenta, the accept/reject draws and a hot start", 0, 9.0e18);
}

std::vector<int> parse_channels(const std::string& text, const Config& config)
{
  std::vector<int> channels;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    std::size_t used = 0;
    int value = 0;
    try {
      value = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    while (used < item.size() && item[used] == ' ')
      ++used;
    if (used != item.size() || value < 1 || value > 4096)
      throw InputError(fmt::format(
          "{}: key 'model.hidden_channels' = \"{}\": expected comma-separated channel counts in [1, 4096] (\"8,8\")",
          config.where("model.hidden_channels"), shorten_for_message(text)));
    channels.push_back(value);
  }
  return channels;
}

} // namespace

const char* mode_name(Mode mode)
{
  switch (mode) {
  case Mode::train: return "train";
  case Mode::sample: return "sample";
  case Mode::metropolis: return "metropolis";
  case Mode::hmc: return "hmc";
  default: return "all";
  }
}

const char* theory_name(Theory theory)
{
  return theory == Theory::u1 ? "u1" : "phi4";
}

ConfigSchema schema()
{
  ConfigSchema s;
  s.add_string("run.mode", "all",
               "all: train the flow, sample with it, run local Metropolis and HMC and compare; train: only train "
               "(writes output.model); sample: the flow of model.file with its Metropolis-Hastings chain; "
               "metropolis: only local Metropolis; hmc: only HMC",
               {"all", "train", "sample", "metropolis", "hmc"});
  add_theory_keys(s);
  add_model_keys(s);
  add_train_keys(s);
  add_sample_keys(s);
  add_metropolis_keys(s);
  add_hmc_keys(s);
  s.add_string("output.model", "flow.model.h5", "the trained flow (HDF5), in the output directory (\"\": none)")
      .add_string("output.table", "flow.dat",
                  "one row per unit of work (training step, proposal batch, HMC "
                  "trajectory), in the output directory");
  RunKeyDefaults run;
  run.checkpoint_wall_seconds = 600;
  run.has_table = true;
  run.progress_seconds = 30;
  run.log_interval = 100;
  declare_run_keys(s, {"step", "steps", false}, run);
  // Everything but hmc.trajectories: HMC is the last phase of every mode that has it, so a
  // restart may extend it (as tessera-lqcd's); a longer training or chain would change the
  // phases that come after them.
  s.fixed_on_restart({"run.mode", "run.theory", "lattice.", "phi4.", "u1.", "model.", "train.", "sample.",
                      "metropolis.", "hmc.chains", "hmc.thermalisation", "hmc.steps", "hmc.trajectory_length",
                      "hmc.start", "hmc.seed"});
  s.reads_file("model.file");
  s.writes_file("output.model").writes_file("output.table");
  return s;
}

Params params_from(const Config& c)
{
  Params p;
  const auto mode = c.get_string("run.mode");
  p.mode = mode == "train"        ? Mode::train
           : mode == "sample"     ? Mode::sample
           : mode == "metropolis" ? Mode::metropolis
           : mode == "hmc"        ? Mode::hmc
                                  : Mode::all;
  p.theory = c.get_string("run.theory") == "u1" ? Theory::u1 : Theory::phi4;
  p.lattice = static_cast<int>(c.get_int("lattice.size"));
  p.precision = c.get_string("model.precision");
  p.phi4 = {c.get_real("phi4.m2"), c.get_real("phi4.lambda")};
  p.u1_beta = c.get_real("u1.beta");
  if (p.theory == Theory::phi4 && p.phi4.lambda == 0 && p.phi4.m2 <= 0)
    throw InputError(fmt::format("{}: keys 'phi4.m2' = {} and 'phi4.lambda' = 0: with lambda = 0 the action is "
                                 "bounded below only for m2 > 0",
                                 c.where({"phi4.m2", "phi4.lambda"}), p.phi4.m2));
  p.flow.coupling_layers = static_cast<int>(c.get_int("model.coupling_layers"));
  p.flow.net.hidden_channels = parse_channels(c.get_string("model.hidden_channels"), c);
  p.flow.net.kernel = static_cast<int>(c.get_int("model.kernel"));
  if (p.flow.net.kernel % 2 == 0 || p.flow.net.kernel > p.lattice)
    throw InputError(
        fmt::format("{}: key 'model.kernel' = {}: the kernel size must be odd and at most lattice.size = {}",
                    c.where({"model.kernel", "lattice.size"}), p.flow.net.kernel, p.lattice));
  p.flow.net.leaky_slope = c.get_real("model.leaky_slope");
  p.flow.net.final_tanh = c.get_bool("model.final_tanh");
  p.mixture_components = static_cast<int>(c.get_int("model.mixture_components"));
  if (p.theory == Theory::u1 && (p.trains() || p.samples()) && p.lattice % 4 != 0)
    throw InputError(
        fmt::format("{}: key 'lattice.size' = {}: the U(1) flow's plaquette masks repeat every 4 sites, so "
                    "the lattice size must be a multiple of 4",
                    c.where({"lattice.size", "run.theory"}), p.lattice));
  p.model_seed = static_cast<std::uint64_t>(c.get_int("model.seed"));
  p.model_input = c.get_string("model.file");
  if (p.mode == Mode::sample && p.model_input.empty())
    throw InputError(fmt::format("{}: key 'model.file': run.mode = \"sample\" needs the model file of a training run",
                                 c.where({"model.file", "run.mode"})));
  p.train.steps = c.get_int("train.steps");
  p.train.batch = c.get_int("train.batch");
  p.train.seed = static_cast<std::uint64_t>(c.get_int("train.seed"));
  p.train.optimizer = {nn::OptimizerKind::adam,   c.get_real("train.learning_rate"), 0.0, c.get_real("train.beta1"),
                       c.get_real("train.beta2"), c.get_real("train.epsilon"),       0.0, 0.0};
  p.sample = {c.get_int("sample.proposals"), c.get_int("sample.batch"),
              static_cast<std::uint64_t>(c.get_int("sample.seed"))};
  p.metropolis = {c.get_int("metropolis.chains"), c.get_int("metropolis.thermalisation"),
                  c.get_int("metropolis.sweeps"), c.get_int("metropolis.hits"),
                  c.get_real("metropolis.width"), static_cast<std::uint64_t>(c.get_int("metropolis.seed"))};
  if (p.runs_metropolis() && p.lattice % 2 != 0)
    throw InputError(fmt::format("{}: key 'lattice.size' = {}: local Metropolis updates the two checkerboard parities "
                                 "in turn, which needs an even lattice size",
                                 c.where({"lattice.size", "run.mode"}), p.lattice));
  p.hmc = {
      c.get_int("hmc.chains"),  c.get_int("hmc.thermalisation"),     c.get_int("hmc.trajectories"),
      c.get_int("hmc.steps"),   c.get_real("hmc.trajectory_length"), static_cast<std::uint64_t>(c.get_int("hmc.seed")),
      c.get_string("hmc.start")};
  // The phi^4 estimates keep C(x) and phi(x) of every step of a series (the jackknife of G_c
  // and the pole mass), 16 V bytes per step; U(1)'s keep a few numbers a step: refuse a run
  // whose series would not fit in memory.
  const double bytes_per_step = p.theory == Theory::phi4 ? 16.0 * p.lattice * p.lattice : 64.0,
               limit = 4.0 * (1LL << 30);
  if (p.samples() && static_cast<double>(p.sample.proposals) * bytes_per_step > limit)
    throw InputError(fmt::format("{}: {} proposals on a {} x {} lattice keep {:.3g} GB of measurements (at most 4 GB)",
                                 c.where("sample.proposals"), p.sample.proposals, p.lattice, p.lattice,
                                 static_cast<double>(p.sample.proposals) * bytes_per_step * 1e-9));
  if (p.runs_metropolis() && static_cast<double>(p.metropolis.sweeps) * bytes_per_step > limit)
    throw InputError(fmt::format("{}: {} sweeps on a {} x {} lattice keep {:.3g} GB of measurements (at most 4 GB)",
                                 c.where("metropolis.sweeps"), p.metropolis.sweeps, p.lattice, p.lattice,
                                 static_cast<double>(p.metropolis.sweeps) * bytes_per_step * 1e-9));
  if (p.runs_hmc() && static_cast<double>(p.hmc.trajectories) * bytes_per_step > limit)
    throw InputError(fmt::format("{}: {} trajectories on a {} x {} lattice keep {:.3g} GB of measurements (at most "
                                 "4 GB)",
                                 c.where("hmc.trajectories"), p.hmc.trajectories, p.lattice, p.lattice,
                                 static_cast<double>(p.hmc.trajectories) * bytes_per_step * 1e-9));
  p.model_file = c.get_string("output.model");
  p.table_file = c.get_string("output.table");
  if (p.mode == Mode::train && p.model_file.empty())
    throw InputError(
        fmt::format("{}: key 'output.model': run.mode = \"train\" writes its product there; give a file name",
                    c.where({"output.model", "run.mode"})));
  return p;
}

} // namespace tessera::flow
