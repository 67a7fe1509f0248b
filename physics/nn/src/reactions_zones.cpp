// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/reactions_zones.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/hdf5.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/core/runtime.hpp"

namespace tessera::nn {

namespace {

constexpr std::uint32_t zone_stream = 0x5a4f4e45; // "ZONE": the RNG stream of the zone conditions
// (log10 rho, log10 T, X12) -> (log10 dX, log10 eps): the 12C mass burnt in the step and the
// energy generation rate, each over decades, hence logarithms. The new mass fractions are
// X12 - dX and X24 + dX, so the surrogate conserves mass exactly, whatever its error.
constexpr int n_features = reaction_features, n_targets = reaction_targets;
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

void write_zones_file(const std::filesystem::path& path, const Samples& s)
{
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

} // namespace

// Every rank holds the whole training set (rows, samples, split, device copy) and burns its
// share of the zones: about 320 bytes per zone, generously.
void check_zone_memory(const Comm& comm, const ReactionsParams& p)
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

Samples generate_zones(const Comm& comm, const ReactionsParams& p, Index first, Index count, double& seconds)
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

void write_zones(const Comm& comm, const std::filesystem::path& path, const Samples& s)
{
  // Rank 0 writes alone; every rank learns whether that worked (one exit code for all).
  std::string failure;
  if (comm.is_root()) {
    try {
      write_zones_file(path, s);
    } catch (const std::exception& e) {
      failure = e.what();
      if (failure.empty()) failure = path.string() + ": writing the training set failed";
    }
  }
  failure = comm.broadcast(failure);
  if (!failure.empty()) throw IoError(failure);
}

template <class T>
HeldOut evaluate_held_out(const Comm& comm, const ReactionsParams& p, Model<T>& model, const PreparedData& data)
{
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
  // Every rank's errors in one table (disjoint columns: the sum is the gather), so that the
  // statistics are those of all held-out zones whatever the number of ranks.
  HostView<double**> errors("tessera::nn::held_out_errors", 4, p.test_zones);
  for (Index i = 0; i < share.count; ++i) {
    const double burnt = x24(i) - (1.0 - x0(i)), predicted_burnt = pred(1, i) - (1.0 - x0(i));
    const Index zone = share.first + i;
    errors(0, zone) = std::fabs(pred(0, i) - x12(i)); // absolute: X12 of a zone that burnt out is ~0
    errors(1, zone) = std::fabs(pred(1, i) - x24(i));
    errors(2, zone) = std::fabs(predicted_burnt - burnt) / std::max(burnt, floor_value);
    errors(3, zone) = std::fabs(pred(2, i) - eps(i)) / std::max(eps(i), floor_value);
  }
  comm.sum_in_place(errors);
  const auto column = [&](int row) {
    std::vector<double> v(static_cast<std::size_t>(p.test_zones));
    for (Index zone = 0; zone < p.test_zones; ++zone)
      v[static_cast<std::size_t>(zone)] = errors(row, zone);
    return v;
  };
  const auto s12 = statistics(column(0)), s24 = statistics(column(1)), sburnt = statistics(column(2)),
             seps = statistics(column(3));
  const auto integrator_steps = comm.sum(static_cast<std::int64_t>(truth.result.summary.steps));
  const double speedup = integrator_seconds / std::max(surrogate_seconds, 1e-30);
  HeldOut out;
  out.lines.push_back(fmt::format(
      "held-out zones ({}), errors (mean / p95 / max): |X12| {:.2e} / {:.2e} / {:.2e}; |X24| {:.2e} / "
      "{:.2e} / {:.2e}; relative, 12C burnt {:.2e} / {:.2e} / {:.2e}; relative, eps {:.2e} / {:.2e} / {:.2e}",
      p.test_zones, s12.mean, s12.p95, s12.max, s24.mean, s24.p95, s24.max, sburnt.mean, sburnt.p95, sburnt.max,
      seps.mean, seps.p95, seps.max));
  out.lines.push_back(
      fmt::format("speed on {}: integrator {:.4g} s ({:.4g} zones/s), surrogate {:.4g} s ({:.4g} zones/s): {}",
                  backend_name(), integrator_seconds, static_cast<double>(p.test_zones) / integrator_seconds,
                  surrogate_seconds, static_cast<double>(p.test_zones) / surrogate_seconds, speed_comparison(speedup)));
  out.json = {{"held_out",
               {{"zones", p.test_zones},
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
                {"integrator_steps", integrator_steps}}}};
  return out;
}

std::string speed_comparison(double speedup)
{
  if (!(speedup > 0) || !std::isfinite(speedup)) return "no comparison (a time was zero)";
  const std::string faster = fmt::format("{:.1f}", speedup), slower = fmt::format("{:.1f}", 1.0 / speedup);
  if (faster == "1.0" && slower == "1.0") return "as fast";
  return speedup >= 1.0 ? faster + "x faster" : slower + "x slower";
}

template HeldOut evaluate_held_out<float>(const Comm&, const ReactionsParams&, Model<float>&, const PreparedData&);
template HeldOut evaluate_held_out<double>(const Comm&, const ReactionsParams&, Model<double>&, const PreparedData&);

} // namespace tessera::nn
