// SPDX-License-Identifier: Apache-2.0
#pragma once
// Optimisers over the model's parameter buffer, one kernel per step:
//   sgd   v = mu v + g, w -= lr v                         (PyTorch's SGD with momentum)
//   adam  m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
//         w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)   (PyTorch's Adam)
// Weight penalties l1 |w| + (l2 / 2) w^2 on weights (not biases) enter g as l1 sign(w) + l2 w.

#include <cmath>
#include <cstdint>
#include <string>

#include "tessera/core/loops.hpp"

namespace tessera::nn {

enum class OptimizerKind { sgd, adam };

// From the training.* keys (mlp_params.hpp), which hold the defaults.
struct OptimizerSettings {
  OptimizerKind kind;
  double learning_rate;
  double momentum; // sgd
  double beta1, beta2, epsilon;
  double l1, l2;
};

OptimizerKind optimizer_from_name(const std::string& name);
const char* optimizer_name(OptimizerKind kind);

namespace detail {
// Penalised: whether the weight penalties apply (the mask is not read otherwise: one array
// less to stream per step).
template <class T, bool Penalised>
struct OptimizerStep {
  Kokkos::View<T*, MemSpace> w, m, v;
  Kokkos::View<const T*, MemSpace> g, mask;
  OptimizerKind kind;
  T learning_rate, momentum, beta1, beta2, epsilon, l1, l2;
  T step_size, inv_sqrt_correction2; // adam: lr / (1 - b1^t), 1 / sqrt(1 - b2^t)
  KOKKOS_INLINE_FUNCTION void operator()(const Index i) const
  {
    const T wi = w(i);
    T gi = g(i);
    if constexpr (Penalised) {
      const T sign = wi > T(0) ? T(1) : (wi < T(0) ? T(-1) : T(0));
      gi += mask(i) * (l2 * wi + l1 * sign);
    }
    if (kind == OptimizerKind::sgd) {
      const T velocity = momentum * m(i) + gi;
      m(i) = velocity;
      w(i) = wi - learning_rate * velocity;
    } else {
      const T mi = beta1 * m(i) + (T(1) - beta1) * gi;
      const T vi = beta2 * v(i) + (T(1) - beta2) * gi * gi;
      m(i) = mi;
      v(i) = vi;
      w(i) = wi - step_size * mi / (Kokkos::sqrt(vi) * inv_sqrt_correction2 + epsilon);
    }
  }
};
} // namespace detail

template <class T>
class Optimizer {
public:
  Optimizer(const OptimizerSettings& settings, std::size_t parameters)
      : settings_(settings), first_("tessera::nn::optimizer::m", parameters),
        second_("tessera::nn::optimizer::v", settings.kind == OptimizerKind::adam ? parameters : 0)
  {
  }

  void step(const ExecSpace& space, const Kokkos::View<T*, MemSpace>& parameters,
            const Kokkos::View<const T*, MemSpace>& gradients, const Kokkos::View<const T*, MemSpace>& weight_mask)
  {
    ++steps_;
    const auto& s = settings_;
    const double correction1 = 1 - std::pow(s.beta1, static_cast<double>(steps_));
    const double correction2 = 1 - std::pow(s.beta2, static_cast<double>(steps_));
    const auto launch = [&](auto kernel) {
      par_for("tessera::nn::optimizer_step", space, 0, static_cast<Index>(parameters.extent(0)), kernel);
    };
    const detail::OptimizerStep<T, false> kernel{parameters,
                                                 first_,
                                                 s.kind == OptimizerKind::adam ? second_ : first_,
                                                 gradients,
                                                 weight_mask,
                                                 s.kind,
                                                 static_cast<T>(s.learning_rate),
                                                 static_cast<T>(s.momentum),
                                                 static_cast<T>(s.beta1),
                                                 static_cast<T>(s.beta2),
                                                 static_cast<T>(s.epsilon),
                                                 static_cast<T>(s.l1),
                                                 static_cast<T>(s.l2),
                                                 static_cast<T>(s.learning_rate / correction1),
                                                 static_cast<T>(1 / std::sqrt(correction2))};
    if (s.l1 == 0 && s.l2 == 0) {
      launch(kernel);
    } else {
      launch(detail::OptimizerStep<T, true>{kernel.w, kernel.m, kernel.v, kernel.g, kernel.mask, kernel.kind,
                                            kernel.learning_rate, kernel.momentum, kernel.beta1, kernel.beta2,
                                            kernel.epsilon, kernel.l1, kernel.l2, kernel.step_size,
                                            kernel.inv_sqrt_correction2});
    }
  }

  const OptimizerSettings& settings() const { return settings_; }
  std::int64_t steps() const { return steps_; }
  void set_steps(std::int64_t steps) { steps_ = steps; }
  // State for model files: momentum / first moment, and Adam's second moment (empty for sgd).
  const Kokkos::View<T*, MemSpace>& first_moment() const { return first_; }
  const Kokkos::View<T*, MemSpace>& second_moment() const { return second_; }

private:
  OptimizerSettings settings_;
  Kokkos::View<T*, MemSpace> first_, second_;
  std::int64_t steps_ = 0;
};

} // namespace tessera::nn
