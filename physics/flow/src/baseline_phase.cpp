// SPDX-License-Identifier: Apache-2.0
#include "baseline_phase.hpp"

#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/flow/hmc.hpp"
#include "tessera/flow/local_metropolis.hpp"

namespace tessera::flow {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

class HmcSampler final : public ChainSampler {
public:
  HmcSampler(std::unique_ptr<nn::LatticeAction<double>> action, Index chains, const HmcParams& params)
      : action_(std::move(action)), hmc_(*action_, chains, params)
  {
  }
  BatchedHmc<double>& hmc() { return hmc_; }
  std::array<double, 2> advance() override
  {
    const auto t = hmc_.trajectory();
    double accepted = 0;
    for (const char a : t.accepted)
      accepted += a != 0;
    return {accepted, static_cast<double>(t.accepted.size())};
  }
  std::uint64_t units() const override { return hmc_.trajectories(); }
  nn::ConstFieldBatch<double> fields() const override { return hmc_.fields(); }
  void restore(const nn::ConstFieldBatch<double>& fields, std::uint64_t units) override { hmc_.restore(fields, units); }

private:
  std::unique_ptr<nn::LatticeAction<double>> action_; // BatchedHmc keeps a pointer to it
  BatchedHmc<double> hmc_;
};

class MetropolisSampler final : public ChainSampler {
public:
  explicit MetropolisSampler(std::unique_ptr<LocalMetropolis<double>> metropolis) : metropolis_(std::move(metropolis))
  {
  }
  std::array<double, 2> advance() override
  {
    const auto sweep = metropolis_->update();
    return {static_cast<double>(sweep.accepted.at(0)), static_cast<double>(sweep.proposals)};
  }
  std::uint64_t units() const override { return metropolis_->sweeps(); }
  nn::ConstFieldBatch<double> fields() const override { return metropolis_->fields(); }
  void restore(const nn::ConstFieldBatch<double>& fields, std::uint64_t units) override
  {
    metropolis_->restore(fields, units);
  }

private:
  std::unique_ptr<LocalMetropolis<double>> metropolis_;
};

double mean(const std::vector<double>& v)
{
  double s = 0;
  for (const double x : v)
    s += x;
  return v.empty() ? nan : s / static_cast<double>(v.size());
}

} // namespace

BaselinePhase::BaselinePhase(const Comm& comm, const TargetTheory& theory, BaselineSettings settings,
                             std::unique_ptr<ChainSampler> sampler)
    : comm_(&comm), theory_(&theory), settings_(std::move(settings)), sampler_(std::move(sampler)),
      estimates_(theory.estimates(settings_.chains))
{
}

BaselineUnit BaselinePhase::advance()
{
  const auto start = std::chrono::steady_clock::now();
  const auto counts = sampler_->advance();
  const double accepted = comm_->sum(counts[0]), proposed = comm_->sum(counts[1]);
  acceptance_.push_back(proposed > 0 ? accepted / proposed : nan);
  // 200 proposals in a row rejected (every chain, every one): even at 5% acceptance that
  // happens once in 30000 runs; a sampler this stuck (an HMC step that blows up) would
  // otherwise end with exit 0 and no estimate. The counts are global: every rank stops alike.
  rejected_in_a_row_ = accepted > 0 ? 0 : rejected_in_a_row_ + proposed;
  if (rejected_in_a_row_ >= 200)
    throw Error(ExitCode::failure,
                fmt::format("{}: {:.0f} proposals in a row rejected on every chain (after {} {}): the sampler is "
                            "stuck{}",
                            settings_.title, rejected_in_a_row_, done(), settings_.unit,
                            settings_.key == "hmc" ? " (the molecular dynamics blows up: lower "
                                                     "hmc.trajectory_length or raise hmc.steps)"
                                                   : ""));
  BaselineUnit unit{done() - 1, acceptance_.back(), {nan, nan}};
  const bool measured = done() > settings_.thermalisation;
  if (measured) {
    const auto mine = theory_->measure(ExecSpace{}, sampler_->fields());
    const auto all = comm_->size() > 1 ? comm_->all_gather_v(mine) : mine;
    estimates_->add(all);
    unit.progress = theory_->progress(all);
  }
  (measured ? seconds_ : thermalisation_seconds_) +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return unit;
}

void BaselinePhase::write(CheckpointWriter& w) const
{
  const std::string& key = settings_.key;
  // Every rank must write the same attributes (their checksum): the slowest rank's times.
  w.attribute(key + ".seconds", comm_->max(seconds_));
  w.attribute(key + ".thermalisation_seconds", comm_->max(thermalisation_seconds_));
  w.attribute(key + ".units", done());
  const auto host = host_copy(sampler_->fields());
  const std::vector<double> mine(host.data(), host.data() + host.extent(0));
  write_vector(w, key + "/fields", comm_->size() > 1 ? comm_->all_gather_v(mine) : mine);
  write_vector(w, key + "/acceptance", acceptance_);
  estimates_->write(w, key + "/");
}

