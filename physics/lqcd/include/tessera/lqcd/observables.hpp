// SPDX-License-Identifier: Apache-2.0
#pragma once
// Observables of a gauge field and of quarks in it: the Polyakov loop, the Wilson flow
// (Luscher, JHEP 08 (2010) 071) with the energy density in its plaquette and clover forms,
// the clover topological charge, and the pion correlator from a point source. Double
// precision; every result is summed over all ranks and returned on every rank.
//
// The clover field strength at x, in the mu-nu plane, from the four plaquettes ("leaves")
// that start and end at x, all with the orientation mu then nu:
//   C_mu nu(x) = U_mu(x) U_nu(x+mu) U_mu(x+nu)^dag U_nu(x)^dag + (its three rotations about x)
//   G_mu nu(x) = (1/8) [(C - C^dag) - tr(C - C^dag)/3],
// anti-Hermitian and traceless, G = a^2 g F_mu nu + O(a^4) with U = exp(a g A).

#include <array>
#include <cstdint>
#include <vector>

#include "tessera/lqcd/fermion.hpp"
#include "tessera/lqcd/gauge.hpp"

namespace tessera::lqcd {

// Average over the spatial sites of tr(U_t(x, 0) U_t(x, 1) ... U_t(x, L_t - 1)) / 3 (cold
// field: 1). When time is split over ranks, each rank multiplies its own segment and the
// segments of a time column are multiplied in time order on its first rank.
Complex<double> polyakov_loop(const Decomposition& d, const Links& u);

// One step of the Wilson flow dV/dt = Z(V) V, Z(V) = -TA(V_mu(x) A_mu(x)) (A: the sum of the
// six staples, the Wilson action at g0^2 = 1), with Luscher's third-order Runge-Kutta scheme
// (his eqs. C.1-C.3). Ghost links are refreshed.
void wilson_flow_step(const Decomposition& d, const Links& v, double eps);

// The action density E = -1/2 sum_{mu,nu} tr(G_mu nu G_mu nu) per site, averaged over the
// lattice, from the plaquette: E = 2 sum_{mu<nu} Re tr(1 - U_mu nu) = 36 (1 - plaquette).
double flow_energy_plaquette(const Decomposition& d, const Links& u);
// The same with the clover G_mu nu.
double flow_energy_clover(const Decomposition& d, const Links& u);

// Q = sum_x q(x), q = -(1/(4 pi^2)) Re[tr(G01 G23) - tr(G02 G13) + tr(G03 G12)]: the clover
// discretisation of (g^2/(32 pi^2)) F^a_mu nu Ftilde^a_mu nu with Ftilde_mu nu =
// (1/2) eps_mu nu rho sigma F_rho sigma and eps_xyzt = +1 (a self-dual field, an instanton,
// has Q > 0). Ghost corners must be filled (update_links, hot_start, exchange_links).
double topological_charge(const Decomposition& d, const Links& u);

struct FlowResult {
  double t = 0;           // flow time in lattice units
  double t2_e_plaq = 0;   // t^2 <E>, plaquette form
  double t2_e_clover = 0; // t^2 <E>, clover form
  double q = 0;           // topological charge Q (clover)
};

// Flows v in place to t_max (rounded to a whole number of steps of eps) and measures at
// t = 0, every `measure_every` steps (0: none in between), and at the end.
std::vector<FlowResult> wilson_flow(const Decomposition& d, Links v, double eps, double t_max, int measure_every);

struct SolverStats {
  std::int64_t iterations = 0; // sum over the 12 solves
  double max_residual = 0;     // largest final true residual |b - D x| / |b|
  int solves = 0;
};

// C(t) = sum_{x, x_t = t_source + t} sum_{s, c, s0, c0} |S(x)_{s c, s0 c0}|^2, t in [0, L_t)
// (time separation mod L_t), for the propagator S = D^-1 from a point source at the global
// coordinates `source`: 12 solves of D x = delta_{x, source} delta_{s, s0} delta_{c, c0}. By
// gamma_5-Hermiticity this is the pion correlator sum_x <pi(x) pi^dag(source)>. Throws
// Error (failure) when a solve does not converge.
std::vector<double> pion_correlator(const Decomposition& d, const Links& u, const WilsonParams& wilson, SolverKind kind,
                                    const SolverSettings& settings, std::array<int, dims> source,
                                    SolverStats* stats = nullptr);

// Effective masses of a correlator from C(t) and C(t + 1) (NaN where none exists):
// the log form log(C(t) / C(t + 1)), exact for a single exponential and negative past T/2 for
// a periodic correlator; and the cosh form for a correlator periodic in time with period lt,
// the m > 0 with C(t) / C(t + 1) = cosh(m (lt/2 - t)) / cosh(m (lt/2 - t - 1)), exact for
// A cosh(m (lt/2 - t)) at every t (found by bisection to rounding).
double log_effective_mass(double c_t, double c_next);
double cosh_effective_mass(double c_t, double c_next, int t, int lt);

} // namespace tessera::lqcd
