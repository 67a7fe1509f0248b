// SPDX-License-Identifier: Apache-2.0
#pragma once
// Exact results of the free theory (lambda = 0, m2 > 0) on the finite periodic lattice, the
// reference of the HMC and flow tests. S = phi^T K phi with K = -Laplacian + m2, so the weight
// exp(-S) is a Gaussian of covariance (2K)^-1:
//
//   G(x) = <phi(x) phi(0)> = 1/(2V) sum_p cos(p.x) / (phat^2 + m2),
//   phat^2 = sum_mu 4 sin^2(p_mu / 2),  p_mu = 2 pi n_mu / L_mu,  V = L_x L_y.
//
// The zero-momentum projection G(t) = sum_{x1} G(t, x1) (t along x) is a single lattice cosh,
// G(t) = 1/(2 L_x) sum_{p0} cos(p0 t) / (4 sin^2(p0 / 2) + m2), solves
// (2 + m2) G(t) - G(t+1) - G(t-1) = delta_{t,0} / 2, so its effective mass is exactly the pole
// mass m_p = 2 asinh(sqrt(m2) / 2) at every t != 0. Host code, direct sums (O(V^2)).

#include <vector>

#include "tessera/nn/lattice_field.hpp"

namespace tessera::flow {

// G(x) at every site x (site order of LatticeShape). Throws InputError unless m2 > 0.
std::vector<double> free_propagator(nn::LatticeShape shape, double m2);
// <phi^2> = G(0).
double free_phi2(nn::LatticeShape shape, double m2);
// chi_2 = V <(M/V)^2> = sum_x G(x) = 1 / (2 m2) (only p = 0 survives the sum).
double free_chi2(double m2);
// G(t) = sum_{x1} G(t, x1) for t = 0 .. L_x - 1.
std::vector<double> free_zero_momentum_correlator(nn::LatticeShape shape, double m2);
// m_p = 2 asinh(sqrt(m2) / 2): the pole of the lattice propagator, 4 sinh^2(m_p / 2) = m2.
double free_pole_mass(double m2);

} // namespace tessera::flow
