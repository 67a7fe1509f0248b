#include "tessera/nn/loss.hpp"

#include <array>
#include <utility>

#include "tessera/core/errors.hpp"

namespace tessera::nn {

namespace {
constexpr std::array<std::pair<const char*, Loss>, 4> names{
    {{"mse", Loss::mse}, {"bce", Loss::bce}, {"cce", Loss::cce}, {"kl", Loss::kl}}};

// log of a probability that may have rounded to 0 (the loss value only; gradients never
// divide by it).
KOKKOS_INLINE_FUNCTION double safe_log(double p)
{
  return Kokkos::log(p > 1e-300 ? p : 1e-300);
}

// The loss of sample `j` (double accumulation whatever T).
template <class T>
KOKKOS_INLINE_FUNCTION double sample_loss(Loss loss, const ConstMatrix<T>& y, const ConstMatrix<T>& t, Index j)
{
  const Index outputs = y.extent(0);
  double sum = 0;
  for (Index i = 0; i < outputs; ++i) {
    const double yi = y(i, j), ti = t(i, j);
    switch (loss) {
    case Loss::mse: sum += (yi - ti) * (yi - ti); break;
    case Loss::bce: sum -= ti * safe_log(yi) + (1 - ti) * safe_log(1 - yi); break;
    case Loss::cce: sum -= ti * safe_log(yi); break;
    case Loss::kl: sum += ti > 0 ? ti * (Kokkos::log(ti) - safe_log(yi)) : 0.0; break;
    }
  }
  return (loss == Loss::mse || loss == Loss::bce) ? sum / static_cast<double>(outputs) : sum;
}

template <class T>
struct LossAndGradient {
  Loss loss;
  bool preactivation;
  ConstMatrix<T> y, t;
  Matrix<T> gradient;
  double scale; // 1 / normalisation

  KOKKOS_INLINE_FUNCTION void operator()(const Index j, double& sum) const
  {
    sum += sample_loss(loss, y, t, j);
    const Index outputs = y.extent(0);
    if (loss == Loss::mse) {
      const double s = 2 * scale / static_cast<double>(outputs);
      for (Index i = 0; i < outputs; ++i)
        gradient(i, j) = static_cast<T>(s * (static_cast<double>(y(i, j)) - t(i, j)));
    } else if (loss == Loss::bce) {
      // dL/dz = (y - t) / outputs with z the sigmoid's argument; dL/dy otherwise.
      const double s = scale / static_cast<double>(outputs);
      for (Index i = 0; i < outputs; ++i) {
        const double yi = y(i, j), ti = t(i, j);
        const double dz = s * (yi - ti);
        gradient(i, j) = static_cast<T>(preactivation ? dz : dz / Kokkos::fmax(yi * (1 - yi), 1e-300));
      }
    } else { // cce, kl: dL/dz_i = y_i sum_k t_k - t_i under softmax; dL/dy_i = -t_i / y_i
      double total = 0;
      for (Index i = 0; i < outputs; ++i)
        total += t(i, j);
      for (Index i = 0; i < outputs; ++i) {
        const double yi = y(i, j), ti = t(i, j);
        gradient(i, j) = static_cast<T>(scale * (preactivation ? yi * total - ti : -ti / Kokkos::fmax(yi, 1e-300)));
      }
    }
  }
};

template <class T>
struct LossSum {
  Loss loss;
  ConstMatrix<T> y, t;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j, double& sum) const { sum += sample_loss(loss, y, t, j); }
};
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
  const LossAndGradient<T> kernel{
      loss, loss_gives_preactivation_gradient(loss, output), y, target, gradient, 1.0 / normalisation};
  par_reduce("tessera::nn::loss_and_gradient", space, 0, static_cast<Index>(y.extent(1)), kernel, loss_sum);
}

template <class T>
void loss_sum(const ExecSpace& space, Loss loss, const ConstMatrix<T>& y, const ConstMatrix<T>& target,
              const Kokkos::View<double, MemSpace>& sum)
{
  par_reduce("tessera::nn::loss_sum", space, 0, static_cast<Index>(y.extent(1)), LossSum<T>{loss, y, target}, sum);
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
