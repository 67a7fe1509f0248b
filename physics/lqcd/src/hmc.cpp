// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/hmc.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"

namespace tessera::lqcd {

namespace {
constexpr double omelyan_lambda = 0.1931833275037836; // Omelyan, Mryglod and Folk (2003)

// A number for a message: any NaN as "nan" (its sign bit, "-nan", means nothing to a reader).
std::string shown(double x)
{
  return std::isnan(x) ? std::string("nan") : fmt::format("{}", x);
}
} // namespace

Integrator integrator_from(const std::string& name)
{
  if (name == "leapfrog") return Integrator::leapfrog;
  if (name == "omelyan") return Integrator::omelyan;
  throw InputError(fmt::format("hmc.integrator = '{}': expected leapfrog or omelyan", name));
}

const char* name(Integrator integrator)
{
  return integrator == Integrator::leapfrog ? "leapfrog" : "omelyan";
}

Hmc::Hmc(const Decomposition& d, const Links& links, const HmcParams& params)
    : d_(&d), links_(links), momenta_(allocate_links<double>(d.geometry(), "lqcd::momenta")),
      force_(allocate_links<double>(d.geometry(), "lqcd::force")),
      saved_links_(allocate_links<double>(d.geometry(), "lqcd::saved_links")), params_(params)
{
  if (params.flavours != 0 && params.flavours != 2)
    throw InputError(fmt::format("hmc.flavours = {}: expected 0 (pure gauge) or 2", params.flavours));
  if (params.flavours == 2)
    fermions_ = std::make_unique<TwoFlavourWilson>(d, links, params.wilson, params.solver, params.action_solver,
                                                   params.force_solver);
}

double Hmc::hamiltonian()
{
  double h = kinetic_energy(*d_, momenta_) + wilson_action(*d_, links_, params_.beta);
  if (fermions_) h += fermions_->action();
  return h;
}

double Hmc::start(std::uint64_t number)
{
  draw_momenta(*d_, momenta_, params_.seed, number);
  double h = kinetic_energy(*d_, momenta_) + wilson_action(*d_, links_, params_.beta);
  if (fermions_) h += fermions_->refresh(params_.seed, number);
  return h;
}

// Level 0 is the coarse scale: the fermion force with fermions, else the gauge force; level
// 1 (with fermions) the gauge force. Below the last level are the link updates.
void Hmc::kick(int level, double eps)
{
  set_zero(force_);
  if (fermions_ && level == 0)
    fermions_->add_force(1.0, force_);
  else
    add_gauge_force(*d_, links_, params_.beta, 1.0, force_);
  update_momenta(*d_, momenta_, force_, eps);
}

void Hmc::step(int level, double eps)
{
  const int levels = fermions_ ? 2 : 1;
  const auto inner = [&](double h) {
    if (level + 1 < levels) {
      const int n = params_.gauge_substeps;
      for (int i = 0; i < n; ++i)
        step(level + 1, h / n);
    } else {
      update_links(*d_, links_, momenta_, h);
    }
  };
  if (params_.integrator == Integrator::leapfrog) {
    kick(level, eps / 2);
    inner(eps);
    kick(level, eps / 2);
  } else {
    kick(level, omelyan_lambda * eps);
    inner(eps / 2);
    kick(level, (1 - 2 * omelyan_lambda) * eps);
    inner(eps / 2);
    kick(level, omelyan_lambda * eps);
  }
}

void Hmc::integrate()
{
  const double eps = params_.trajectory_length / params_.steps;
  for (int i = 0; i < params_.steps; ++i)
    step(0, eps);
}

namespace {
// P -> -P on every stored number (ghosts too).
void negate(const Links& p)
{
  Complex<double>* data = p.data();
  par_for("lqcd::flip_momenta", static_cast<Index>(p.span()), KOKKOS_LAMBDA(Index i) { data[i] = -data[i]; });
}
} // namespace

void Hmc::flip_momenta()
{
  negate(momenta_);
}

TrajectoryResult Hmc::trajectory(std::uint64_t number)
{
  TrajectoryResult result;
  result.number = number;
  const std::int64_t iterations_before = fermions_ ? fermions_->solver_iterations() : 0;
  Kokkos::deep_copy(saved_links_, links_);
  const double h0 = start(number);
  // A non-finite H is never a rejection to be averaged over: the links or the integration are
  // broken, and every later trajectory would be too (issue 24: all-zero links gave dH = nan
  // on every trajectory and exit 0). H is a global sum, so every rank throws alike.
  if (!std::isfinite(h0))
    throw Error(ExitCode::failure, fmt::format("trajectory {}: H = {} at its start is not finite (the links are not "
                                               "a gauge field)",
                                               number, shown(h0)));
  integrate();
  reunitarise(*d_, links_);
  const double h1 = hamiltonian();
  result.delta_h = h1 - h0;
  if (!std::isfinite(result.delta_h))
    throw Error(ExitCode::failure,
                fmt::format("trajectory {}: dH = {} is not finite (H = {} at the start, {} at the end): the molecular "
                            "dynamics blew up (links not SU(3), or too few hmc.steps for hmc.length)",
                            number, shown(result.delta_h), shown(h0), shown(h1)));
  // exp(-1e6) is 0: a Metropolis trajectory that far off is an integration that blew up, and a
  // chain that rejects every one of them would end "successfully" with no estimate at all.
  constexpr double blown_up = 1e6;
  if (number >= params_.no_metropolis_until && result.delta_h > blown_up)
    throw Error(ExitCode::failure,
                fmt::format("trajectory {}: dH = {:.4e}: the molecular dynamics blew up (no trajectory above {:g} is "
                            "ever accepted; raise hmc.steps or lower hmc.length)",
                            number, result.delta_h, blown_up));
  RandomDraws rng(params_.seed, static_cast<std::uint32_t>(Stream::accept), number);
  const double u = rng.uniform();
  result.accepted = number < params_.no_metropolis_until || u < std::exp(-result.delta_h);
  if (!result.accepted) Kokkos::deep_copy(links_, saved_links_);
  result.plaquette = plaquette(*d_, links_);
  if (fermions_) result.solver_iterations = fermions_->solver_iterations() - iterations_before;
  return result;
}

double Hmc::energy_violation(std::uint64_t number)
{
  const double h0 = start(number);
  integrate();
  return hamiltonian() - h0;
}

ReversibilityResult Hmc::reversibility(std::uint64_t number)
{
  ReversibilityResult result;
  Kokkos::deep_copy(saved_links_, links_);
  const double h0 = start(number);
  auto p0 = allocate_links<double>(d_->geometry(), "lqcd::p0");
  Kokkos::deep_copy(p0, momenta_);
  integrate();
  result.delta_h_forward = hamiltonian() - h0;
  flip_momenta();
  integrate();
  flip_momenta();
  result.delta_h_total = hamiltonian() - h0;
  const Geometry g = d_->geometry();
  const Links u = links_, u0 = saved_links_, p = momenta_;
  double du = 0, dp = 0;
  par_reduce_many(
      "lqcd::reversibility", 2 * g.half_volume,
      KOKKOS_LAMBDA(Index n, double& wu, double& wp) {
        const auto site = g.site(n);
        for (int mu = 0; mu < dims; ++mu)
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
              wu = Kokkos::fmax(
                  wu, Kokkos::abs(u(site.index, site.parity, mu, a, b) - u0(site.index, site.parity, mu, a, b)));
              wp = Kokkos::fmax(
                  wp, Kokkos::abs(p(site.index, site.parity, mu, a, b) - p0(site.index, site.parity, mu, a, b)));
            }
      },
      Kokkos::Max<double>(du), Kokkos::Max<double>(dp));
  result.max_link_change = d_->comm().max(du);
  result.max_momentum_change = d_->comm().max(dp);
  Kokkos::deep_copy(links_, saved_links_);
  return result;
}

} // namespace tessera::lqcd
