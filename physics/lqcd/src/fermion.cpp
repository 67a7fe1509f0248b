// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/fermion.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/rng.hpp"

namespace tessera::lqcd {

SolverKind solver_kind_from(const std::string& name)
{
  if (name == "cg") return SolverKind::cg;
  if (name == "cg-eo") return SolverKind::cg_even_odd;
  if (name == "cg-eo-mixed") return SolverKind::cg_even_odd_mixed;
  if (name == "cg-eo-half") return SolverKind::cg_even_odd_half;
  throw InputError(fmt::format("solver '{}': expected cg, cg-eo, cg-eo-mixed or cg-eo-half", name));
}

const char* name(SolverKind kind)
{
  switch (kind) {
  case SolverKind::cg: return "cg";
  case SolverKind::cg_even_odd: return "cg-eo";
  case SolverKind::cg_even_odd_mixed: return "cg-eo-mixed";
  default: return "cg-eo-half";
  }
}

void gaussian_noise(const Decomposition& d, int parity, const SpinorView<double>& eta, std::uint64_t seed,
                    std::uint32_t stream, std::uint64_t counter)
{
  const Geometry g = d.geometry();
  const Index volume = g.global_volume();
  par_for(
      "lqcd::gaussian_noise", g.half_volume, KOKKOS_LAMBDA(Index n) {
        const Coords x = g.interior_coords(n, parity);
        RandomDraws rng(seed, stream, counter * static_cast<std::uint64_t>(volume) + global_site(g, x));
        const double sigma = Kokkos::sqrt(0.5);
        const Index s = g.storage_index(x);
        for (int a = 0; a < 4; ++a)
          for (int b = 0; b < 3; ++b) {
            const double re = sigma * rng.normal();
            const double im = sigma * rng.normal();
            eta(s, a, b) = Complex<double>(re, im);
          }
      });
}

LinkView<float> single_precision(const Links& links)
{
  LinkView<float> low("lqcd::links_single", links.extent(0));
  par_for(
      "lqcd::single_precision", static_cast<Index>(links.extent(0)), KOKKOS_LAMBDA(Index s) {
        for (int p = 0; p < 2; ++p)
          for (int mu = 0; mu < dims; ++mu)
            store_link(low, s, p, mu, convert<float>(load_link<double>(links, s, p, mu)));
      });
  return low;
}

namespace {

struct FermionForce {
  Geometry g;
  Links links, force;
  FermionField<double> a, b;
  Kokkos::Array<double, dims> boundary_phase;
  double factor;

  // sum_s v_s w_s^dag
  KOKKOS_INLINE_FUNCTION static void add_outer(Su3<double>& z, const Spinor<double>& v, const Spinor<double>& w,
                                               double sign)
  {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) {
        Complex<double> sum(0, 0);
        for (int s = 0; s < 4; ++s)
          sum += conj_times(w.s[s].c[j], v.s[s].c[i]);
        z.m[i][j] += sign * sum;
      }
  }

  KOKKOS_INLINE_FUNCTION void operator()(Index n) const
  {
    const auto site = g.site(n);
    const int p = site.parity;
    const Spinor<double> a_x = load_spinor<double>(a.parity[p], site.index);
    const Spinor<double> b_x = load_spinor<double>(b.parity[p], site.index);
    for (int mu = 0; mu < dims; ++mu) {
      const Coords y = g.step(site.x, mu, +1);
      const Index ys = g.storage_index(y);
      const Su3<double> u = load_link<double>(links, site.index, p, mu);
      // U (1 - gamma_mu) B(x+mu) and U (1 + gamma_mu) A(x+mu), as full spinors
      Spinor<double> ub = Spinor<double>::zero(), ua = Spinor<double>::zero();
      {
        HalfSpinor<double> h = project(load_spinor<double>(b.parity[1 - p], ys), mu, +1);
        for (int r = 0; r < 2; ++r)
          h.h[r] = u * h.h[r];
        accumulate_reconstructed(ub, h, mu, +1);
      }
      {
        HalfSpinor<double> h = project(load_spinor<double>(a.parity[1 - p], ys), mu, -1);
        for (int r = 0; r < 2; ++r)
          h.h[r] = u * h.h[r];
        accumulate_reconstructed(ua, h, mu, -1);
      }
      Su3<double> z = Su3<double>::zero();
      add_outer(z, ub, a_x, +1.0);
      add_outer(z, b_x, ua, -1.0);
      const double phase = g.global_coord(site.x, mu) == g.global[mu] - 1 ? boundary_phase[mu] : 1.0;
      const Su3<double> f = load_link<double>(force, site.index, p, mu) + (factor * phase) * traceless_antihermitian(z);
      store_link(force, site.index, p, mu, f);
    }
  }
};

} // namespace

