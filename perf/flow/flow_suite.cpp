// SPDX-License-Identifier: Apache-2.0
// Normalizing-flow throughput, float32, for the two flows of the 2021 tutorial: 2-D phi^4
// (m2 = -4, lambda = 8; the flow of the PyTorch reference perf/flow/torch_flow.py: 16 affine
// couplings, networks Conv2d 1 -> 8 -> 8 -> 2, kernel 3, periodic, leaky ReLU and tanh) and
// 2-D U(1) at beta = 2 (16 gauge-equivariant plaquette couplings, networks 2 -> 8 -> 8 -> 3,
// two circle maps mixed, no final tanh); Adam lr 1e-3; per lattice size L and batch:
//   train   samples/s through one reverse-KL step (prior draw, flow, action and its gradient,
//           back-propagation, Adam)
//   sample  samples/s through a proposal batch (prior draw, flow, log q, action)
// FLOPs per sample, from the convolutions only (their im2col products): forward 2 V sum(c_out
// c_in k^2) per coupling; a training step adds twice that (weight and input gradients). The
// bound is the measured FP32 FMA rate: the products are far too small for a GEMM ceiling.
#include "flow_suite.hpp"

#include <array>

#include <fmt/format.h>

#include "tessera/core/log.hpp"
#include "tessera/flow/phi4.hpp"
#include "tessera/flow/u1.hpp"
#include "tessera/flow/u1_flow.hpp"
#include "tessera/nn/affine_flow.hpp"
#include "tessera/nn/reverse_kl.hpp"

