// SPDX-License-Identifier: Apache-2.0
#include "tessera/flow/simulation.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "baseline_phase.hpp"
#include "target_theory.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/flow/model_file.hpp"
#include "tessera/nn/affine_flow.hpp"
#include "tessera/nn/independence_chain.hpp"
#include "tessera/nn/reverse_kl.hpp"

namespace tessera::flow {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
// Version 2: the theory's measurement records (version 1 kept phi^4's observables by name).
constexpr const char* checkpoint_format = "tessera-flow-checkpoint 2";

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start)
{
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Every rank's records of its share, joined in rank order (= global sample order).
std::vector<double> gather(const Comm& comm, const std::vector<double>& mine)
{
  return comm.size() > 1 ? comm.all_gather_v(mine) : mine;
}

// Record k (of `size` doubles) of `from` appended to `to`.
void append_record(std::vector<double>& to, const std::vector<double>& from, Index k, Index size)
{
  const auto first = from.begin() + static_cast<std::ptrdiff_t>(k * size);
  to.insert(to.end(), first, first + size);
}

// The flow, its optimiser and trainer, in the precision of model.precision.
class FlowPart {
public:
  virtual ~FlowPart() = default;
  virtual nn::ReverseKlStep train_step() = 0;
  virtual std::int64_t train_steps() const = 0;
  // log w = -S - log q and the measurement records of this rank's `count` proposals, global
  // proposal indices first ... first + count - 1.
  virtual void propose(std::uint64_t first, Index count, std::vector<double>& log_weight,
                       std::vector<double>& records) = 0;
  virtual std::size_t parameter_count() const = 0;
  virtual void save(const Comm& comm, const std::filesystem::path& path, const Params& p) const = 0;
  virtual void write(CheckpointWriter& writer) const = 0;
  virtual void read(CheckpointReader& reader, const Params& p) = 0;
  virtual void load(const Comm& comm, const std::filesystem::path& path) = 0;
};

template <class T>
class FlowPartT final : public FlowPart {
public:
  FlowPartT(const Comm& comm, const Params& p, const TargetTheory& theory)
      : params_(p), theory_(&theory), action_(theory.action<T>()), flow_(theory.flow<T>()),
        optimizer_(p.train.optimizer, flow_->parameter_count()), sample_seed_(p.sample.seed)
  {
    flow_->initialise(ExecSpace{}, p.model_seed);
    if (p.trains()) {
      trainer_.emplace(comm, *flow_, *action_, optimizer_, nn::ReverseKlSettings{p.train.batch, p.train.seed});
    }
  }

  nn::ReverseKlStep train_step() override { return trainer_->step(); }
  std::int64_t train_steps() const override { return trainer_ ? trainer_->steps() : 0; }
  std::size_t parameter_count() const override { return flow_->parameter_count(); }

  void propose(std::uint64_t first, Index count, std::vector<double>& log_weight, std::vector<double>& records) override
  {
    const ExecSpace space;
    const Index values = count * flow_->components();
    if (static_cast<Index>(z_.extent(0)) < values) {
      z_ = nn::FieldBatch<T>("tessera::flow::proposals::z", values);
      log_q_ = nn::SampleValues<T>("tessera::flow::proposals::log_q", count);
      action_values_ = nn::SampleValues<T>("tessera::flow::proposals::action", count);
    }
    const auto z = Kokkos::subview(z_, std::pair<Index, Index>(0, values));
    const auto log_q = Kokkos::subview(log_q_, std::pair<Index, Index>(0, count));
    const auto s = Kokkos::subview(action_values_, std::pair<Index, Index>(0, count));
    flow_->draw_prior(space, sample_seed_, first, z, log_q);
    const auto phi = flow_->forward(space, z, log_q);
    action_->evaluate(space, phi, s);
    records = theory_->measure(space, phi);
    const auto q = host_copy(log_q), a = host_copy(s);
    log_weight.resize(count);
    for (Index i = 0; i < count; ++i)
      log_weight[i] = -static_cast<double>(a(i)) - static_cast<double>(q(i));
  }

  void save(const Comm& comm, const std::filesystem::path& path, const Params& p) const override
  {
    write_flow_model<T>(comm, path, p, *flow_, optimizer_);
  }
  void write(CheckpointWriter& writer) const override { write_flow_state<T>(writer, params_, *flow_, optimizer_); }
  void load(const Comm& comm, const std::filesystem::path& path) override
  {
    read_flow_model<T>(comm, path, params_, *flow_, optimizer_);
  }
  void read(CheckpointReader& reader, const Params& p) override
  {
    read_flow_state<T>(reader, p, *flow_, optimizer_);
    if (trainer_) trainer_->set_steps(optimizer_.steps());
  }

private:
  Params params_;
  const TargetTheory* theory_;
  std::unique_ptr<nn::LatticeAction<T>> action_;
  std::unique_ptr<nn::LatticeFlow<T>> flow_;
  nn::Optimizer<T> optimizer_;
  std::optional<nn::ReverseKlTrainer<T>> trainer_;
  std::uint64_t sample_seed_;
  nn::FieldBatch<T> z_;
  nn::SampleValues<T> log_q_, action_values_;
};

std::unique_ptr<FlowPart> make_flow_part(const Comm& comm, const Params& p, const TargetTheory& theory)
{
  if (p.precision == "float64") return std::make_unique<FlowPartT<double>>(comm, p, theory);
  return std::make_unique<FlowPartT<float>>(comm, p, theory);
}

// What one unit of work gave, for the table and the progress lines.
struct UnitRecord {
  std::string phase;
  std::int64_t step = 0;
  double loss = nan, ess = nan, acceptance = nan;
  std::array<double, 2> progress = {nan, nan}; // the theory's two progress observables
};

} // namespace

