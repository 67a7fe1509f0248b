// SPDX-License-Identifier: Apache-2.0
// Normalizing-flow throughput for 2-D phi^4 (m2 = -4, lambda = 8), float32, the flow of the
// 2021 tutorial and of the PyTorch reference perf/flow/torch_flow.py (same layers: 16 affine
// couplings, networks Conv2d 1 -> 8 -> 8 -> 2, kernel 3, periodic, leaky ReLU and tanh; Adam
// lr 1e-3), per lattice size L and batch:
//   train   samples/s through one reverse-KL step (prior draw, flow, action and its gradient,
//           back-propagation, Adam)
//   sample  samples/s through a proposal batch (prior draw, flow, log q, action)
// FLOPs per sample, from the convolutions only (their im2col products): forward 2 V sum(c_out
// c_in k^2) per coupling; a training step adds twice that (weight and input gradients). The
// bound is the measured FP32 FMA rate: the products are far too small for a GEMM ceiling.
#include "flow_suite.hpp"

#include <fmt/format.h>

#include "tessera/core/log.hpp"
#include "tessera/flow/phi4.hpp"
#include "tessera/nn/affine_flow.hpp"
#include "tessera/nn/reverse_kl.hpp"

namespace tessera::flow {
namespace {

double forward_flops_per_sample(const nn::AffineFlowSpec& spec, int lattice)
{
  double per_site = 0;
  int channels = 1;
  const double taps = static_cast<double>(spec.net.kernel) * spec.net.kernel;
  for (const int hidden : spec.net.hidden_channels) {
    per_site += 2.0 * hidden * channels * taps;
    channels = hidden;
  }
  per_site += 2.0 * 2 * channels * taps;
  return per_site * lattice * lattice * spec.coupling_layers;
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

void flow_benchmarks(bench::Suite& suite, const FlowBenchOptions& options)
{
  const bool quick = suite.quick();
  std::vector<int> sizes = options.sizes, batches = options.batches;
  if (sizes.empty()) sizes = quick ? std::vector<int>{8} : std::vector<int>{8, 16};
  if (batches.empty()) batches = quick ? std::vector<int>{64} : std::vector<int>{64, 1024};
  nn::AffineFlowSpec spec;
  spec.coupling_layers = quick ? 4 : options.coupling_layers;
  const nn::OptimizerSettings adam{nn::OptimizerKind::adam, 1e-3, 0, 0.9, 0.999, 1e-8, 0, 0};
  log::info("{:>4} {:>6} {:>16} {:>10} {:>17} {:>12}", "L", "batch", "train samples/s", "ms/step", "sample samples/s",
            "of fma_fp32");
  const Comm& comm = suite.comm();
  for (const int lattice : sizes) {
    const nn::LatticeShape shape{lattice, lattice};
    const Phi4Action<float> action(shape, {-4.0, 8.0});
    for (const int batch : batches) {
      nn::AffineFlow<float> flow(shape, spec);
      flow.initialise(ExecSpace{}, 1);
      nn::Optimizer<float> optimizer(adam, flow.parameter_count());
      nn::ReverseKlTrainer<float> trainer(comm, flow, action, optimizer, {batch, 1});
      trainer.step(); // allocations and first-touch outside the timing
      const auto train = bench::time_it([&] { trainer.step(); }, quick ? 2 : 5, quick ? 0.2 : 2.0, 200);
      const Index n = static_cast<Index>(batch) * shape.sites();
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
      const double forward = forward_flops_per_sample(spec, lattice);
      const nlohmann::json size = {{"L", lattice}, {"batch", batch}, {"coupling_layers", spec.coupling_layers}};
      const nlohmann::json extra = {{"theory", "phi4"},
                                    {"m2", -4.0},
                                    {"lambda", 8.0},
                                    {"hidden_channels", spec.net.hidden_channels},
                                    {"kernel", spec.net.kernel},
                                    {"precision", "float32"},
                                    {"optimizer", "adam"},
                                    {"forward_flops_per_sample", forward}};
      auto train_figure = throughput_figure("train", lattice, batch, size, train, extra);
      train_figure.extra["ms_per_step"] = 1e3 * train.median;
      // (the entry returned by add() is read before the next add() may move it)
      const double train_fraction = suite.add(train_figure, "fma_fp32", 3 * forward).value("ceiling_fraction", 0.0);
      suite.add(throughput_figure("sample", lattice, batch, size, sample, extra), "fma_fp32", forward);
      log::info("{:>4} {:>6} {:>16.4g} {:>10.3f} {:>17.4g} {:>11.2f}%", lattice, batch, batch / train.median,
                1e3 * train.median, batch / sample.median, 100.0 * train_fraction);
    }
  }
}

} // namespace tessera::flow
