// SPDX-License-Identifier: Apache-2.0
// 1 rank against all ranks (split in time, and in time and z when there are 2 ranks along
// each): the same plaquette of a hot start, the same D psi, the same CG iterations, the same
// solution from the half-precision solver (to its tolerance: its halos are rounded to 16 bits
// on arrival, so its iterates differ between rank grids at that rounding), the same
// HMC trajectory of the driver's simulation. Rank 0 computes alone on its own communicator
// first.
#include <array>
#include <cmath>

#include <gtest/gtest.h>

#include <fmt/ranges.h>

#include "lqcd_test_fields.hpp"
#include "tessera/lqcd/observables.hpp"
#include "tessera/lqcd/simulation.hpp"

namespace lq = tessera::lqcd;
namespace lt = tessera::lqcd::testing;
using tessera::Comm;

namespace {

struct Figures {
  double plaquette = 0, dpsi_norm = 0, psi_dpsi_re = 0, psi_dpsi_im = 0, solution_norm = 0;
  int iterations = 0;
  double half_solution_norm = 0, half_true_residual = 1, half_dpsi_norm = 0;
  double delta_h = 0, plaquette_after = 0;
};

// The simulation tessera-lqcd runs (4^3 x 8 from a hot start, two flavours at beta = 5.6,
// kappa = 0.13) on the rank grid `ranks`: figures of its first links, then of its first
// trajectory.
Figures compute(const Comm& comm, const std::array<int, 4>& ranks)
{
  const auto params =
      lt::params({"lattice.size=4x4x4x8", fmt::format("lattice.ranks={}", fmt::join(ranks, "x")), "gauge.start=hot",
                  "hmc.seed=12", "action.beta=5.6", "action.flavours=2", "action.kappa=0.13", "hmc.steps=4",
                  "hmc.length=0.25", "solver.tolerance=1e-12", "hmc.no_metropolis_until=0"});
  lq::Simulation sim(tessera::RunContext{comm}, params);
  const auto& d = sim.decomposition();
  const auto& u = sim.links();
  Figures f;
  f.plaquette = lq::plaquette(d, u).average();
  const auto& wilson = params.hmc.wilson;
  const lq::WilsonOperator<double> op(d, u, wilson);
  const auto psi = lt::random_fermion(d, 3);
  auto dpsi = lq::allocate_fermion<double>(d.geometry(), "dpsi");
  op.apply(dpsi, psi);
  f.dpsi_norm = lq::norm2(d, 0, dpsi.parity[0]) + lq::norm2(d, 1, dpsi.parity[1]);
  const auto e = lt::dot(d, psi, dpsi);
  f.psi_dpsi_re = e.real();
  f.psi_dpsi_im = e.imag();
  auto x = lq::allocate_fermion<double>(d.geometry(), "x");
  const auto result = lq::solve_wilson(d, u, wilson, lq::SolverKind::cg_even_odd, lt::solver(1e-10, 1000), x, psi);
  f.iterations = result.iterations;
  f.solution_norm = lq::norm2(d, 0, x.parity[0]) + lq::norm2(d, 1, x.parity[1]);
  auto y = lq::allocate_fermion<double>(d.geometry(), "y");
  const auto half = lq::solve_wilson(d, u, wilson, lq::SolverKind::cg_even_odd_half, lt::solver(1e-10, 1000), y, psi);
  f.half_true_residual = half.true_residual;
  f.half_solution_norm = lq::norm2(d, 0, y.parity[0]) + lq::norm2(d, 1, y.parity[1]);
  {
    const lq::WilsonOperator<lq::Half> op_half(d, lq::half_links<2>(u), wilson);
    auto psi_half = lq::allocate_fermion<lq::Half>(d.geometry(), "psi_half");
    auto dpsi_half = lq::allocate_fermion<lq::Half>(d.geometry(), "dpsi_half");
    for (int p = 0; p < 2; ++p)
      lq::convert_copy(d, p, psi.parity[p], psi_half.parity[p]);
    op_half.apply(dpsi_half, psi_half);
    f.half_dpsi_norm = lq::norm2(d, 0, dpsi_half.parity[0]) + lq::norm2(d, 1, dpsi_half.parity[1]);
  }
  sim.advance(sim.end());
  const auto& t = sim.last()->result;
  f.delta_h = t.delta_h;
  f.plaquette_after = t.plaquette.average();
  return f;
}

void expect_same(const Figures& a, const Figures& b)
{
  EXPECT_NEAR(a.plaquette, b.plaquette, 1e-14);
  EXPECT_NEAR(a.dpsi_norm, b.dpsi_norm, 1e-12 * a.dpsi_norm);
  EXPECT_NEAR(a.psi_dpsi_re, b.psi_dpsi_re, 1e-11 * std::abs(a.psi_dpsi_re));
  EXPECT_NEAR(a.psi_dpsi_im, b.psi_dpsi_im, 1e-11 * std::abs(a.psi_dpsi_re));
  EXPECT_EQ(a.iterations, b.iterations);
  EXPECT_NEAR(a.solution_norm, b.solution_norm, 1e-10 * a.solution_norm);
  EXPECT_LE(a.half_true_residual, 1e-10);
  EXPECT_LE(b.half_true_residual, 1e-10);
  EXPECT_NEAR(a.half_solution_norm, b.half_solution_norm, 1e-8 * a.half_solution_norm);
  EXPECT_NEAR(a.half_solution_norm, a.solution_norm, 1e-8 * a.solution_norm);
  EXPECT_NEAR(a.half_dpsi_norm, a.dpsi_norm, 1e-3 * a.dpsi_norm); // half against double
  EXPECT_NEAR(a.half_dpsi_norm, b.half_dpsi_norm, 1e-4 * a.dpsi_norm);
  EXPECT_NEAR(a.delta_h, b.delta_h, 1e-8);
  EXPECT_NEAR(a.plaquette_after, b.plaquette_after, 1e-12);
}

} // namespace