class Simulation::State {
public:
  State(const RunContext& context, const Params& p, CheckpointReader* checkpoint)
      : context_(context), p_(p), theory_(make_target_theory(p)), chain_(p.sample.seed),
        chain_estimates_(theory_->estimates(1))
  {
    const Comm& comm = context.comm;
    if (p.trains() && p.train.batch < comm.size())
      throw InputError(fmt::format("train.batch = {} is below the number of ranks ({})", p.train.batch, comm.size()));
    if (p.samples() && p.sample.batch < comm.size())
      throw InputError(fmt::format("sample.batch = {} is below the number of ranks ({})", p.sample.batch, comm.size()));
    if (p.runs_metropolis() && p.metropolis.chains < comm.size())
      throw InputError(
          fmt::format("metropolis.chains = {} is below the number of ranks ({})", p.metropolis.chains, comm.size()));
    if (p.runs_hmc() && p.hmc.chains < comm.size())
      throw InputError(fmt::format("hmc.chains = {} is below the number of ranks ({})", p.hmc.chains, comm.size()));
    if (p.trains() || p.samples()) flow_ = make_flow_part(comm, p, *theory_);
    if (p.mode == Mode::sample) {
      flow_->load(comm, p.model_input);
    }
    if (p.runs_metropolis()) metropolis_ = make_metropolis_phase(comm, *theory_, p);
    if (p.runs_hmc()) hmc_ = make_hmc_phase(comm, *theory_, p);
    if (checkpoint != nullptr) read(*checkpoint);
    log::info("flow: {} on a {} x {} lattice, {}; mode {}{}", theory_name(p.theory), p.lattice, p.lattice,
              theory_->couplings(), mode_name(p.mode),
              flow_ ? fmt::format("; {} coupling layers, {} parameters ({})", p.flow.coupling_layers,
                                  flow_->parameter_count(), p.precision)
                    : std::string());
  }

  std::int64_t sample_batches() const
  {
    return p_.samples() ? (p_.sample.proposals + p_.sample.batch - 1) / p_.sample.batch : 0;
  }
  static std::int64_t units_of(const std::unique_ptr<BaselinePhase>& phase) { return phase ? phase->units() : 0; }
  static std::int64_t done_of(const std::unique_ptr<BaselinePhase>& phase) { return phase ? phase->done() : 0; }
  std::int64_t train_units() const { return p_.trains() ? p_.train.steps : 0; }
  double end() const
  {
    return static_cast<double>(train_units() + sample_batches() + units_of(metropolis_) + units_of(hmc_));
  }
  double position() const
  {
    return static_cast<double>(train_done() + batches_done_ + done_of(metropolis_) + done_of(hmc_));
  }

