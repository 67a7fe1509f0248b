// tessera-bench-mlp: MLP training throughput (samples/s and TFLOP/s), float32, Adam, MSE,
// the models of the PyTorch reference (perf/nn/torch_mlp.py, same layers, batch, optimiser,
// precision):
//   small  64-256-256-1        ReLU, batch 1024   (launch overhead and fusion decide)
//   large  1024-4096-4096-1024 ReLU, batch 8192   (matrix products decide)
// each with both matrix-product paths (library: cuBLAS through Kokkos Kernels; portable:
// Tessera's own kernel). FLOPs per step: 6 * batch * sum(in * out) (nominal, as PyTorch
// benchmarks count) and the exact count, which skips the first layer's input gradient.
// The kernels and library regions of one training step are recorded through Kokkos Tools
// callbacks, so the result file shows which gemm path ran (e.g. "KokkosBlas::gemm[TPL_CUBLAS,float]").
// Usage: tessera-bench-mlp [--quick] [--batches N] [--output FILE]
#include <fstream>
#include <set>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "bench_common.hpp"
#include "ceilings.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/nn/trainer.hpp"

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

int benchmark_main(int argc, char** argv)
{
  Runtime runtime(argc, argv);
  CLI::App app("Tessera MLP training benchmark", "tessera-bench-mlp");
  bool quick = false;
  int batches = device_is_host ? 2 : 16;
  std::string output;
  app.add_flag("--quick", quick, "seconds-long smoke run (the small model, small batch)");
  app.add_option("--batches", batches, "global batches per timed call (one epoch over the resident data)");
  app.add_option("--output", output, "JSON result file (default: perf/results/mlp-<backend>-<date>.json)");
  CLI11_PARSE(app, argc, argv);

  auto file = bench::result_file("mlp");
  log::info("{}", runtime.banner());
  const auto ceilings = bench::measure_ceilings(quick);
  file["ceilings"] = ceilings;
  const double gemm_ceiling = bench::ceiling(ceilings, "gemm_fp32");
  std::vector<ModelCase> cases = {{"small", 64, "dense 256 relu, dense 256 relu, dense 1 linear", 1024}};
  if (quick) cases[0].batch = 128;
  if (!quick) cases.push_back({"large", 1024, "dense 4096 relu, dense 4096 relu, dense 1024 linear", 8192});
  log::info("gemm_fp32 ceiling: {:.4g} TFLOP/s", gemm_ceiling * 1e-12);
  log::info("{:>6} {:>9} {:>7} {:>13} {:>9} {:>10} {:>8}", "model", "path", "batch", "samples/s", "ms/step", "TFLOP/s",
            "spread");
  const Comm comm;
  for (const auto& c : cases) {
    for (const auto path : {GemmPath::library, GemmPath::portable}) {
      if (path == GemmPath::portable && c.name == "large" && device_is_host) continue; // hours on a CPU
      Architecture a;
      a.inputs = c.inputs;
      a.layers = parse_layers(c.layers, "bench");
      Model<float> model(a, path);
      model.initialise(ExecSpace{}, 1);
      Optimizer<float> adam({}, model.parameter_count());
      const Index n = c.batch * batches;
      DeviceSamples<float> data{Matrix<float>("inputs", c.inputs, n), Matrix<float>("targets", a.outputs(), n)};
      Kokkos::deep_copy(data.inputs, 0.5f);
      Kokkos::deep_copy(data.targets, 0.25f);
      Trainer<float> trainer(comm, model, adam, Loss::mse, {c.batch, 1, false});
      std::int64_t epoch = 0;
      const auto kernels = kernels_of([&] { trainer.train_epoch(data, epoch++); });
      const auto timing =
          bench::time_it([&] { trainer.train_epoch(data, epoch++); }, quick ? 1 : 3, quick ? 0.2 : 2.0, 20);
      const double samples = static_cast<double>(n);
      const auto f = flops_per_sample(a);
      const double rate = samples / timing.median;
      const std::string path_name =
          path == GemmPath::library ? (have_kokkos_kernels ? "library" : "portable*") : "portable";
      nlohmann::json extra = {{"layers", fmt::format("{}-{}", c.inputs, c.layers)},
                              {"batch", c.batch},
                              {"gemm_path", path_name},
                              {"kokkos_kernels", have_kokkos_kernels},
                              {"ms_per_step", 1e3 * timing.median / batches},
                              {"tflops_nominal", rate * f.nominal * 1e-12},
                              {"tflops_exact", rate * f.exact * 1e-12},
                              {"fraction_of_gemm_ceiling", gemm_ceiling > 0 ? rate * f.exact / gemm_ceiling : 0.0},
                              {"kernels_in_one_epoch", std::vector<std::string>(kernels.begin(), kernels.end())},
                              {"optimizer", "adam"},
                              {"loss", "mse"},
                              {"precision", "float32"}};
      file["results"].push_back(bench::entry("nn", "mlp_train_" + c.name + "_" + path_name, {{"batch", c.batch}},
                                             "samples/s", rate, samples / timing.max, samples / timing.min,
                                             timing.repetitions, extra));
      log::info("{:>6} {:>9} {:>7} {:>13.4g} {:>9.3f} {:>10.3f} {:>7.1f}%", c.name, path_name, c.batch, rate,
                1e3 * timing.median / batches, rate * f.nominal * 1e-12,
                100.0 * (timing.max - timing.min) / timing.median);
    }
  }
  if (runtime.world().is_root()) {
    if (output.empty())
      output =
          fmt::format("perf/results/mlp-{}-{}.json", backend_name(), file["date"].get<std::string>().substr(0, 10));
    std::ofstream(output) << file.dump(2) << "\n";
    log::info("results: {}", output);
  }
  return 0;
}

} // namespace
} // namespace tessera::nn

int main(int argc, char** argv)
{
  return tessera::nn::benchmark_main(argc, argv);
}