void BaselinePhase::read(CheckpointReader& r)
{
  const std::string& key = settings_.key;
  seconds_ = r.attribute_real(key + ".seconds");
  thermalisation_seconds_ = r.attribute_real(key + ".thermalisation_seconds");
  const auto fields = read_vector(r, key + "/fields");
  const auto v = static_cast<std::size_t>(theory_->components());
  const auto chains = static_cast<std::size_t>(settings_.chains);
  if (fields.size() != chains * v)
    throw IoError(fmt::format("{}: {}/fields holds {} values, {}.chains x {} = {}", r.path().string(), key,
                              fields.size(), key, v, chains * v));
  const auto share = block_range(settings_.chains, comm_->rank(), comm_->size());
  nn::FieldBatch<double> mine("tessera::flow::restart_fields", share.count * theory_->components());
  auto host = Kokkos::create_mirror_view(mine);
  for (std::size_t i = 0; i < host.extent(0); ++i)
    host(i) = fields[static_cast<std::size_t>(share.first) * v + i];
  Kokkos::deep_copy(mine, host);
  acceptance_ = read_vector(r, key + "/acceptance");
  sampler_->restore(mine, static_cast<std::uint64_t>(r.attribute_int(key + ".units")));
  estimates_->read(r, key + "/");
}

void BaselinePhase::report(nlohmann::json& j, std::vector<std::string>& lines, double& units, double& seconds) const
{
  if (estimates_->steps() < 2) return;
  const auto r = estimates_->summary();
  const double steps = static_cast<double>(estimates_->steps()), chains = static_cast<double>(settings_.chains);
  // A step of the series is one unit of every chain: seconds per chain-unit, times 2 tau_int.
  const double cost = r.cost_observable.has_estimate ? seconds_ / chains / steps * 2 * r.cost_observable.tau_int : nan;
  j[settings_.key] = {{"chains", settings_.chains},
                      {settings_.unit, done()},
                      {"acceptance", mean(acceptance_)},
                      {"seconds", seconds_},
                      {"thermalisation_seconds", thermalisation_seconds_},
                      {"observables", r.observables},
                      {"seconds_per_independent_" + theory_->cost_key(), cost}};
  lines.push_back(fmt::format("{}: {} chains x {} {} ({} thermalisation), acceptance {:.3f}", settings_.title,
                              settings_.chains, done(), settings_.unit, settings_.thermalisation, mean(acceptance_)));
  lines.push_back(
      fmt::format("{:<10} {}  s per independent {} {:.3g}", settings_.title, r.line, theory_->cost_name(), cost));
  units += steps * chains;
  seconds += seconds_;
}

std::unique_ptr<BaselinePhase> make_hmc_phase(const Comm& comm, const TargetTheory& theory, const Params& p)
{
  const auto share = block_range(p.hmc.chains, comm.rank(), comm.size());
  HmcParams h;
  h.trajectory_length = p.hmc.trajectory_length;
  h.steps = static_cast<int>(p.hmc.steps);
  h.seed = p.hmc.seed;
  h.first_chain = static_cast<std::uint64_t>(share.first);
  auto sampler = std::make_unique<HmcSampler>(theory.action_double(), share.count, h);
  if (p.hmc.start == "hot") {
    sampler->hmc().start_hot(0.5);
  } else {
    sampler->hmc().start_cold();
  }
  return std::make_unique<BaselinePhase>(
      comm, theory,
      BaselineSettings{"hmc", "HMC", "trajectories", p.hmc.chains, p.hmc.thermalisation, p.hmc.trajectories},
      std::move(sampler));
}

std::unique_ptr<BaselinePhase> make_metropolis_phase(const Comm& comm, const TargetTheory& theory, const Params& p)
{
  const auto share = block_range(p.metropolis.chains, comm.rank(), comm.size());
  LocalMetropolisParams m;
  m.sweeps = 1;
  m.hits = static_cast<int>(p.metropolis.hits);
  m.width = p.metropolis.width;
  m.seed = p.metropolis.seed;
  m.first_chain = static_cast<std::uint64_t>(share.first);
  return std::make_unique<BaselinePhase>(comm, theory,
                                         BaselineSettings{"metropolis", "Metropolis", "sweeps", p.metropolis.chains,
                                                          p.metropolis.thermalisation, p.metropolis.sweeps},
                                         std::make_unique<MetropolisSampler>(theory.local_metropolis(share.count, m)));
}

} // namespace tessera::flow