  // Phases in turn: training, the flow's chain, local Metropolis, HMC (last: a restart may
  // extend it).
  void advance()
  {
    const auto start = Clock::now();
    if (train_done() < train_units()) {
      train();
      train_seconds_ += seconds_since(start);
    } else if (batches_done_ < sample_batches()) {
      sample();
      sample_seconds_ += seconds_since(start);
    } else if (done_of(metropolis_) < units_of(metropolis_)) {
      baseline_unit(*metropolis_);
    } else {
      baseline_unit(*hmc_);
    }
  }

  DiagnosticsRow diagnostics() const
  {
    DiagnosticsRow row;
    row.add("phase", last_.phase)
        .add("step", last_.step)
        .add("loss", last_.loss)
        .add("ess", last_.ess)
        .add("acceptance", last_.acceptance);
    const auto keys = theory_->progress_keys();
    row.add(keys[0], last_.progress[0]).add(keys[1], last_.progress[1]);
    return row;
  }

  std::string status() const
  {
    if (last_.phase == "train")
      return fmt::format("train {} loss {:.4g} ess {:.3f}", last_.step, last_.loss, last_.ess);
    if (last_.phase == "sample")
      return fmt::format("sample batch {} acceptance {:.3f}", last_.step, chain_.acceptance());
    return fmt::format("{} {} acceptance {:.3f}", last_.phase, last_.step, last_.acceptance);
  }

  void check() const
  {
    if (last_.phase == "train" && !std::isfinite(last_.loss))
      throw Error(ExitCode::failure, fmt::format("flow training step {}: the loss is {} (lower train.learning_rate?)",
                                                 last_.step, last_.loss));
  }

  void write_checkpoint(CheckpointWriter& w) const
  {
    w.attribute("flow.format", checkpoint_format);
    // Every rank must write the same attributes (their checksum): the slowest rank's times.
    const Comm& comm = context_.comm;
    w.attribute("train.seconds", comm.max(train_seconds_));
    w.attribute("sample.seconds", comm.max(sample_seconds_));
    if (flow_) flow_->write(w);
    // The last training step's numbers, for the summary of a run restarted after training.
    w.attribute("train.last_loss", last_train_.loss);
    w.attribute("train.last_loss_variance", last_train_.loss_variance);
    w.attribute("train.last_ess", last_train_.ess);
    w.attribute("train.last_mean_action", last_train_.mean_action);
    w.attribute("chain.batches", batches_done_);
    w.attribute("chain.proposals", chain_.proposals());
    w.attribute("chain.accepted", chain_.accepted());
    w.attribute("chain.current", chain_.current());
    w.attribute("chain.current_log_weight", chain_.current_log_weight());
    write_vector(w, "chain/log_weights", log_weights_);
    write_vector(w, "chain/current_record", current_);
    chain_estimates_->write(w, "chain/");
    if (metropolis_) metropolis_->write(w);
    if (hmc_) hmc_->write(w);
  }

  Results results();

private:
  std::int64_t train_done() const { return flow_ ? flow_->train_steps() : 0; }

  void train()
  {
    const auto step = flow_->train_step();
    last_ = {"train", flow_->train_steps() - 1, step.loss, step.ess};
    last_train_ = step;
    if (flow_->train_steps() == p_.train.steps && !p_.model_file.empty()) {
      const auto path = context_.output_dir / p_.model_file;
      flow_->save(context_.comm, path, p_);
      log::info("model written to {}", path.string());
    }
  }

