// SPDX-License-Identifier: Apache-2.0
#pragma once
// Conjugate gradients on the normal equations of the Wilson operator: unpreconditioned
// (D^dag D x = D^dag b on the whole lattice) or even-odd preconditioned (M^dag M x_e = M^dag b'
// on the even sites, then the odd half from the even one), in double precision or mixed
// (single- or half-precision iterations with reliable updates of the residual in double,
// Clark et al., Comput. Phys. Commun. 181 (2010) 1517; the solution is accumulated in double).

#include <string>
#include <vector>

#include "tessera/lqcd/dirac.hpp"
#include "tessera/lqcd/spinor_algebra.hpp"

namespace tessera::lqcd {

enum class SolverKind { cg, cg_even_odd, cg_even_odd_mixed, cg_even_odd_half };
SolverKind solver_kind_from(const std::string& name); // "cg", "cg-eo", "cg-eo-mixed", "cg-eo-half"
const char* name(SolverKind kind);

// No defaults: the schema's solver.* keys give them (params.cpp).
struct SolverSettings {
  double tolerance; // on |b - A x| / |b| of the system solved: D x = b in solve_wilson, the
                    // normal equations A x = b in conjugate_gradient
  int max_iterations;
  double reliable_delta; // mixed precision (single or half): update when the residual fell by this factor
};

// The smallest reliable_delta of cg-eo-half (the schema refuses less; params.cpp says why).
inline constexpr double min_half_reliable_delta = 0.05;

struct SolverResult {
  int iterations = 0; // applications of the normal operator
  int reliable_updates = 0;
  bool converged = false;
  double relative_residual = 0; // true residual of the normal equations, recomputed in double
  double true_residual = 0;     // solve_wilson: |b - D x| / |b| of the Wilson system itself
  std::vector<double> history;  // |r| / |b| after each iteration (the iterated residual)
};

// A set of parities of quark fields that CG works on: {even} or {even, odd}.
template <class T>
struct Vector {
  typename Storage<T>::Spinors part[2];
  int parities = 1;
};

template <class T>
Vector<T> allocate_vector(const Geometry& g, int parities, const std::string& label)
{
  Vector<T> v;
  v.parities = parities;
  for (int p = 0; p < parities; ++p)
    v.part[p] = allocate_spinor<T>(g, label);
  return v;
}

template <class T>
double norm2(const Decomposition& d, const Vector<T>& a)
{
  double sum = 0;
  for (int p = 0; p < a.parities; ++p)
    sum += norm2(d, p, a.part[p]);
  return sum;
}

template <class T>
double re_dot(const Decomposition& d, const Vector<T>& a, const Vector<T>& b)
{
  double sum = 0;
  for (int p = 0; p < a.parities; ++p)
    sum += dot(d, p, a.part[p], b.part[p]).real();
  return sum;
}

template <class T>
void axpby(const Decomposition& d, double alpha, const Vector<T>& x, double beta, const Vector<T>& y)
{
  for (int p = 0; p < x.parities; ++p)
    axpby(d, p, alpha, x.part[p], beta, y.part[p]);
}

template <class To, class From>
void convert_copy(const Decomposition& d, const Vector<From>& x, const Vector<To>& y)
{
  for (int p = 0; p < x.parities; ++p)
    convert_copy(d, p, x.part[p], y.part[p]);
}

template <class T, class U>
void add_converted(const Decomposition& d, const Vector<U>& x, const Vector<T>& y)
{
  for (int p = 0; p < x.parities; ++p)
    add_converted(d, p, x.part[p], y.part[p]);
}

// The normal operator A = D^dag D (2 parities) or M^dag M (even only).
template <class T>
class NormalOperator {
public:
  NormalOperator(const WilsonOperator<T>& op, int parities)
      : op_(&op), parities_(parities),
        work_{allocate_spinor<T>(op.decomposition().geometry(), "lqcd::normal::work_even"),
              allocate_spinor<T>(op.decomposition().geometry(), "lqcd::normal::work_odd")}
  {
  }
  int parities() const { return parities_; }
  const Decomposition& decomposition() const { return op_->decomposition(); }
  void operator()(const Vector<T>& out, const Vector<T>& in) const
  {
    if (parities_ == 1) {
      op_->apply_schur_normal(out.part[0], in.part[0]);
      return;
    }
    const FermionField<T> work{{work_[0], work_[1]}};
    op_->apply(work, FermionField<T>{{in.part[0], in.part[1]}}, false);
    op_->apply(FermionField<T>{{out.part[0], out.part[1]}}, work, true);
  }

private:
  const WilsonOperator<T>* op_;
  int parities_;
  typename Storage<T>::Spinors work_[2];
};

// Solves A x = b with CG, x holding the initial guess (usually zero).
template <class T>
SolverResult conjugate_gradient(const NormalOperator<T>& a, const Vector<T>& x, const Vector<T>& b,
                                const SolverSettings& settings)
{
  const Decomposition& d = a.decomposition();
  const Geometry& g = d.geometry();
  SolverResult result;
  auto r = allocate_vector<T>(g, b.parities, "lqcd::cg::r");
  auto p = allocate_vector<T>(g, b.parities, "lqcd::cg::p");
  auto ap = allocate_vector<T>(g, b.parities, "lqcd::cg::ap");
  const double b2 = norm2(d, b);
  if (b2 == 0) {
    axpby(d, 0.0, b, 0.0, x);
    result.converged = true;
    return result;
  }
  a(ap, x);
  axpby(d, 1.0, b, 0.0, r);
  axpby(d, -1.0, ap, 1.0, r);
  axpby(d, 1.0, r, 0.0, p);
  double rr = norm2(d, r);
  const double target = settings.tolerance * settings.tolerance * b2;
  while (rr > target && result.iterations < settings.max_iterations) {
    a(ap, p);
    const double alpha = rr / re_dot(d, p, ap);
    axpby(d, alpha, p, 1.0, x);
    axpby(d, -alpha, ap, 1.0, r);
    const double rr_new = norm2(d, r);
    axpby(d, 1.0, r, rr_new / rr, p);
    rr = rr_new;
    ++result.iterations;
    result.history.push_back(std::sqrt(rr / b2));
  }
  a(ap, x); // the true residual
  axpby(d, 1.0, b, -1.0, ap);
  result.relative_residual = std::sqrt(norm2(d, ap) / b2);
  result.converged = result.relative_residual <= settings.tolerance * 1.0001 || rr <= target;
  return result;
}

// Mixed precision: iterations in Low (float, or Half: 16-bit storage) with reliable updates
// in double. Low holds the iterated residual r, the direction p, A p and the correction to x
// since the last update; at each update the correction is added to x in double and r is
// recomputed as b - A x in double.
template <class High, class Low>
SolverResult conjugate_gradient_mixed(const NormalOperator<High>& a_high, const NormalOperator<Low>& a_low,
                                      const Vector<High>& x, const Vector<High>& b, const SolverSettings& settings)
{
  const Decomposition& d = a_high.decomposition();
  const Geometry& g = d.geometry();
  SolverResult result;
  const int n = b.parities;
  auto r = allocate_vector<High>(g, n, "lqcd::cg_mixed::r");
  auto ax = allocate_vector<High>(g, n, "lqcd::cg_mixed::ax");
  auto r_low = allocate_vector<Low>(g, n, "lqcd::cg_mixed::r_low");
  auto x_low = allocate_vector<Low>(g, n, "lqcd::cg_mixed::x_low");
  auto p = allocate_vector<Low>(g, n, "lqcd::cg_mixed::p");
  auto ap = allocate_vector<Low>(g, n, "lqcd::cg_mixed::ap");
  const double b2 = norm2(d, b);
  if (b2 == 0) {
    axpby(d, 0.0, b, 0.0, x);
    result.converged = true;
    return result;
  }
  const auto true_residual = [&] { // r = b - A x in high precision; returns |r|^2
    a_high(ax, x);
    axpby(d, 1.0, b, 0.0, r);
    axpby(d, -1.0, ax, 1.0, r);
    return norm2(d, r);
  };
  double rr = true_residual();
  convert_copy(d, r, r_low);
  convert_copy(d, r_low, p);
  axpby(d, 0.0, x_low, 0.0, x_low);
  double r_max = std::sqrt(rr);
  const double target = settings.tolerance * settings.tolerance * b2;
  while (rr > target && result.iterations < settings.max_iterations) {
    a_low(ap, p);
    const double alpha = rr / re_dot(d, p, ap);
    axpby(d, alpha, p, 1.0, x_low);
    axpby(d, -alpha, ap, 1.0, r_low);
    double rr_new = norm2(d, r_low);
    ++result.iterations;
    if (std::sqrt(rr_new) < settings.reliable_delta * r_max || rr_new <= target) {
      add_converted(d, x_low, x); // fold the low-precision solution into x and restart it
      axpby(d, 0.0, x_low, 0.0, x_low);
      rr_new = true_residual();
      convert_copy(d, r, r_low);
      r_max = std::sqrt(rr_new);
      ++result.reliable_updates;
    }
    result.history.push_back(std::sqrt(rr_new / b2));
    axpby(d, 1.0, r_low, rr_new / rr, p);
    rr = rr_new;
  }
  add_converted(d, x_low, x);
  result.relative_residual = std::sqrt(true_residual() / b2);
  result.converged = result.relative_residual <= settings.tolerance * 1.0001;
  return result;
}

} // namespace tessera::lqcd