void add_fermion_force(const Decomposition& d, const Links& links, const WilsonParams& params,
                       const FermionField<double>& a, const FermionField<double>& b, double scale, const Links& force)
{
  for (int p = 0; p < 2; ++p) {
    exchange_spinor(d, a.parity[p], p);
    exchange_spinor(d, b.parity[p], p);
  }
  FermionForce kernel{d.geometry(), links, force, a, b, {}, scale * params.kappa * params.kappa};
  for (int mu = 0; mu < dims; ++mu)
    kernel.boundary_phase[mu] = params.boundary_phase[mu];
  par_for("lqcd::fermion_force", 2 * d.geometry().half_volume, kernel);
}

namespace {

SolverResult solve_schur_normal(const Decomposition& d, const WilsonOperator<double>& op, SolverKind kind,
                                const SolverSettings& settings, const SpinorView<double>& x,
                                const SpinorView<double>& b)
{
  const Vector<double> xv{{x, {}}, 1}, bv{{b, {}}, 1};
  const NormalOperator<double> normal(op, 1);
  if (kind == SolverKind::cg_even_odd_half) { // 16-bit fields and 12-real links (half.hpp)
    const WilsonOperator<Half> low(d, half_links<2>(op.links()), op.params());
    const NormalOperator<Half> normal_low(low, 1);
    return conjugate_gradient_mixed(normal, normal_low, xv, bv, settings);
  }
  if (kind != SolverKind::cg_even_odd_mixed) return conjugate_gradient(normal, xv, bv, settings);
  const WilsonOperator<float> low(d, single_precision(op.links()), op.params());
  const NormalOperator<float> normal_low(low, 1);
  return conjugate_gradient_mixed(normal, normal_low, xv, bv, settings);
}

} // namespace

namespace {

constexpr double min_normal_tolerance = 1e-15;

// |b - D x| / |b| on the whole lattice.
double wilson_residual(const Decomposition& d, const WilsonOperator<double>& op, const FermionField<double>& x,
                       const FermionField<double>& b)
{
  const Geometry& g = d.geometry();
  const auto r = allocate_fermion<double>(g, "lqcd::solve::residual");
  op.apply(r, x);
  double r2 = 0, b2 = 0;
  for (int p = 0; p < 2; ++p) {
    axpby(d, p, 1.0, b.parity[p], -1.0, r.parity[p]);
    r2 += norm2(d, p, r.parity[p]);
    b2 += norm2(d, p, b.parity[p]);
  }
  return b2 > 0 ? std::sqrt(r2 / b2) : std::sqrt(r2);
}

// One CG solve of the normal equations for D x = b, x holding the initial guess.
SolverResult solve_normal(const Decomposition& d, const WilsonOperator<double>& op, SolverKind kind,
                          const SolverSettings& settings, const FermionField<double>& x, const FermionField<double>& b)
{
  const Geometry& g = d.geometry();
  if (kind == SolverKind::cg) {
    // D^dag D x = D^dag b
    auto rhs = allocate_vector<double>(g, 2, "lqcd::solve::rhs");
    op.apply(FermionField<double>{{rhs.part[0], rhs.part[1]}}, b, true);
    const NormalOperator<double> normal(op, 2);
    return conjugate_gradient(normal, Vector<double>{{x.parity[0], x.parity[1]}, 2}, rhs, settings);
  }
  // M x_e = b' with b' = b_e + kappa H_eo b_o, through M^dag M x_e = M^dag b'
  auto source = allocate_spinor<double>(g, "lqcd::solve::source");
  auto rhs = allocate_spinor<double>(g, "lqcd::solve::rhs");
  op.schur_source(source, b);
  op.apply_schur(rhs, source, true);
  auto result = solve_schur_normal(d, op, kind, settings, x.parity[0], rhs);
  op.schur_reconstruct(x, b);
  return result;
}

} // namespace

