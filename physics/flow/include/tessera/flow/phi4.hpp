// SPDX-License-Identifier: Apache-2.0
#pragma once
// The real scalar phi^4 theory on a periodic two-dimensional lattice, the target density
// exp(-S) of the normalizing flows of Albergo, Kanwar and Shanahan, PRD 100 034515 (2019) and
// their tutorial, arXiv:2101.08176:
//
//   S(phi) = sum_x [ sum_mu phi(x) (2 phi(x) - phi(x+mu) - phi(x-mu)) + m2 phi(x)^2 + lambda phi(x)^4 ]
//
// (mu = the two lattice directions; the first term is sum over links of (phi(x+mu) - phi(x))^2),
// and its derivative
//
//   dS/dphi(x) = 2 sum_mu (2 phi(x) - phi(x+mu) - phi(x-mu)) + 2 m2 phi(x) + 4 lambda phi(x)^3.
//
// Sites follow nn::LatticeShape (site = x * extent_y + y); a batch holds its samples one after
// the other (nn::FieldBatch). Sums over sites are taken in double for T = float too.

#include "tessera/nn/lattice_field.hpp"

namespace tessera::flow {

struct Phi4Couplings {
  double m2 = 0;     // the bare mass squared (negative in the tutorial's broken-symmetry region)
  double lambda = 0; // the quartic coupling, >= 0
};

template <class T>
class Phi4Action final : public nn::LatticeAction<T> {
public:
  // Throws InputError for an empty lattice or lambda < 0 (S unbounded below).
  Phi4Action(nn::LatticeShape shape, Phi4Couplings couplings);

  // One real per site.
  Index components() const override { return shape_.sites(); }
  // One team per sample, its sites shared out over the team's threads.
  void evaluate(const ExecSpace& space, const nn::ConstFieldBatch<T>& phi,
                const nn::SampleValues<T>& action) const override;
  // S into action (as evaluate) and dS/dphi into force, one thread per (sample, site).
  void gradient(const ExecSpace& space, const nn::ConstFieldBatch<T>& phi, const nn::SampleValues<T>& action,
                const nn::FieldBatch<T>& force) const override;

  const nn::LatticeShape& shape() const { return shape_; }
  const Phi4Couplings& couplings() const { return couplings_; }

private:
  nn::LatticeShape shape_;
  Phi4Couplings couplings_;
};

extern template class Phi4Action<float>;
extern template class Phi4Action<double>;

} // namespace tessera::flow
