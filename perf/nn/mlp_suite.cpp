// SPDX-License-Identifier: Apache-2.0
// MLP training throughput (samples/s and TFLOP/s), float32, Adam, MSE, the models of the
// PyTorch reference (perf/nn/torch_mlp.py, same layers, batch, optimiser, precision):
//   small  64-256-256-1        ReLU, batch 1024   (launch overhead and fusion decide)
//   large  1024-4096-4096-1024 ReLU, batch 8192   (matrix products decide)
// each with both matrix-product paths (library: cuBLAS through Kokkos Kernels; portable:
// Tessera's own kernel). FLOPs per step: 6 * batch * sum(in * out) (nominal, as PyTorch
// benchmarks count) and the exact count, which skips the first layer's input gradient; the
// exact count over the faster of the measured FP32 GEMM and FMA rates is the ceiling
// fraction. The kernels and library regions of one training step are recorded through
// Kokkos Tools callbacks, so the result shows which gemm path ran (e.g.
// "KokkosBlas::gemm[TPL_CUBLAS,float]").
#include "mlp_suite.hpp"

#include <set>
#include <string>

#include <fmt/format.h>

#include "tessera/core/log.hpp"
#include "tessera/nn/mlp_simulation.hpp"
#include "tessera/nn/training_data.hpp"

namespace tessera::nn {
namespace {

struct ModelCase {
  std::string name;
  int inputs;
  std::string layers;
  Index batch;
};

std::set<std::string>& recorded()
{
  static std::set<std::string> names;
  return names;
}
void record_kernel(const char* name, std::uint32_t, std::uint64_t*)
{
  recorded().insert(name);
}
void record_region(const char* name)
{
  recorded().insert(std::string("region: ") + name);
}

// What one training step launches, by name.
template <class F>
std::set<std::string> kernels_of(const F& step)
{
  namespace tools = Kokkos::Tools::Experimental;
  recorded().clear();
  tools::set_begin_parallel_for_callback(record_kernel);
  tools::set_begin_parallel_reduce_callback(record_kernel);
  tools::set_begin_parallel_scan_callback(record_kernel);
  tools::set_push_region_callback(record_region);
  step();
  tools::set_begin_parallel_for_callback(nullptr);
  tools::set_begin_parallel_reduce_callback(nullptr);
  tools::set_begin_parallel_scan_callback(nullptr);
  tools::set_push_region_callback(nullptr);
  return recorded();
}

struct Flops {
  double nominal = 0, exact = 0;
};
Flops flops_per_sample(const Architecture& a)
{
  Flops f;
  int width = a.inputs;
  for (std::size_t l = 0; l < a.layers.size(); ++l) {
    const double weights = static_cast<double>(width) * a.layers[l].width;
    f.nominal += 6 * weights;
    f.exact += (l == 0 ? 4 : 6) * weights;
    width = a.layers[l].width;
  }
  return f;
}

} // namespace

void mlp_benchmarks(bench::Suite& suite, const BenchOptions& options)
{
  const bool quick = suite.quick();
  const int batches = options.batches > 0 ? options.batches : (device_is_host ? 2 : 16);
  // The bound is the faster of the measured FP32 GEMM and FMA rates: on a GPU cuBLAS, on a
  // host without a BLAS library Kokkos Kernels' own gemm, which is no ceiling of the CPU.
  const std::string ceiling_name = suite.ceiling("gemm_fp32") >= suite.ceiling("fma_fp32") ? "gemm_fp32" : "fma_fp32";
  std::vector<ModelCase> cases = {{"small", 64, "dense 256 relu, dense 256 relu, dense 1 linear", 1024}};
  if (quick) cases[0].batch = 128;
  if (!quick) cases.push_back({"large", 1024, "dense 4096 relu, dense 4096 relu, dense 1024 linear", 8192});
  log::info("{:>6} {:>9} {:>7} {:>13} {:>9} {:>10} {:>8} {:>14}", "model", "path", "batch", "samples/s", "ms/step",
            "TFLOP/s", "spread", "of " + ceiling_name);
  const Comm comm;
  for (const auto& c : cases) {
    for (const auto path : {GemmPath::library, GemmPath::portable}) {
      // The large model through the portable kernel on a CPU: 2.4 TFLOP per call, many minutes.
      const bool portable_kernel = path == GemmPath::portable || !have_kokkos_kernels;
      if (c.name == "large" && device_is_host && portable_kernel) {
        log::info("{:>6} {:>9}: skipped on a host (the portable kernel: minutes per call)", c.name,
                  path == GemmPath::portable ? "portable" : "library*");
        continue;
      }
      // tessera-mlp's keys: float32, Adam with its default settings, mse, no shuffle.
      const auto p = params_for<MlpSimulation>({"model.layers=" + c.layers, fmt::format("training.batch={}", c.batch),
                                                "training.shuffle=false", "model.precision=float32",
                                                "training.optimizer=adam", "training.loss=mse"});
      const Architecture a = architecture_of(p, c.inputs);
      Model<float> model(a, path);
      model.initialise(ExecSpace{}, p.seed);
      Optimizer<float> adam(p.optimizer, model.parameter_count());
      const Index n = c.batch * batches;
      DeviceSamples<float> data{Matrix<float>("inputs", c.inputs, n), Matrix<float>("targets", a.outputs(), n)};
      Kokkos::deep_copy(data.inputs, 0.5f);
      Kokkos::deep_copy(data.targets, 0.25f);
      Trainer<float> trainer(comm, model, adam, p.loss, train_settings(p));
      std::int64_t epoch = 0;
      const auto kernels = kernels_of([&] { trainer.train_epoch(data, epoch++); });
      const auto timing =
          bench::time_it([&] { trainer.train_epoch(data, epoch++); }, quick ? 1 : 3, quick ? 0.2 : 2.0, 20);
      const double samples = static_cast<double>(n);
      const auto f = flops_per_sample(a);
      const double rate = samples / timing.median;
      const std::string path_name =
          path == GemmPath::library ? (have_kokkos_kernels ? "library" : "portable*") : "portable";
      bench::Figure figure{"nn",
                           "mlp_train_" + c.name + "_" + path_name,
                           {{"batch", c.batch}},
                           static_cast<double>(c.batch),
                           "samples per batch",
                           "samples/s",
                           samples,
                           timing};
      figure.extra = {{"layers", fmt::format("{}-{}", c.inputs, c.layers)},
                      {"batch", c.batch},
                      {"gemm_path", path_name},
                      {"kokkos_kernels", have_kokkos_kernels},
                      {"ms_per_step", 1e3 * timing.median / batches},
                      {"tflops_nominal", rate * f.nominal * 1e-12},
                      {"tflops_exact", rate * f.exact * 1e-12},
                      {"kernels_in_one_epoch", std::vector<std::string>(kernels.begin(), kernels.end())},
                      {"optimizer", "adam"},
                      {"loss", "mse"},
                      {"precision", "float32"}};
      const auto& e = suite.add(figure, ceiling_name, f.exact);
      log::info("{:>6} {:>9} {:>7} {:>13.4g} {:>9.3f} {:>10.3f} {:>7.1f}% {:>13.1f}%", c.name, path_name, c.batch, rate,
                1e3 * timing.median / batches, rate * f.nominal * 1e-12,
                100.0 * (timing.max - timing.min) / timing.median, 100.0 * e.value("ceiling_fraction", 0.0));
    }
  }
}

} // namespace tessera::nn
