// SPDX-License-Identifier: Apache-2.0
#pragma once
// Two-dimensional U(1) pure gauge theory with the Wilson plaquette action, the second target
// theory of the normalizing flows (Kanwar et al., PRL 125 121601 (2020); issue 23):
//
//   S(theta) = -beta sum_x cos theta_P(x),
//   theta_P(x) = theta_0(x) + theta_1(x + e0) - theta_0(x + e1) - theta_1(x),
//
// with the link angles theta_mu(x) (mu = 0: the x direction, LatticeShape::shifted(site, 1, 0);
// mu = 1: the y direction) as a batch of 2V reals per sample: element
// sample * 2V + mu * V + site (site = x * extent_y + y, nn::LatticeShape). Its derivative:
//
//   dS/dtheta_0(x) = beta [sin theta_P(x) - sin theta_P(x - e1)],
//   dS/dtheta_1(x) = beta [sin theta_P(x - e0) - sin theta_P(x)].
//
// S is invariant under theta_mu(x) -> theta_mu(x) + alpha(x) - alpha(x + e_mu) and 2 pi periodic
// in every angle; the angles themselves are not reduced (HMC moves them on the real line).
// Per configuration: the plaquette p = (1/V) sum_x cos theta_P(x) and the topological charge
// Q = (1/2 pi) sum_x arg exp(i theta_P(x)), arg in (-pi, pi] (an integer: the plaquette angles
// sum to 0 on the torus). Sums over sites are taken in double for T = float too.

#include <vector>

#include "tessera/nn/lattice_field.hpp"

namespace tessera::flow {

// The plaquette angle theta_P(site), summed in R, of the sample whose links start at `base`.
template <class R, class V>
KOKKOS_INLINE_FUNCTION R plaquette_angle(const V& theta, Index base, nn::LatticeShape shape, Index site)
{
  const Index sites = shape.sites();
  return static_cast<R>(theta(base + site)) + static_cast<R>(theta(base + sites + shape.shifted(site, 1, 0))) -
         static_cast<R>(theta(base + shape.shifted(site, 0, 1))) - static_cast<R>(theta(base + sites + site));
}

template <class T>
class U1Action final : public nn::LatticeAction<T> {
public:
  // Throws InputError for an empty lattice or beta <= 0.
  U1Action(nn::LatticeShape shape, double beta);

  // Two link angles per site.
  Index components() const override { return 2 * shape_.sites(); }
  // One team per sample, its plaquettes shared out over the team's threads.
  void evaluate(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta,
                const nn::SampleValues<T>& action) const override;
  // S into action (as evaluate) and dS/dtheta into force, one thread per (sample, link).
  void gradient(const ExecSpace& space, const nn::ConstFieldBatch<T>& theta, const nn::SampleValues<T>& action,
                const nn::FieldBatch<T>& force) const override;

  const nn::LatticeShape& shape() const { return shape_; }
  double beta() const { return beta_; }

private:
  nn::LatticeShape shape_;
  double beta_;
};

// theta_mu(x) -> theta_mu(x) + alpha(x) - alpha(x + e_mu) in place, for every sample of theta;
// alpha holds one angle per site per sample (sample * V + site).
template <class T>
void gauge_transform(const ExecSpace& space, nn::LatticeShape shape, const nn::FieldBatch<T>& theta,
                     const nn::ConstFieldBatch<T>& alpha);

// Per-configuration values of a batch, copied to the host.
struct U1Measurements {
  Index samples = 0;
  std::vector<double> plaquette;  // p, per sample
  std::vector<double> charge;     // Q rounded to the nearest integer, per sample
  std::vector<double> raw_charge; // Q as summed (an integer up to rounding), per sample
};

// One team per sample.
template <class T>
U1Measurements measure_u1(const ExecSpace& space, nn::LatticeShape shape, const nn::ConstFieldBatch<T>& theta);

extern template class U1Action<float>;
extern template class U1Action<double>;
extern template void gauge_transform<float>(const ExecSpace&, nn::LatticeShape, const nn::FieldBatch<float>&,
                                            const nn::ConstFieldBatch<float>&);
extern template void gauge_transform<double>(const ExecSpace&, nn::LatticeShape, const nn::FieldBatch<double>&,
                                             const nn::ConstFieldBatch<double>&);
extern template U1Measurements measure_u1<float>(const ExecSpace&, nn::LatticeShape, const nn::ConstFieldBatch<float>&);
extern template U1Measurements measure_u1<double>(const ExecSpace&, nn::LatticeShape,
                                                  const nn::ConstFieldBatch<double>&);

} // namespace tessera::flow