namespace tessera::flow {
namespace {

// The convolutions' FLOPs of one sample through `layers` couplings whose networks map
// in_channels -> hidden... -> out_channels.
double forward_flops_per_sample(const nn::CouplingNetSpec& net, int in_channels, int out_channels, int layers,
                                int lattice)
{
  double per_site = 0;
  int channels = in_channels;
  const double taps = static_cast<double>(net.kernel) * net.kernel;
  for (const int hidden : net.hidden_channels) {
    per_site += 2.0 * hidden * channels * taps;
    channels = hidden;
  }
  per_site += 2.0 * out_channels * channels * taps;
  return per_site * lattice * lattice * layers;
}

// The figure of one phase ("train" or "sample"): samples/s through a batch of `batch` samples.
bench::Figure throughput_figure(const std::string& phase, int lattice, int batch, const nlohmann::json& size,
                                const bench::Timing& timing, const nlohmann::json& extra)
{
  bench::Figure figure{"flow",
                       fmt::format("flow_{}_L{}", phase, lattice),
                       size,
                       static_cast<double>(batch),
                       "samples per batch",
                       "samples/s",
                       static_cast<double>(batch),
                       timing};
  figure.extra = extra;
  return figure;
}

} // namespace

// Times one flow's training step and proposal batch; adds both figures; returns
// {train samples/s, sample samples/s, the training's FMA fraction}.
std::array<double, 3> measure_flow(bench::Suite& suite, const std::string& prefix, int lattice, int batch,
                                   nn::LatticeFlow<float>& flow, const nn::LatticeAction<float>& action, double forward,
                                   nlohmann::json extra)
{
  const bool quick = suite.quick();
  const nn::OptimizerSettings adam{nn::OptimizerKind::adam, 1e-3, 0, 0.9, 0.999, 1e-8, 0, 0};
  flow.initialise(ExecSpace{}, 1);
  nn::Optimizer<float> optimizer(adam, flow.parameter_count());
  nn::ReverseKlTrainer<float> trainer(suite.comm(), flow, action, optimizer, {batch, 1});
  trainer.step(); // allocations and first-touch outside the timing
  const auto train = bench::time_it([&] { trainer.step(); }, quick ? 2 : 5, quick ? 0.2 : 2.0, 200);
  const Index n = static_cast<Index>(batch) * flow.components();
  nn::FieldBatch<float> z("z", n);
  nn::SampleValues<float> log_q("log_q", batch), s("action", batch);
  std::uint64_t first = 0;
  const auto propose = [&] {
    flow.draw_prior(ExecSpace{}, 2, first, z, log_q);
    first += static_cast<std::uint64_t>(batch);
    action.evaluate(ExecSpace{}, flow.forward(ExecSpace{}, z, log_q), s);
    Kokkos::fence();
  };
  propose();
  const auto sample = bench::time_it(propose, quick ? 2 : 5, quick ? 0.2 : 2.0, 200);
  const nlohmann::json size = {{"L", lattice}, {"batch", batch}, {"coupling_layers", extra["coupling_layers"]}};
  extra.erase("coupling_layers");
  extra["precision"] = "float32";
  extra["optimizer"] = "adam";
  extra["forward_flops_per_sample"] = forward;
  auto train_figure = throughput_figure(prefix + "train", lattice, batch, size, train, extra);
  train_figure.extra["ms_per_step"] = 1e3 * train.median;
  // (the entry returned by add() is read before the next add() may move it)
  const double train_fraction = suite.add(train_figure, "fma_fp32", 3 * forward).value("ceiling_fraction", 0.0);
  suite.add(throughput_figure(prefix + "sample", lattice, batch, size, sample, extra), "fma_fp32", forward);
  return {batch / train.median, batch / sample.median, train_fraction};
}

void flow_benchmarks(bench::Suite& suite, const FlowBenchOptions& options)
{
  const bool quick = suite.quick();
  std::vector<int> sizes = options.sizes, batches = options.batches;
  if (sizes.empty()) sizes = quick ? std::vector<int>{8} : std::vector<int>{8, 16};
  if (batches.empty()) batches = quick ? std::vector<int>{64} : std::vector<int>{64, 1024};
  nn::AffineFlowSpec spec;
  spec.coupling_layers = quick ? 4 : options.coupling_layers;
  U1FlowSpec u1_spec;
  u1_spec.coupling_layers = spec.coupling_layers;
  log::info("{:>6} {:>4} {:>6} {:>16} {:>10} {:>17} {:>12}", "theory", "L", "batch", "train samples/s", "ms/step",
            "sample samples/s", "of fma_fp32");
  const auto line = [](const char* theory, int lattice, int batch, const std::array<double, 3>& r) {
    log::info("{:>6} {:>4} {:>6} {:>16.4g} {:>10.3f} {:>17.4g} {:>11.2f}%", theory, lattice, batch, r[0],
              1e3 * batch / r[0], r[1], 100.0 * r[2]);
  };
  for (const int lattice : sizes) {
    const nn::LatticeShape shape{lattice, lattice};
    const Phi4Action<float> phi4(shape, {-4.0, 8.0});
    for (const int batch : batches) {
      nn::AffineFlow<float> flow(shape, spec);
      const nlohmann::json extra = {{"theory", "phi4"},
                                    {"m2", -4.0},
                                    {"lambda", 8.0},
                                    {"coupling_layers", spec.coupling_layers},
                                    {"hidden_channels", spec.net.hidden_channels},
                                    {"kernel", spec.net.kernel}};
      line("phi4", lattice, batch,
           measure_flow(suite, "", lattice, batch, flow, phi4,
                        forward_flops_per_sample(spec.net, 1, 2, spec.coupling_layers, lattice), extra));
    }
    if (lattice % 4 != 0) continue; // the U(1) flow's stripes repeat every 4 sites
    const U1Action<float> u1(shape, 2.0);
    for (const int batch : batches) {
      U1EquivariantFlow<float> flow(shape, u1_spec);
      const nlohmann::json extra = {{"theory", "u1"},
                                    {"beta", 2.0},
                                    {"coupling_layers", u1_spec.coupling_layers},
                                    {"mixture_components", u1_spec.mixture_components},
                                    {"hidden_channels", u1_spec.net.hidden_channels},
                                    {"kernel", u1_spec.net.kernel}};
      line("u1", lattice, batch,
           measure_flow(suite, "u1_", lattice, batch, flow, u1,
                        forward_flops_per_sample(u1_spec.net, 2, u1_spec.mixture_components + 1,
                                                 u1_spec.coupling_layers, lattice),
                        extra));
    }
  }
}

} // namespace tessera::flow
