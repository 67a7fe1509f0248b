// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/loss.hpp"

#include <array>
#include <utility>

#include "tessera/core/errors.hpp"

namespace tessera::nn {

namespace {
constexpr std::array<std::pair<const char*, Loss>, 4> names{
    {{"mse", Loss::mse}, {"bce", Loss::bce}, {"cce", Loss::cce}, {"kl", Loss::kl}}};

// log of a probability that may have rounded to 0 (the loss value only; gradients never
// divide by it). NaN stays NaN: a diverged network must show as a non-finite loss, not as
// the floor's 690.8.
KOKKOS_INLINE_FUNCTION double safe_log(double p)
{
  return Kokkos::log(p > 1e-300 || Kokkos::isnan(p) ? p : 1e-300);
}

// The cce or kl loss of sample `j` (double accumulation whatever T); mse and bce are
// summed element by element in ElementwiseLoss.
template <class T>
KOKKOS_INLINE_FUNCTION double sample_loss(Loss loss, const ConstMatrix<T>& y, const ConstMatrix<T>& t, Index j)
{
  double sum = 0;
  for (Index i = 0; i < static_cast<Index>(y.extent(0)); ++i) {
    const double yi = y(i, j), ti = t(i, j);
    sum += loss == Loss::cce ? -ti * safe_log(yi) : (ti > 0 ? ti * (Kokkos::log(ti) - safe_log(yi)) : 0.0);
  }
  return sum;
}

// mse and bce: one thread per element, so that neighbouring threads touch neighbouring
// memory (a column per thread would stride by the number of outputs).
template <class T>
struct ElementwiseLoss {
  Loss loss;
  bool preactivation;
  ConstMatrix<T> y, t;
  Matrix<T> gradient; // not written when empty (evaluation)
  double scale;       // 1 / normalisation
  Index rows;

  KOKKOS_INLINE_FUNCTION void operator()(const Index e, double& sum) const
  {
    const Index i = e % rows, j = e / rows;
    const double yi = y(i, j), ti = t(i, j), per_output = 1.0 / static_cast<double>(rows);
    if (loss == Loss::mse) {
      sum += per_output * (yi - ti) * (yi - ti);
      if (gradient.span() > 0) gradient(i, j) = static_cast<T>(2 * scale * per_output * (yi - ti));
      return;
    }
    // bce: dL/dz = (y - t) / outputs with z the sigmoid's argument; dL/dy otherwise.
    sum -= per_output * (ti * safe_log(yi) + (1 - ti) * safe_log(1 - yi));
    if (gradient.span() > 0) {
      const double dz = scale * per_output * (yi - ti);
      gradient(i, j) = static_cast<T>(preactivation ? dz : dz / Kokkos::fmax(yi * (1 - yi), 1e-300));
    }
  }
};

// cce and kl couple the outputs of a sample (sum_k t_k): one thread per sample.
template <class T>
struct ColumnLoss {
  Loss loss;
  bool preactivation;
  ConstMatrix<T> y, t;
  Matrix<T> gradient; // not written when empty (evaluation)
  double scale;

  KOKKOS_INLINE_FUNCTION void operator()(const Index j, double& sum) const
  {
    sum += sample_loss(loss, y, t, j);
    if (gradient.span() == 0) return;
    const Index outputs = y.extent(0);
    double total = 0;
    for (Index i = 0; i < outputs; ++i)
      total += t(i, j);
    // dL/dz_i = y_i sum_k t_k - t_i under softmax; dL/dy_i = -t_i / y_i
    for (Index i = 0; i < outputs; ++i) {
      const double yi = y(i, j), ti = t(i, j);
      gradient(i, j) = static_cast<T>(scale * (preactivation ? yi * total - ti : -ti / Kokkos::fmax(yi, 1e-300)));
    }
  }
};

template <class T>
void reduce_loss(const ExecSpace& space, Loss loss, bool preactivation, const ConstMatrix<T>& y,
                 const ConstMatrix<T>& target, double scale, const Matrix<T>& gradient,
                 const Kokkos::View<double, MemSpace>& sum, const char* label)
{
  const Index rows = y.extent(0), columns = y.extent(1);
  if (loss == Loss::mse || loss == Loss::bce) {
    par_reduce(label, space, 0, rows * columns,
               ElementwiseLoss<T>{loss, preactivation, y, target, gradient, scale, rows}, sum);
  } else {
    par_reduce(label, space, 0, columns, ColumnLoss<T>{loss, preactivation, y, target, gradient, scale}, sum);
  }
}

} // namespace

Loss loss_from_name(const std::string& name)
{
  for (const auto& [text, loss] : names)
    if (name == text) return loss;
  throw InputError("unknown loss '" + name + "': expected mse, bce, cce or kl");
}

const char* loss_name(Loss loss)
{
  for (const auto& [text, value] : names)
    if (value == loss) return text;
  return "?";
}

void check_loss_fits_output(Loss loss, Activation output, const std::string& key)
{
  if (loss == Loss::bce && output != Activation::sigmoid) {
    throw InputError(std::string("key '") + key + "': loss 'bce' needs a sigmoid output layer, not " +
                     activation_name(output));
  }
  if ((loss == Loss::cce || loss == Loss::kl) && output != Activation::softmax) {
    throw InputError(std::string("key '") + key + "': loss '" + loss_name(loss) +
                     "' needs a softmax output layer, not " + activation_name(output));
  }
  if (loss == Loss::mse && output == Activation::softmax) return; // allowed, if unusual
}

bool loss_gives_preactivation_gradient(Loss loss, Activation output)
{
  return (loss == Loss::bce && output == Activation::sigmoid) ||
         ((loss == Loss::cce || loss == Loss::kl) && output == Activation::softmax);
}

template <class T>
void loss_and_gradient(const ExecSpace& space, Loss loss, Activation output, const ConstMatrix<T>& y,
                       const ConstMatrix<T>& target, double normalisation, const Matrix<T>& gradient,
                       const Kokkos::View<double, MemSpace>& loss_sum)
{
  reduce_loss<T>(space, loss, loss_gives_preactivation_gradient(loss, output), y, target, 1.0 / normalisation, gradient,
                 loss_sum, "tessera::nn::loss_and_gradient");
}

template <class T>
void loss_sum(const ExecSpace& space, Loss loss, const ConstMatrix<T>& y, const ConstMatrix<T>& target,
              const Kokkos::View<double, MemSpace>& sum)
{
  reduce_loss<T>(space, loss, false, y, target, 1.0, Matrix<T>(), sum, "tessera::nn::loss_sum");
}

#define TESSERA_NN_LOSS(T)                                                                                             \
  template void loss_and_gradient<T>(const ExecSpace&, Loss, Activation, const ConstMatrix<T>&, const ConstMatrix<T>&, \
                                     double, const Matrix<T>&, const Kokkos::View<double, MemSpace>&);                 \
  template void loss_sum<T>(const ExecSpace&, Loss, const ConstMatrix<T>&, const ConstMatrix<T>&,                      \
                            const Kokkos::View<double, MemSpace>&);
TESSERA_NN_LOSS(float)
TESSERA_NN_LOSS(double)
#undef TESSERA_NN_LOSS

} // namespace tessera::nn