  void sample()
  {
    const Comm& comm = context_.comm;
    const std::int64_t first = batches_done_ * p_.sample.batch;
    const std::int64_t count = std::min(p_.sample.batch, p_.sample.proposals - first);
    const auto share = block_range(count, comm.rank(), comm.size());
    std::vector<double> log_weight, mine;
    flow_->propose(static_cast<std::uint64_t>(first + share.first), share.count, log_weight, mine);
    log_weight = gather(comm, log_weight);
    const std::vector<double> batch = gather(comm, mine);
    const auto states = chain_.advance(log_weight);
    const Index size = theory_->record_size();
    std::vector<double> chain;
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (states[i] >= first) {
        append_record(chain, batch, states[i] - first, size);
      } else {
        append_record(chain, current_, 0, size);
      }
    }
    current_.assign(chain.end() - size, chain.end());
    chain_estimates_->add(chain);
    log_weights_.insert(log_weights_.end(), log_weight.begin(), log_weight.end());
    ++batches_done_;
    last_ = {"sample", batches_done_ - 1, nan, ess(log_weight), chain_.acceptance(), theory_->progress(chain)};
  }

  void baseline_unit(BaselinePhase& phase)
  {
    const auto unit = phase.advance();
    last_ = {phase.settings().key, unit.number, nan, nan, unit.acceptance, unit.progress};
  }

  void read(CheckpointReader& r)
  {
    if (!r.has_attribute("flow.format") || r.attribute_string("flow.format") != checkpoint_format)
      throw IoError(fmt::format("{}: not a tessera-flow checkpoint of this version (\"{}\")", r.path().string(),
                                checkpoint_format));
    train_seconds_ = r.attribute_real("train.seconds");
    sample_seconds_ = r.attribute_real("sample.seconds");
    if (flow_) flow_->read(r, p_);
    last_train_ = {r.attribute_real("train.last_loss"), r.attribute_real("train.last_loss_variance"),
                   r.attribute_real("train.last_ess"), r.attribute_real("train.last_mean_action")};
    batches_done_ = r.attribute_int("chain.batches");
    chain_.restore(r.attribute_int("chain.proposals"), r.attribute_int("chain.accepted"),
                   r.attribute_int("chain.current"), r.attribute_real("chain.current_log_weight"));
    log_weights_ = read_vector(r, "chain/log_weights");
    current_ = read_vector(r, "chain/current_record");
    if (!current_.empty() && static_cast<Index>(current_.size()) != theory_->record_size())
      throw IoError(fmt::format("{}: chain/current_record holds {} values, a {} record {}", r.path().string(),
                                current_.size(), theory_name(p_.theory), theory_->record_size()));
    chain_estimates_->read(r, "chain/");
    if (metropolis_) metropolis_->read(r);
    if (hmc_) hmc_->read(r);
  }

  // (sum w)^2 / (N sum w^2) of importance weights given as log w.
  static double ess(const std::vector<double>& log_w)
  {
    if (log_w.empty()) return nan;
    double largest = -std::numeric_limits<double>::infinity();
    for (const double x : log_w)
      largest = std::max(largest, x);
    double s = 0, s2 = 0;
    for (const double x : log_w) {
      const double w = std::exp(x - largest);
      s += w;
      s2 += w * w;
    }
    return s * s / (static_cast<double>(log_w.size()) * s2);
  }

  RunContext context_;
  Params p_;
  std::unique_ptr<TargetTheory> theory_;
  std::unique_ptr<FlowPart> flow_;
  nn::ReverseKlStep last_train_;
  nn::IndependenceChain chain_;
  std::int64_t batches_done_ = 0;
  std::vector<double> log_weights_;
  std::vector<double> current_; // the record of the proposal the chain stands on
  std::unique_ptr<SeriesEstimates> chain_estimates_;
  std::unique_ptr<BaselinePhase> metropolis_, hmc_;
  double train_seconds_ = 0, sample_seconds_ = 0;
  UnitRecord last_;
};

} // namespace tessera::flow