SolverResult solve_wilson(const Decomposition& d, const Links& links, const WilsonParams& params, SolverKind kind,
                          const SolverSettings& settings, const FermionField<double>& x, const FermionField<double>& b)
{
  // CG stops on the residual of the normal equations, which is not that of D x = b: it is
  // smaller by up to the condition number of D, and it goes to zero for a singular D (kappa =
  // 1/8 on the free field), where no x solves D x = b (issue 24: such solves were reported
  // converged). So the true residual |b - D x| / |b| decides: while it misses the tolerance
  // and still falls, CG goes on from x with the normal target tightened by the miss.
  const WilsonOperator<double> op(d, links, params);
  SolverResult total;
  SolverSettings round = settings;
  double previous = std::numeric_limits<double>::infinity();
  for (;;) {
    round.max_iterations = settings.max_iterations - total.iterations;
    const SolverResult r = solve_normal(d, op, kind, round, x, b);
    total.iterations += r.iterations;
    total.reliable_updates += r.reliable_updates;
    total.relative_residual = r.relative_residual;
    total.history.insert(total.history.end(), r.history.begin(), r.history.end());
    total.true_residual = wilson_residual(d, op, x, b);
    total.converged = total.true_residual <= settings.tolerance;
    // Stop when converged, out of iterations, or stalled (a singular D: the residual's part
    // outside D's range cannot fall).
    if (total.converged || !r.converged || total.iterations >= settings.max_iterations ||
        !(total.true_residual < 0.5 * previous))
      break;
    previous = total.true_residual;
    // At most 1000 times tighter per round, and never below 1e-15 (the schema's smallest
    // solver.tolerance, near double rounding): an unreachable target would run CG on into
    // rounding noise until max_iterations, where on a singular D the iterate drifts away.
    const double next = std::max(round.tolerance * std::max(0.5 * settings.tolerance / total.true_residual, 1e-3),
                                 min_normal_tolerance);
    if (!(next < round.tolerance)) break;
    round.tolerance = next;
  }
  return total;
}

TwoFlavourWilson::TwoFlavourWilson(const Decomposition& d, const Links& links, const WilsonParams& params,
                                   SolverKind solver, const SolverSettings& action_settings,
                                   const SolverSettings& force_settings)
    : d_(&d), links_(links), op_(d, links, params), solver_(solver), action_settings_(action_settings),
      force_settings_(force_settings), phi_(allocate_spinor<double>(d.geometry(), "lqcd::phi")),
      x_(allocate_spinor<double>(d.geometry(), "lqcd::pf::x")),
      y_(allocate_spinor<double>(d.geometry(), "lqcd::pf::y")),
      x_odd_(allocate_spinor<double>(d.geometry(), "lqcd::pf::x_odd")),
      w_odd_(allocate_spinor<double>(d.geometry(), "lqcd::pf::w_odd"))
{
  if (solver == SolverKind::cg)
    throw InputError("fermions: the HMC uses the even-odd preconditioned action; solver must be cg-eo, "
                     "cg-eo-mixed or cg-eo-half");
}

double TwoFlavourWilson::refresh(std::uint64_t seed, std::uint64_t trajectory)
{
  auto eta = allocate_spinor<double>(d_->geometry(), "lqcd::pf::eta");
  gaussian_noise(*d_, 0, eta, seed, static_cast<std::uint32_t>(Stream::pseudofermion), trajectory);
  op_.apply_schur(phi_, eta, true);
  axpby(*d_, 0, 0.0, x_, 0.0, x_);
  return norm2(*d_, 0, eta);
}

void TwoFlavourWilson::solve(const SolverSettings& settings)
{
  axpby(*d_, 0, 0.0, x_, 0.0, x_);
  const auto result = solve_schur_normal(*d_, op_, solver_, settings, x_, phi_);
  iterations_ += result.iterations;
  ++solves_;
  if (!result.converged)
    throw Error(
        ExitCode::failure,
        fmt::format("fermion solver did not converge: residual {:.3e} after {} iterations (solver.max_iterations)",
                    result.relative_residual, result.iterations));
}

double TwoFlavourWilson::action()
{
  solve(action_settings_);
  return dot(*d_, 0, phi_, x_).real();
}

void TwoFlavourWilson::add_force(double scale, const Links& force)
{
  solve(force_settings_);
  op_.apply_schur(y_, x_, false);                           // Y = M X
  op_.hopping(x_odd_, 1, 0.0, x_odd_, 1.0, x_);             // X_o = H_oe X_e
  op_.hopping(w_odd_, 1, 0.0, w_odd_, 1.0, y_, true, true); // W_o = H_eo^dag Y_e = g5 H_oe g5 Y_e
  add_fermion_force(*d_, links_, op_.params(), FermionField<double>{{y_, w_odd_}}, FermionField<double>{{x_, x_odd_}},
                    scale, force);
}

} // namespace tessera::lqcd
