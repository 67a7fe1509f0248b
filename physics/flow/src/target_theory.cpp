// SPDX-License-Identifier: Apache-2.0
#include "target_theory.hpp"

#include <cmath>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/flow/phi4.hpp"
#include "tessera/flow/phi4_observables.hpp"
#include "tessera/flow/u1.hpp"
#include "tessera/flow/u1_exact.hpp"
#include "tessera/flow/u1_flow.hpp"
#include "tessera/flow/u1_observables.hpp"
#include "tessera/nn/affine_flow.hpp"

namespace tessera::flow {

namespace {

template <class T>
using HostSpan = Kokkos::View<const T*, HostSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

double mean_of(const std::vector<double>& v, std::size_t first, std::size_t stride, bool absolute = false)
{
  double s = 0;
  std::size_t n = 0;
  for (std::size_t i = first; i < v.size(); i += stride, ++n)
    s += absolute ? std::abs(v[i]) : v[i];
  return n == 0 ? std::nan("") : s / static_cast<double>(n);
}

nlohmann::json estimate_json(const ChainEstimate& e)
{
  if (!e.has_estimate) return {{"mean", e.mean}, {"samples", e.samples}};
  return {{"mean", e.mean},
          {"error", e.error},
          {"tau_int", e.tau_int},
          {"tau_int_error", e.tau_int_error},
          {"samples", e.samples}};
}

nlohmann::json jackknife_json(const JackknifeEstimate& e)
{
  return {{"value", std::isfinite(e.value) ? e.value : 0.0},
          {"error", std::isfinite(e.error) ? e.error : 0.0},
          {"finite", std::isfinite(e.value)}};
}

// ---- phi^4: a record is phi2, M, C(x) for every x, phi(y) for every y.

Phi4Measurements phi4_from_records(const std::vector<double>& records, Index sites)
{
  const auto v = static_cast<std::size_t>(sites), size = 2 + 2 * v;
  Phi4Measurements m;
  m.sites = sites;
  m.samples = static_cast<Index>(records.size() / size);
  for (std::size_t k = 0; k < static_cast<std::size_t>(m.samples); ++k) {
    const auto* r = records.data() + k * size;
    m.phi2.push_back(r[0]);
    m.magnetisation.push_back(r[1]);
    m.correlation.insert(m.correlation.end(), r + 2, r + 2 + v);
    m.field.insert(m.field.end(), r + 2 + v, r + 2 + 2 * v);
  }
  return m;
}

std::vector<double> phi4_records(const Phi4Measurements& m)
{
  const auto v = static_cast<std::size_t>(m.sites);
  std::vector<double> records;
  records.reserve(static_cast<std::size_t>(m.samples) * (2 + 2 * v));
  for (std::size_t k = 0; k < static_cast<std::size_t>(m.samples); ++k) {
    records.push_back(m.phi2[k]);
    records.push_back(m.magnetisation[k]);
    records.insert(records.end(), m.correlation.begin() + k * v, m.correlation.begin() + (k + 1) * v);
    records.insert(records.end(), m.field.begin() + k * v, m.field.begin() + (k + 1) * v);
  }
  return records;
}

class Phi4SeriesEstimates final : public SeriesEstimates {
public:
  Phi4SeriesEstimates(nn::LatticeShape shape, Index replicas) : shape_(shape), estimates_(shape, replicas) {}
  void add(const std::vector<double>& records) override { estimates_.add(phi4_from_records(records, shape_.sites())); }
  Index steps() const override { return estimates_.steps(); }
  void write(CheckpointWriter& w, const std::string& prefix) const override
  {
    const auto& s = estimates_.series();
    write_vector(w, prefix + "phi2", s.phi2);
    write_vector(w, prefix + "abs_m", s.abs_magnetisation);
    write_vector(w, prefix + "chi2", s.chi2);
    write_vector(w, prefix + "correlation", s.correlation);
    write_vector(w, prefix + "field", s.field);
  }
  void read(CheckpointReader& r, const std::string& prefix) override
  {
    Phi4Series s;
    s.phi2 = read_vector(r, prefix + "phi2");
    s.abs_magnetisation = read_vector(r, prefix + "abs_m");
    s.chi2 = read_vector(r, prefix + "chi2");
    s.correlation = read_vector(r, prefix + "correlation");
    s.field = read_vector(r, prefix + "field");
    estimates_.restore(std::move(s));
  }
  SeriesSummary summary() const override
  {
    const auto r = estimates_.results();
    nlohmann::json g = nlohmann::json::array();
    for (const auto& e : r.zero_momentum)
      g.push_back(jackknife_json(e));
    SeriesSummary out;
    out.observables = {{"phi2", estimate_json(r.phi2)},
                       {"abs_magnetisation_per_site", estimate_json(r.abs_magnetisation)},
                       {"chi2", estimate_json(r.chi2)},
                       {"chi2_connected", jackknife_json(r.chi2_connected)},
                       {"pole_mass", jackknife_json(r.pole_mass)},
                       {"zero_momentum_correlator", g}};
    out.cost_observable = r.abs_magnetisation;
    out.line = fmt::format("<phi^2> {}  <|M|>/V {}  chi_2 {}  tau_int(|M|) {:.2f}", r.phi2.describe(5),
                           r.abs_magnetisation.describe(5), r.chi2.describe(4), r.abs_magnetisation.tau_int);
    return out;
  }

private:
  nn::LatticeShape shape_;
  Phi4Estimates estimates_;
};

class Phi4Theory final : public TargetTheory {
public:
  explicit Phi4Theory(const Params& p) : p_(p), shape_{p.lattice, p.lattice} {}
  Index components() const override { return shape_.sites(); }
  Index record_size() const override { return 2 + 2 * shape_.sites(); }
  std::string cost_key() const override { return "abs_m"; }
  std::string cost_name() const override { return "|M|"; }
  std::array<std::string, 2> progress_keys() const override { return {"phi2", "abs_m"}; }
  std::array<double, 2> progress(const std::vector<double>& records) const override
  {
    const auto size = static_cast<std::size_t>(record_size());
    return {mean_of(records, 0, size), mean_of(records, 1, size, true) / static_cast<double>(shape_.sites())};
  }
  std::vector<double> measure(const ExecSpace& space, const nn::ConstFieldBatch<float>& phi) const override
  {
    return phi4_records(measure_phi4<float>(space, shape_, phi));
  }
  std::vector<double> measure(const ExecSpace& space, const nn::ConstFieldBatch<double>& phi) const override
  {
    return phi4_records(measure_phi4<double>(space, shape_, phi));
  }
  std::unique_ptr<SeriesEstimates> estimates(Index replicas) const override
  {
    return std::make_unique<Phi4SeriesEstimates>(shape_, replicas);
  }
  std::unique_ptr<nn::LatticeAction<float>> action_float() const override
  {
    return std::make_unique<Phi4Action<float>>(shape_, p_.phi4);
  }
  std::unique_ptr<nn::LatticeAction<double>> action_double() const override
  {
    return std::make_unique<Phi4Action<double>>(shape_, p_.phi4);
  }
  std::unique_ptr<nn::LatticeFlow<float>> flow_float() const override
  {
    return std::make_unique<nn::AffineFlow<float>>(shape_, p_.flow);
  }
  std::unique_ptr<nn::LatticeFlow<double>> flow_double() const override
  {
    return std::make_unique<nn::AffineFlow<double>>(shape_, p_.flow);
  }
  std::unique_ptr<LocalMetropolis<double>> local_metropolis(Index chains,
                                                            const LocalMetropolisParams& params) const override
  {
    return std::make_unique<LocalMetropolis<double>>(Phi4Action<double>(shape_, p_.phi4), chains, params);
  }
  std::string couplings() const override { return fmt::format("m2 = {}, lambda = {}", p_.phi4.m2, p_.phi4.lambda); }
  void describe(nlohmann::json& j) const override
  {
    j["m2"] = p_.phi4.m2;
    j["lambda"] = p_.phi4.lambda;
  }
  std::vector<std::string> reference_lines() const override { return {}; }
  double log_partition_function() const override { return std::nan(""); }

private:
  Params p_;
  nn::LatticeShape shape_;
};

// ---- U(1): a record is the plaquette p, the charge Q (rounded) and Q as summed.

U1Measurements u1_from_records(const std::vector<double>& records)
{
  U1Measurements m;
  m.samples = static_cast<Index>(records.size() / 3);
  for (std::size_t k = 0; k < static_cast<std::size_t>(m.samples); ++k) {
    m.plaquette.push_back(records[3 * k]);
    m.charge.push_back(records[3 * k + 1]);
    m.raw_charge.push_back(records[3 * k + 2]);
  }
  return m;
}

std::vector<double> u1_records(const U1Measurements& m)
{
  std::vector<double> records;
  records.reserve(3 * static_cast<std::size_t>(m.samples));
  for (std::size_t k = 0; k < static_cast<std::size_t>(m.samples); ++k) {
    records.push_back(m.plaquette[k]);
    records.push_back(m.charge[k]);
    records.push_back(m.raw_charge[k]);
  }
  return records;
}

class U1SeriesEstimates final : public SeriesEstimates {
public:
  U1SeriesEstimates(nn::LatticeShape shape, Index replicas) : estimates_(shape, replicas) {}
  void add(const std::vector<double>& records) override { estimates_.add(u1_from_records(records)); }
  Index steps() const override { return estimates_.steps(); }
  void write(CheckpointWriter& w, const std::string& prefix) const override
  {
    const auto s = estimates_.series();
    write_vector(w, prefix + "plaquette", s.plaquette);
    write_vector(w, prefix + "charge", s.charge);
    write_vector(w, prefix + "susceptibility", s.susceptibility);
    write_vector(w, prefix + "replica_charge", s.replica_charge);
  }
  void read(CheckpointReader& r, const std::string& prefix) override
  {
    estimates_.restore({read_vector(r, prefix + "plaquette"), read_vector(r, prefix + "charge"),
                        read_vector(r, prefix + "susceptibility"), read_vector(r, prefix + "replica_charge")});
  }
  SeriesSummary summary() const override
  {
    const auto r = estimates_.results();
    SeriesSummary out;
    out.observables = {{"plaquette", estimate_json(r.plaquette)},
                       {"charge", estimate_json(r.charge)},
                       {"topological_susceptibility", estimate_json(r.susceptibility)}};
    out.cost_observable = r.charge;
    out.line = fmt::format("<P> {}  <Q^2>/V {}  tau_int(Q) {:.2f}", r.plaquette.describe(5),
                           r.susceptibility.describe(4), r.charge.tau_int);
    return out;
  }

private:
  U1Estimates estimates_;
};

class U1Theory final : public TargetTheory {
public:
  explicit U1Theory(const Params& p) : p_(p), shape_{p.lattice, p.lattice} {}
  Index components() const override { return 2 * shape_.sites(); }
  Index record_size() const override { return 3; }
  std::string cost_key() const override { return "q"; }
  std::string cost_name() const override { return "Q"; }
  std::array<std::string, 2> progress_keys() const override { return {"plaquette", "q2"}; }
  std::array<double, 2> progress(const std::vector<double>& records) const override
  {
    double q2 = 0;
    for (std::size_t k = 1; k < records.size(); k += 3)
      q2 += records[k] * records[k];
    return {mean_of(records, 0, 3), records.empty() ? std::nan("") : q2 / static_cast<double>(records.size() / 3)};
  }
  std::vector<double> measure(const ExecSpace& space, const nn::ConstFieldBatch<float>& theta) const override
  {
    return u1_records(measure_u1<float>(space, shape_, theta));
  }
  std::vector<double> measure(const ExecSpace& space, const nn::ConstFieldBatch<double>& theta) const override
  {
    return u1_records(measure_u1<double>(space, shape_, theta));
  }
  std::unique_ptr<SeriesEstimates> estimates(Index replicas) const override
  {
    return std::make_unique<U1SeriesEstimates>(shape_, replicas);
  }
  std::unique_ptr<nn::LatticeAction<float>> action_float() const override
  {
    return std::make_unique<U1Action<float>>(shape_, p_.u1_beta);
  }
  std::unique_ptr<nn::LatticeAction<double>> action_double() const override
  {
    return std::make_unique<U1Action<double>>(shape_, p_.u1_beta);
  }
  std::unique_ptr<nn::LatticeFlow<float>> flow_float() const override
  {
    return std::make_unique<U1EquivariantFlow<float>>(shape_, p_.u1_flow());
  }
  std::unique_ptr<nn::LatticeFlow<double>> flow_double() const override
  {
    return std::make_unique<U1EquivariantFlow<double>>(shape_, p_.u1_flow());
  }
  std::unique_ptr<LocalMetropolis<double>> local_metropolis(Index chains,
                                                            const LocalMetropolisParams& params) const override
  {
    return std::make_unique<LocalMetropolis<double>>(U1Action<double>(shape_, p_.u1_beta), chains, params);
  }
  std::string couplings() const override { return fmt::format("beta = {}", p_.u1_beta); }
  double log_partition_function() const override { return u1_log_partition_function(p_.u1_beta, shape_.sites()); }
  void describe(nlohmann::json& j) const override
  {
    j["beta"] = p_.u1_beta;
    j["exact"] = {{"plaquette", u1_plaquette(p_.u1_beta, shape_.sites())},
                  {"topological_susceptibility", u1_topological_susceptibility(p_.u1_beta, shape_.sites())}};
  }
  std::vector<std::string> reference_lines() const override
  {
    return {fmt::format("exact (character expansion, {} x {}): <P> {:.6f}  <Q^2>/V {:.6f}", p_.lattice, p_.lattice,
                        u1_plaquette(p_.u1_beta, shape_.sites()),
                        u1_topological_susceptibility(p_.u1_beta, shape_.sites()))};
  }

private:
  Params p_;
  nn::LatticeShape shape_;
};

} // namespace

void write_vector(CheckpointWriter& writer, const std::string& name, const std::vector<double>& v)
{
  writer.attribute(name + ".size", static_cast<std::int64_t>(v.size()));
  if (!v.empty()) writer.write_shared(name, HostSpan<double>(v.data(), v.size()));
}

std::vector<double> read_vector(CheckpointReader& reader, const std::string& name)
{
  if (reader.attribute_int(name + ".size") == 0) return {};
  auto v = reader.read_shared<double>(name);
  if (static_cast<std::int64_t>(v.size()) != reader.attribute_int(name + ".size"))
    throw IoError(fmt::format("{}: dataset {} has {} values, its size attribute says {}", reader.path().string(), name,
                              v.size(), reader.attribute_int(name + ".size")));
  return v;
}

std::unique_ptr<TargetTheory> make_target_theory(const Params& p)
{
  if (p.theory == Theory::u1) return std::make_unique<U1Theory>(p);
  return std::make_unique<Phi4Theory>(p);
}

} // namespace tessera::flow
