// SPDX-License-Identifier: Apache-2.0
#pragma once
// Loss functions: the mean over samples of a per-sample loss, and its gradient.
//
//   mse  (1/outputs) sum_j (y_j - t_j)^2                        any output activation
//   bce  -(1/outputs) sum_j [t_j log y_j + (1 - t_j) log(1 - y_j)]   sigmoid outputs
//   cce  -sum_j t_j log y_j                                     softmax outputs
//   kl   sum_j t_j (log t_j - log y_j)   (0 log 0 = 0)          softmax outputs
//
// With sigmoid + bce and softmax + cce / kl the gradient is taken with respect to the
// output layer's pre-activation z directly ((y - t) / outputs, y sum t - t): the stable form
// that PyTorch's BCEWithLogits and CrossEntropy use, exact also where y rounds to 0 or 1.

#include <string>

#include "tessera/core/gemm.hpp"
#include "tessera/nn/activation.hpp"

namespace tessera::nn {

enum class Loss { mse, bce, cce, kl };

Loss loss_from_name(const std::string& name);
const char* loss_name(Loss loss);
// The output activation a loss needs (throws InputError naming `key` when it does not fit).
void check_loss_fits_output(Loss loss, Activation output, const std::string& key);
// Whether the loss hands the output layer dL/dz rather than dL/dy.
bool loss_gives_preactivation_gradient(Loss loss, Activation output);

// Sum over the columns (samples) of the per-sample loss into `loss_sum` (a device scalar,
// no host synchronisation), and the gradient of (sum / normalisation) into `gradient`:
// normalisation is the number of samples of the global batch, so that gradients of
// sample shards on several ranks add up to the gradient of the whole batch.
template <class T>
void loss_and_gradient(const ExecSpace& space, Loss loss, Activation output, const ConstMatrix<T>& y,
                       const ConstMatrix<T>& target, double normalisation, const Matrix<T>& gradient,
                       const Kokkos::View<double, MemSpace>& loss_sum);

// The summed per-sample loss only (evaluation).
template <class T>
void loss_sum(const ExecSpace& space, Loss loss, const ConstMatrix<T>& y, const ConstMatrix<T>& target,
              const Kokkos::View<double, MemSpace>& sum);

} // namespace tessera::nn
