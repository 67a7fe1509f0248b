// SPDX-License-Identifier: Apache-2.0
#pragma once
// The exact solution of the Riemann problem of the Euler equations for an ideal gas (Toro,
// "Riemann Solvers and Numerical Methods for Fluid Dynamics", 3rd ed., chapter 4): the star
// pressure by Newton iteration on the pressure function, then the self-similar solution
// sampled at x / t. Independent of the module's code: the tests' reference.

#include <cmath>
#include <stdexcept>

namespace tessera::amr::testing {

struct State1D {
  double rho, u, p;
};

class ExactRiemann {
public:
  ExactRiemann(State1D left, State1D right, double gamma) : l_(left), r_(right), g_(gamma)
  {
    al_ = std::sqrt(g_ * l_.p / l_.rho);
    ar_ = std::sqrt(g_ * r_.p / r_.rho);
    if (2 / (g_ - 1) * (al_ + ar_) <= r_.u - l_.u) throw std::invalid_argument("vacuum is generated");
    double p = std::max(1e-12, 0.5 * (l_.p + r_.p));
    for (int iteration = 0; iteration < 100; ++iteration) {
      double fl, dl, fr, dr;
      pressure_function(p, l_, al_, fl, dl);
      pressure_function(p, r_, ar_, fr, dr);
      const double next = std::max(1e-12, p - (fl + fr + r_.u - l_.u) / (dl + dr));
      const bool done = 2 * std::abs(next - p) / (next + p) < 1e-15;
      p = next;
      if (done) break;
    }
    double fl, dl, fr, dr;
    pressure_function(p, l_, al_, fl, dl);
    pressure_function(p, r_, ar_, fr, dr);
    p_star = p;
    u_star = 0.5 * (l_.u + r_.u) + 0.5 * (fr - fl);
  }

  double p_star = 0, u_star = 0;

  // The state at x / t = xi.
  State1D sample(double xi) const
  {
    const double g1 = (g_ - 1) / (2 * g_), g2 = (g_ + 1) / (2 * g_), g6 = (g_ - 1) / (g_ + 1);
    const bool left_side = xi <= u_star;
    const State1D& k = left_side ? l_ : r_;
    const double a = left_side ? al_ : ar_;
    const double sign = left_side ? -1.0 : 1.0; // waves of the left family move left
    const double ratio = p_star / k.p;
    if (p_star > k.p) { // shock
      const double s = k.u + sign * a * std::sqrt(g2 * ratio + g1);
      if (sign * (xi - s) >= 0) return k;
      return {k.rho * (ratio + g6) / (g6 * ratio + 1), u_star, p_star};
    }
    const double head = k.u + sign * a; // rarefaction
    if (sign * (xi - head) >= 0) return k;
    const double tail = u_star + sign * a * std::pow(ratio, g1);
    if (sign * (xi - tail) <= 0) return {k.rho * std::pow(ratio, 1 / g_), u_star, p_star};
    const double u = 2 / (g_ + 1) * (-sign * a + (g_ - 1) / 2 * k.u + xi);
    const double c = 2 / (g_ + 1) * (a - sign * (g_ - 1) / 2 * (k.u - xi));
    return {k.rho * std::pow(c / a, 2 / (g_ - 1)), u, k.p * std::pow(c / a, 2 * g_ / (g_ - 1))};
  }

private:
  void pressure_function(double p, const State1D& k, double a, double& f, double& df) const
  {
    if (p > k.p) {
      const double ak = 2 / ((g_ + 1) * k.rho), bk = (g_ - 1) / (g_ + 1) * k.p;
      const double q = std::sqrt(ak / (bk + p));
      f = (p - k.p) * q;
      df = q * (1 - 0.5 * (p - k.p) / (bk + p));
    } else {
      const double ratio = p / k.p;
      f = 2 * a / (g_ - 1) * (std::pow(ratio, (g_ - 1) / (2 * g_)) - 1);
      df = 1 / (k.rho * a) * std::pow(ratio, -(g_ + 1) / (2 * g_));
    }
  }

  State1D l_, r_;
  double g_, al_ = 0, ar_ = 0;
};

} // namespace tessera::amr::testing