TEST(Ranks, OneRankAndAllRanksAgree)
{
  const Comm world;
  MPI_Comm self_comm;
  MPI_Comm_split(world.native(), world.rank(), 0, &self_comm);
  Figures alone;
  {
    const Comm self(self_comm);
    alone = compute(self, {1, 1, 1, 1});
  }
  MPI_Comm_free(&self_comm);
  const Figures time_split = compute(world, {1, 1, 1, world.size()});
  const Figures z_split = compute(world, {1, 1, world.size(), 1});
  expect_same(alone, time_split);
  expect_same(alone, z_split);
}

TEST(Ranks, GaugeObservablesOnAnyRankGridAgreeWithOneRank)
{
  if (Comm().size() == 1) GTEST_SKIP() << "on one rank both decompositions are the same";
  // All ranks (time is split first) against each rank's own copy of the whole lattice
  // (MPI_COMM_SELF): the Polyakov loop segments of a time column are combined across ranks,
  // the clover reads ghost corners from the neighbours.
  const std::array<int, 4> long_time{4, 4, 4, 8};
  const lq::Decomposition all(Comm(), long_time, {}), self(Comm(MPI_COMM_SELF), long_time, {});
  const lq::Decomposition* both[2] = {&self, &all};
  lt::GaugeObservables m[2];
  std::vector<double> c[2];
  const auto wilson = lt::wilson(0.1);
  for (int k = 0; k < 2; ++k) {
    const auto& d = *both[k];
    const auto u = lq::hot_start(d, 91);
    c[k] = lq::pion_correlator(d, u, wilson, lq::SolverKind::cg_even_odd, lt::solver(1e-12, 1000), {2, 1, 0, 6});
    lq::wilson_flow_step(d, u, 0.05);
    m[k] = lt::measure(d, u);
  }
  lt::expect_near(m[1], m[0], 1e-13);
  for (int t = 0; t < 8; ++t)
    EXPECT_NEAR(c[1][t], c[0][t], 1e-10 * c[0][t]) << "t = " << t;
}