namespace tessera::flow {

namespace {

// Seconds per effectively independent measurement of an observable with autocorrelation
// time tau_int (in units of the series' steps) given `seconds` for `steps` steps.
double cost_per_independent(double seconds, double steps, const ChainEstimate& e)
{
  if (!e.has_estimate || steps <= 0) return nan;
  return seconds / steps * 2 * e.tau_int;
}

std::string row_line(const std::string& name, const SeriesSummary& summary, const std::string& cost_name, double cost)
{
  return fmt::format("{:<10} {}  s per independent {} {:.3g}", name, summary.line, cost_name, cost);
}

} // namespace

Results Simulation::State::results()
{
  Results out;
  auto& j = out.json;
  j["mode"] = mode_name(p_.mode);
  j["theory"] = theory_name(p_.theory);
  j["lattice"] = p_.lattice;
  theory_->describe(j);
  const std::string cost_key = "seconds_per_independent_" + theory_->cost_key();
  double units = 0, seconds = 0;
  if (flow_) {
    j["flow"] = {{"parameters", flow_->parameter_count()},
                 {"precision", p_.precision},
                 {"coupling_layers", p_.flow.coupling_layers}};
  }
  if (p_.trains()) {
    j["train"] = {{"steps", train_done()},
                  {"last_loss", last_train_.loss},
                  {"last_batch_ess", last_train_.ess},
                  {"seconds", train_seconds_},
                  {"samples_per_second", train_seconds_ > 0 ? static_cast<double>(train_done()) *
                                                                  static_cast<double>(p_.train.batch) / train_seconds_
                                                            : 0.0}};
    out.lines.push_back(fmt::format("training: {} steps of {} samples in {:.1f} s; last batch: loss {:.4f}, ESS {:.3f}",
                                    train_done(), p_.train.batch, train_seconds_, last_train_.loss, last_train_.ess));
    if (const double log_z = theory_->log_partition_function(); std::isfinite(log_z)) {
      // loss = KL(q || p) - log Z: the exact KL divergence of the last batch's estimate.
      j["train"]["kl_divergence"] = last_train_.loss + log_z;
      out.lines.push_back(fmt::format("training: KL(q || p) = loss + log Z = {:.4f} (exact log Z {:.4f})",
                                      last_train_.loss + log_z, log_z));
    }
    units += static_cast<double>(train_done()) * static_cast<double>(p_.train.batch);
    seconds += train_seconds_;
  }
  if (p_.samples() && chain_.proposals() > 1) {
    const auto r = chain_estimates_->summary();
    const double proposals = static_cast<double>(chain_.proposals());
    const double cost = cost_per_independent(sample_seconds_, proposals, r.cost_observable);
    const double with_training = cost_per_independent(sample_seconds_ + train_seconds_, proposals, r.cost_observable);
    j["sample"] = {{"proposals", chain_.proposals()},
                   {"acceptance", chain_.acceptance()},
                   {"ess_per_proposal", ess(log_weights_)},
                   {"seconds", sample_seconds_},
                   {"observables", r.observables},
                   {cost_key, cost},
                   {cost_key + "_with_training", with_training}};
    out.lines.push_back(fmt::format("flow + MH: {} proposals, acceptance {:.3f}, ESS per proposal {:.3f}",
                                    chain_.proposals(), chain_.acceptance(), ess(log_weights_)));
    out.lines.push_back(row_line("flow + MH", r, theory_->cost_name(), cost));
    units += proposals;
    seconds += sample_seconds_;
  }
  if (metropolis_) metropolis_->report(j, out.lines, units, seconds);
  if (hmc_) hmc_->report(j, out.lines, units, seconds);
  for (const auto& line : theory_->reference_lines())
    out.lines.push_back(line);
  out.rate = seconds > 0 ? units / seconds : 0;
  out.rate_unit = "samples/s";
  return out;
}

SimulationInfo Simulation::info()
{
  SimulationInfo i;
  i.name = "flow";
  i.description =
      "Tessera flows: a normalizing flow for 2-D phi^4 or U(1) gauge theory trained by reverse KL, made exact by an "
      "independence Metropolis-Hastings chain, against HMC";
  i.unit = {"step", "steps", false};
  i.table_key = "output.table";
  i.output_files = {"*.model.h5"};
  return i;
}

Simulation::Simulation(const RunContext& context, const Params& params)
    : state_(std::make_unique<State>(context, params, nullptr))
{
}
Simulation::Simulation(const RunContext& context, const Params& params, CheckpointReader& checkpoint)
    : state_(std::make_unique<State>(context, params, &checkpoint))
{
}
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation::~Simulation() = default;

void Simulation::advance(double)
{
  state_->advance();
}
double Simulation::position() const
{
  return state_->position();
}
double Simulation::end() const
{
  return state_->end();
}
void Simulation::write_checkpoint(CheckpointWriter& writer) const
{
  state_->write_checkpoint(writer);
}
DiagnosticsRow Simulation::diagnostics() const
{
  return state_->diagnostics();
}
std::string Simulation::status() const
{
  return state_->status();
}
void Simulation::check() const
{
  state_->check();
}
Results Simulation::results()
{
  return state_->results();
}

} // namespace tessera::flow
