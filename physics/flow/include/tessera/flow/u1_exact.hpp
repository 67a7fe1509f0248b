// SPDX-License-Identifier: Apache-2.0
#pragma once
// Exact results of 2-D U(1) gauge theory with the Wilson action (u1.hpp), from the character
// expansion exp(beta cos t) = sum_n I_n(beta) exp(i n t): on a periodic lattice of V plaquettes
// every plaquette carries the same representation n, so
//
//   Z = sum_n I_n(beta)^V,   <cos theta_P> = sum_n I_n^(V-1) (I_(n-1) + I_(n+1)) / 2 / Z,
//
// and in infinite volume <cos theta_P> = I_1(beta) / I_0(beta). Sums run over n = -N .. N until
// the terms (I_n / I_0)^V are negligible; the ratios I_n / I_0 keep large V from overflowing.
//
// The topological susceptibility chi_t = <Q^2> / V from the theta term exp(i theta Q): each
// plaquette's weight w(t) = exp(beta cos t + i theta arg(t) / 2 pi) has the Fourier coefficients
//   c_n(theta) = (1/pi) int_0^pi exp(beta cos t) cos(nu t) dt,  nu = n - theta / 2 pi,
// so Z(theta) = sum_n c_n(theta)^V and <Q^2> = -Z''(0) / Z(0). In infinite volume only n = 0
// is left: chi_t = <t^2>_1 / (4 pi^2), with <t^2>_1 the mean of t^2 over one plaquette's
// density exp(beta cos t) on (-pi, pi]. The integrals are composite Simpson sums (relative
// error ~1e-12).

#include <cstdint>

namespace tessera::flow {

// I_1(beta) / I_0(beta). Throws InputError for beta <= 0.
double u1_plaquette_infinite_volume(double beta);
// <cos theta_P> on a periodic lattice of `plaquettes` = V sites (any L_x x L_y with that V).
// Throws InputError for beta <= 0 or plaquettes < 1.
double u1_plaquette(double beta, std::int64_t plaquettes);
// log Z, Z = int over [0, 2 pi)^(2V) of exp(-S) = (2 pi)^(2V) sum_n I_n(beta)^V on a periodic
// lattice of V plaquettes (2V links): the reverse-KL loss mean(log q + S) of a flow is
// KL(q || p) - log Z, so a U(1) flow's KL divergence is known exactly.
double u1_log_partition_function(double beta, std::int64_t plaquettes);
// chi_t = <Q^2> / V in infinite volume, and on a periodic lattice of V plaquettes.
double u1_topological_susceptibility_infinite_volume(double beta);
double u1_topological_susceptibility(double beta, std::int64_t plaquettes);

} // namespace tessera::flow
