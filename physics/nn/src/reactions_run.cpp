#include "tessera/nn/reactions_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/nn/fit.hpp"

namespace tessera::nn {

namespace {

constexpr std::uint32_t zone_stream = 0x5a4f4e45; // "ZONE": the RNG stream of the zone conditions
// (log10 rho, log10 T, X12) -> (log10 dX, log10 eps): the 12C mass burnt in the step and the
// energy generation rate, each over decades, hence logarithms. The new mass fractions are
// X12 - dX and X24 + dX, so the surrogate conserves mass exactly, whatever its error.
constexpr int n_features = 3, n_targets = 2;
constexpr double floor_value = 1e-30; // log10 of a zone that did not burn at all

// Zone k's conditions: log-uniform density and temperature, uniform X12, from (seed, k).
struct DrawZones {
  View<double*> density, temperature, x12;
  double log_rho0, log_rho1, log_t0, log_t1, x0, x1;
  std::uint64_t seed;
  Index first;
  KOKKOS_INLINE_FUNCTION void operator()(const Index i) const
  {
    RandomDraws rng(seed, zone_stream, static_cast<std::uint64_t>(first + i));
    density(i) = Kokkos::pow(10.0, rng.uniform(log_rho0, log_rho1));
    temperature(i) = Kokkos::pow(10.0, rng.uniform(log_t0, log_t1));
    x12(i) = rng.uniform(x0, x1);
  }
};

struct BurntZones {
  View<double*> density, temperature, x12;
  BurnResult result;
  double seconds = 0; // of the integration alone
};

BurntZones burn_zones(const ReactionsParams& p, Index first, Index count)
{
  BurntZones z{View<double*>("tessera::nn::zone_density", count),
               View<double*>("tessera::nn::zone_temperature", count),
               View<double*>("tessera::nn::zone_x12", count),
               {},
               0.0};
  par_for("tessera::nn::draw_zones", ExecSpace{}, 0, count,
          DrawZones{z.density, z.temperature, z.x12, std::log10(p.density_min), std::log10(p.density_max),
                    std::log10(p.temperature_min), std::log10(p.temperature_max), p.x12_min, p.x12_max, p.mlp.seed,
                    first});
  ExecSpace().fence("tessera::nn::burn_zones");
  const auto start = std::chrono::steady_clock::now();
  z.result = burn(z.density, z.temperature, z.x12, p.dt, p.burn);
  ExecSpace().fence("tessera::nn::burn_zones");
  z.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return z;
}

// Zones [first, first + count) burnt, each rank its share, gathered on every rank as samples.
Samples generate(const Comm& comm, const ReactionsParams& p, Index first, Index count, double& seconds)
{
  const auto share = block_range(count, comm.rank(), comm.size());
  const auto z = burn_zones(p, first + share.first, share.count);
  const auto failed = comm.sum(static_cast<std::int64_t>(z.result.summary.failed));
  if (failed > 0) {
    throw Error(ExitCode::failure, fmt::format("{} of {} zones failed to integrate (network.max_steps = {}, "
                                               "network.rtol = {}); raise network.max_steps or narrow the ranges",
                                               failed, count, p.burn.max_steps, p.burn.rtol));
  }
  seconds = comm.max(z.seconds);
  HostView<double**> rows("tessera::nn::reaction_rows", count, n_features + n_targets);
  const auto rho = to_host(z.density), t = to_host(z.temperature), x = to_host(z.x12);
  const auto x12 = to_host(z.result.x12), x24 = to_host(z.result.x24), eps = to_host(z.result.eps_avg);
  for (Index i = 0; i < share.count; ++i) {
    const double burnt = x24(i) - (1.0 - x(i)); // X24 gained: no cancellation against X12 near 1
    const double values[] = {std::log10(rho(i)), std::log10(t(i)), x(i), std::log10(std::max(burnt, floor_value)),
                             std::log10(std::max(eps(i), floor_value))};
    for (int c = 0; c < n_features + n_targets; ++c)
      rows(share.first + i, c) = values[c];
  }
  comm.sum_in_place(rows); // disjoint rows: the sum is the gather
  Samples s;
  s.count = count;
  s.inputs = n_features;
  s.outputs = n_targets;
  s.input_names = {"log10_rho", "log10_T", "X12"};
  s.target_names = {"log10_dX", "log10_eps"};
  for (Index i = 0; i < count; ++i) {
    for (int c = 0; c < n_features; ++c)
      s.x.push_back(rows(i, c));
    for (int c = 0; c < n_targets; ++c)
      s.y.push_back(rows(i, n_features + c));
  }
  return s;
}

void write_data(const Comm& comm, const std::filesystem::path& path, const Samples& s)
{
  if (!comm.is_root()) return;
  const Comm self(MPI_COMM_SELF);
  Hdf5Writer writer(self, path, Hdf5Layout::single_file);
  writer.write_block("inputs", {s.x.data(), h5_type<double>(), sizeof(double), {std::uint64_t(s.count), n_features}},
                     false);
  writer.write_block("targets", {s.y.data(), h5_type<double>(), sizeof(double), {std::uint64_t(s.count), n_targets}},
                     false);
  writer.attribute("", "inputs", std::string("log10 rho [g/cm^3], log10 T [K], X(12C)"));
  writer.attribute("", "targets", std::string("log10 dX (12C burnt in dt), log10 eps [erg/g/s] averaged over dt"));
  writer.close();
}

// Surrogate inference as a code would call it: raw zone conditions on the device in,
// physical predictions out, scaling included.
template <class T>
struct ScaleZones {
  View<const double*> density, temperature, x12;
  Matrix<T> inputs;
  double mean[n_features], scale[n_features];
  KOKKOS_INLINE_FUNCTION void operator()(const Index i) const
  {
    const double raw[] = {Kokkos::log10(density(i)), Kokkos::log10(temperature(i)), x12(i)};
    for (int c = 0; c < n_features; ++c)
      inputs(c, i) = static_cast<T>((raw[c] - mean[c]) / scale[c]);
  }
};
// Network outputs -> (X12, X24, eps) at the end of the step.
template <class T>
struct UnscalePredictions {
  ConstMatrix<T> outputs;
  View<const double*> x12;
  Matrix<double> physical;
  double mean[n_targets], scale[n_targets];
  KOKKOS_INLINE_FUNCTION void operator()(const Index i) const
  {
    // No more 12C can burn than there was.
    const double burnt = Kokkos::fmin(Kokkos::pow(10.0, outputs(0, i) * scale[0] + mean[0]), x12(i));
    physical(0, i) = x12(i) - burnt;
    physical(1, i) = 1.0 - x12(i) + burnt;
    physical(2, i) = Kokkos::pow(10.0, outputs(1, i) * scale[1] + mean[1]);
  }
};

struct Errors {
  double mean = 0, p95 = 0, max = 0;
};
Errors statistics(std::vector<double> e)
{
  Errors out;
  if (e.empty()) return out;
  for (const double v : e)
    out.mean += v / static_cast<double>(e.size());
  std::sort(e.begin(), e.end());
  out.p95 = e[static_cast<std::size_t>(0.95 * static_cast<double>(e.size() - 1))];
  out.max = e.back();
  return out;
}
nlohmann::json to_json(const Errors& e)
{
  return {{"mean", e.mean}, {"p95", e.p95}, {"max", e.max}};
}

template <class T>
nlohmann::json workflow(const Comm& comm, const ReactionsParams& p, const std::optional<std::filesystem::path>& restart,
                        PhaseTimers& timers)
{
  Samples samples;
  double generate_seconds = 0;
  {
    auto scope = timers.scope("generate");
    samples = generate(comm, p, 0, p.zones, generate_seconds);
  }
  log::info("training data: {} zones burnt for dt = {} s in {:.3g} s (rho {:.3g}..{:.3g} g/cm^3, T {:.3g}..{:.3g} K, "
            "X12 {}..{})",
            p.zones, p.dt, generate_seconds, p.density_min, p.density_max, p.temperature_min, p.temperature_max,
            p.x12_min, p.x12_max);
  if (!p.data_file.empty()) write_data(comm, p.mlp.output_dir / p.data_file, samples);
  const auto data = prepare_data(samples, p.mlp, "tessera-reactions training data");
  const auto architecture = architecture_of(p.mlp, n_features);
  check_device_memory(comm, p.mlp, data, architecture, sizeof(T));
  Model<T> model(architecture);
  log::info("surrogate: {} ({} parameters, {})", architecture.text(), model.parameter_count(), p.mlp.precision);
  const auto fitted = fit<T>(comm, p.mlp, data, restart, timers, model);
  if (fitted.interrupted) return {{"training", to_json(fitted)}};

  // Held-out zones: burnt by the integrator (the truth, timed) and predicted (timed).
  auto scope = timers.scope("held_out");
  const auto share = block_range(p.test_zones, comm.rank(), comm.size());
  const auto truth = burn_zones(p, p.zones + share.first, share.count);
  const auto failed = comm.sum(static_cast<std::int64_t>(truth.result.summary.failed));
  if (failed > 0) throw Error(ExitCode::failure, fmt::format("{} held-out zones failed to integrate", failed));
  Matrix<T> inputs("tessera::nn::surrogate_inputs", n_features, share.count);
  Matrix<double> predicted("tessera::nn::surrogate_outputs", 3, share.count);
  ScaleZones<T> scale{truth.density, truth.temperature, truth.x12, inputs, {}, {}};
  UnscalePredictions<T> unscale{{}, truth.x12, predicted, {}, {}};
  for (int c = 0; c < n_features; ++c) {
    scale.mean[c] = data.input_scaler.empty() ? 0.0 : data.input_scaler.mean[c];
    scale.scale[c] = data.input_scaler.empty() ? 1.0 : data.input_scaler.scale[c];
  }
  for (int c = 0; c < n_targets; ++c) {
    unscale.mean[c] = data.target_scaler.empty() ? 0.0 : data.target_scaler.mean[c];
    unscale.scale[c] = data.target_scaler.empty() ? 1.0 : data.target_scaler.scale[c];
  }
  model.reserve(share.count);
  const auto infer = [&] {
    par_for("tessera::nn::scale_zones", ExecSpace{}, 0, share.count, scale);
    unscale.outputs = model.forward(ExecSpace{}, inputs);
    par_for("tessera::nn::unscale_predictions", ExecSpace{}, 0, share.count, unscale);
    ExecSpace().fence("tessera::nn::surrogate");
  };
  infer(); // warm-up
  const auto start = std::chrono::steady_clock::now();
  infer();
  const double surrogate_seconds =
      comm.max(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  const double integrator_seconds = comm.max(truth.seconds);

  const auto pred = host_copy(predicted);
  const auto x12 = to_host(truth.result.x12), x24 = to_host(truth.result.x24), eps = to_host(truth.result.eps_avg);
  const auto x0 = to_host(truth.x12);
  std::vector<double> e12, e24, eburnt, eeps;
  for (Index i = 0; i < share.count; ++i) {
    const double burnt = x24(i) - (1.0 - x0(i)), predicted_burnt = pred(1, i) - (1.0 - x0(i));
    e12.push_back(std::fabs(pred(0, i) - x12(i))); // absolute: X12 of a zone that burnt out is ~0
    e24.push_back(std::fabs(pred(1, i) - x24(i)));
    eburnt.push_back(std::fabs(predicted_burnt - burnt) / std::max(burnt, floor_value));
    eeps.push_back(std::fabs(pred(2, i) - eps(i)) / std::max(eps(i), floor_value));
  }
  // Rank 0's share stands for all (the zones are i.i.d.); the sizes are in the summary.
  const auto s12 = statistics(e12), s24 = statistics(e24), sburnt = statistics(eburnt), seps = statistics(eeps);
  const double speedup = integrator_seconds / std::max(surrogate_seconds, 1e-30);
  log::info("held-out zones ({} on rank 0), errors (mean / p95 / max): |X12| {:.2e} / {:.2e} / {:.2e}; |X24| "
            "{:.2e} / {:.2e} / {:.2e}; relative, 12C burnt {:.2e} / {:.2e} / {:.2e}; relative, eps {:.2e} / {:.2e} / "
            "{:.2e}",
            share.count, s12.mean, s12.p95, s12.max, s24.mean, s24.p95, s24.max, sburnt.mean, sburnt.p95, sburnt.max,
            seps.mean, seps.p95, seps.max);
  log::info("speed on {}: integrator {:.4g} s ({:.4g} zones/s), surrogate {:.4g} s ({:.4g} zones/s): {:.1f}x faster",
            backend_name(), integrator_seconds, static_cast<double>(p.test_zones) / integrator_seconds,
            surrogate_seconds, static_cast<double>(p.test_zones) / surrogate_seconds, speedup);
  return {{"training", to_json(fitted)},
          {"training_zones", p.zones},
          {"generate_seconds", generate_seconds},
          {"held_out",
           {{"zones", p.test_zones},
            {"zones_evaluated_rank0", share.count},
            {"x12_abs_error", to_json(s12)},
            {"x24_abs_error", to_json(s24)},
            {"burnt_rel_error", to_json(sburnt)},
            {"eps_rel_error", to_json(seps)}}},
          {"speed",
           {{"integrator_seconds", integrator_seconds},
            {"surrogate_seconds", surrogate_seconds},
            {"integrator_zones_per_second", static_cast<double>(p.test_zones) / integrator_seconds},
            {"surrogate_zones_per_second", static_cast<double>(p.test_zones) / surrogate_seconds},
            {"speedup", speedup},
            {"integrator_steps", truth.result.summary.steps}}}};
}

} // namespace

ConfigSchema reactions_schema()
{
  ConfigSchema s;
  s.add_int("network.zones", 50000, "zones burnt for the training set (split into training and validation)", 10,
            1LL << 40)
      .add_int("network.test_zones", 10000, "held-out zones, never trained on: the accuracy and speed figures", 1,
               1LL << 40)
      .add_real("network.density_min", 1e8, "lowest density (log-uniform draws)", 1.0, 1e12, "g/cm^3")
      .add_real("network.density_max", 1e9, "highest density", 1.0, 1e12, "g/cm^3")
      .add_real("network.temperature_min", 1.2e9, "lowest temperature (log-uniform draws)", 1e7, 1e10, "K")
      .add_real("network.temperature_max", 1.4e9, "highest temperature", 1e7, 1e10, "K")
      .add_real("network.x12_min", 0.3, "lowest initial 12C mass fraction (uniform draws; X24 = 1 - X12)", 0.0, 1.0)
      .add_real("network.x12_max", 1.0, "highest initial 12C mass fraction", 0.0, 1.0)
      .add_real("network.dt", 1e-3, "burn time step of every zone", 1e-12, 1e6, "s")
      .add_real("network.rtol", 1e-8, "integrator: relative tolerance", 1e-14, 1e-2)
      .add_real("network.atol", 1e-12, "integrator: absolute tolerance", 1e-30, 1e-2)
      .add_int("network.max_steps", 20000, "integrator: steps per zone before it is reported as failed", 10, 1 << 30)
      .add_real("data.validation_fraction", 0.2, "share of network.zones held out for validation during training", 0.0,
                0.9);
  add_model_keys(s, "dense 64 gelu, residual 64 gelu, residual 64 gelu, dense 2 linear");
  add_training_keys(s);
  s.add_string("output.model", "surrogate.h5", "the trained surrogate (HDF5 model file, as tessera-mlp writes)")
      .add_string("output.history", "history.csv", "metrics per epoch (CSV) (\"\": none)")
      .add_string("output.data", "reactions_data.h5",
                  "the generated training set (datasets inputs, targets) for tessera-mlp (\"\": none)")
      .add_int("output.checkpoint_every", 10, "epochs between training checkpoints mlp.chk.h5 (0: only on SIGTERM)", 0,
               1LL << 40);
  return s;
}

ReactionsParams reactions_params_from(const Config& c, const std::filesystem::path& output_dir)
{
  ReactionsParams p;
  p.mlp.output_dir = output_dir;
  read_model_keys(c, p.mlp);
  if (c.get_string("training.loss") != "mse") {
    throw InputError("key 'training.loss': the surrogate is a regression; expected mse");
  }
  read_training_keys(c, p.mlp);
  p.mlp.data.validation_fraction = c.get_real("data.validation_fraction");
  p.mlp.model_file = file_name_key(c, "output.model");
  p.mlp.history_file = file_name_key(c, "output.history");
  p.mlp.checkpoint_every = c.get_int("output.checkpoint_every");
  p.data_file = file_name_key(c, "output.data");
  p.zones = c.get_int("network.zones");
  p.test_zones = c.get_int("network.test_zones");
  p.density_min = c.get_real("network.density_min");
  p.density_max = c.get_real("network.density_max");
  p.temperature_min = c.get_real("network.temperature_min");
  p.temperature_max = c.get_real("network.temperature_max");
  p.x12_min = c.get_real("network.x12_min");
  p.x12_max = c.get_real("network.x12_max");
  p.dt = c.get_real("network.dt");
  p.burn.rtol = c.get_real("network.rtol");
  p.burn.atol = c.get_real("network.atol");
  p.burn.max_steps = static_cast<int>(c.get_int("network.max_steps"));
  const auto ordered = [](const char* name, double lo, double hi) {
    if (!(lo <= hi)) {
      throw InputError(
          fmt::format("keys 'network.{0}_min' = {1} and 'network.{0}_max' = {2}: expected min <= max", name, lo, hi));
    }
  };
  ordered("density", p.density_min, p.density_max);
  ordered("temperature", p.temperature_min, p.temperature_max);
  ordered("x12", p.x12_min, p.x12_max);
  const auto layers = parse_layers(p.mlp.layers, "model.layers");
  if (layers.back().width != n_targets) {
    throw InputError(fmt::format("key 'model.layers': the last layer must have {} outputs (log10 dX, log10 eps), "
                                 "not {}",
                                 n_targets, layers.back().width));
  }
  return p;
}

namespace {

// Every rank holds the whole training set (rows, samples, split, device copy) and burns its
// share of the zones: about 320 bytes per zone, generously. Refused up front rather than
// by an allocation failure after minutes of burning.
void check_memory(const Comm& comm, const ReactionsParams& p)
{
  constexpr double bytes_per_zone = 320;
  const double need = bytes_per_zone * static_cast<double>(p.zones + p.test_zones);
  const double free = comm.min(static_cast<double>(available_memory_bytes()));
  if (need > 0.9 * free) {
    throw InputError(fmt::format("network.zones = {} and network.test_zones = {} need about {:.2f} GiB per rank, more "
                                 "than the {:.2f} GiB free; lower network.zones",
                                 p.zones, p.test_zones, need / (1 << 30), free / (1 << 30)));
  }
}

} // namespace

nlohmann::json run_reactions(const Comm& comm, const ReactionsParams& params,
                             const std::optional<std::filesystem::path>& restart, PhaseTimers& timers)
{
  check_memory(comm, params);
  return params.mlp.precision == "float64" ? workflow<double>(comm, params, restart, timers)
                                           : workflow<float>(comm, params, restart, timers);
}

} // namespace tessera::nn
