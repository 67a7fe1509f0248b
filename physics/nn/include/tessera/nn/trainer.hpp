// SPDX-License-Identifier: Apache-2.0
#pragma once
// Mini-batch training, data-parallel over MPI ranks.
//
// Every rank holds the whole (scaled) data set on its device. An epoch walks a permutation
// of the samples drawn from (seed, epoch), the same on every rank, in global batches; each
// rank takes its contiguous share of every global batch (core block_range), computes the
// gradient of its share normalised by the global batch size, and one all-reduce sums the
// shares, so every rank applies the same step as one rank with the whole batch would (to
// rounding). Within a step nothing comes back to the host: the batch is gathered on the
// device and each step's loss is reduced into a device array read once per epoch.

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/core/rng.hpp"
#include "tessera/nn/loss.hpp"
#include "tessera/nn/model.hpp"
#include "tessera/nn/optimizer.hpp"

namespace tessera::nn {

// Samples as columns: inputs (features x n) and targets (outputs x n), on the device.
template <class T>
struct DeviceSamples {
  Matrix<T> inputs, targets;
  Index size() const { return static_cast<Index>(inputs.extent(1)); }
};

// From the training.* keys (train_settings() in mlp_params.hpp).
struct TrainSettings {
  Index batch;        // global batch: samples per optimiser step over all ranks
  std::uint64_t seed; // the shuffle of epoch e is drawn from (seed, e)
  bool shuffle;
};

struct Evaluation {
  double loss = 0;                                            // mean per-sample loss
  double accuracy = std::numeric_limits<double>::quiet_NaN(); // classification losses only
  Index samples = 0;
};

// The RNG stream of the per-epoch shuffles (core/rng.hpp: streams separate uses).
inline constexpr std::uint32_t shuffle_stream = 0x5348;

// The order in which epoch `epoch` visits n samples (Fisher-Yates from the counter-based RNG).
std::vector<Index> epoch_order(Index n, std::uint64_t seed, std::int64_t epoch, bool shuffle);

namespace detail {
template <class T>
struct GatherColumns {
  ConstMatrix<T> source;
  Matrix<T> batch;
  Kokkos::View<const Index*, MemSpace> order;
  Index first, rows;
  KOKKOS_INLINE_FUNCTION void operator()(const Index e) const
  {
    const Index i = e % rows, c = e / rows;
    batch(i, c) = source(i, order(first + c));
  }
};

// Correct predictions: the arg-max class per sample (softmax) or each output thresholded at
// 1/2 (sigmoid).
template <class T>
struct CountCorrect {
  ConstMatrix<T> y, t;
  bool per_output;
  KOKKOS_INLINE_FUNCTION void operator()(const Index j, double& correct) const
  {
    const Index rows = y.extent(0);
    if (per_output) {
      for (Index i = 0; i < rows; ++i)
        correct += (y(i, j) > T(0.5)) == (t(i, j) > T(0.5)) ? 1.0 : 0.0;
      return;
    }
    Index best_y = 0, best_t = 0;
    for (Index i = 1; i < rows; ++i) {
      if (y(i, j) > y(best_y, j)) best_y = i;
      if (t(i, j) > t(best_t, j)) best_t = i;
    }
    correct += best_y == best_t ? 1.0 : 0.0;
  }
};
} // namespace detail

template <class T>
class Trainer {
public:
  Trainer(const Comm& comm, Model<T>& model, Optimizer<T>& optimizer, Loss loss, const TrainSettings& settings)
      : comm_(&comm), model_(&model), optimizer_(&optimizer), loss_(loss), settings_(settings)
  {
    check_loss_fits_output(loss, model.architecture().output_activation(), "training.loss");
    const Index share = block_range(settings.batch, 0, comm.size()).count;
    batch_inputs_ = Matrix<T>("tessera::nn::batch_inputs", model.inputs(), share);
    batch_targets_ = Matrix<T>("tessera::nn::batch_targets", model.outputs(), share);
    output_gradient_ = Matrix<T>("tessera::nn::output_gradient", model.outputs(), share);
    model.reserve(share);
  }

  // One pass over `data`; returns the mean training loss of the epoch (over all ranks).
  double train_epoch(const DeviceSamples<T>& data, std::int64_t epoch)
  {
    const Index n = data.size(), batch = settings_.batch;
    const Index steps = (n + batch - 1) / batch;
    upload_order(epoch_order(n, settings_.seed, epoch, settings_.shuffle));
    if (static_cast<Index>(step_losses_.extent(0)) < steps) {
      step_losses_ = Kokkos::View<double*, MemSpace>("tessera::nn::step_losses", steps);
    }
    for (Index s = 0; s < steps; ++s) {
      const Index first = s * batch, size = std::min(batch, n - first);
      step(data, first, size, Kokkos::View<double, MemSpace>(step_losses_.data() + s));
    }
    const auto losses = to_host(step_losses_);
    double sum = 0;
    for (Index s = 0; s < steps; ++s)
      sum += losses(s);
    return comm_->sum(sum) / static_cast<double>(n);
  }

  // Mean loss (and accuracy for classification) of the model on `data`, each rank
  // evaluating its contiguous share.
  Evaluation evaluate(const DeviceSamples<T>& data)
  {
    const auto share = block_range(data.size(), comm_->rank(), comm_->size());
    const Index chunk = std::max<Index>(1, batch_inputs_.extent(1));
    const Index chunks = (share.count + chunk - 1) / chunk;
    // Per chunk: (loss sum, correct predictions), reduced straight into device memory.
    Kokkos::View<double* [2], Kokkos::LayoutRight, MemSpace> sums("tessera::nn::evaluation_sums",
                                                                  std::max<Index>(chunks, 1));
    const bool classification = loss_ != Loss::mse;
    const bool per_output = model_->architecture().output_activation() == Activation::sigmoid;
    const ExecSpace space;
    for (Index c = 0; c < chunks; ++c) {
      const Kokkos::pair<Index, Index> columns(share.first + c * chunk,
                                               std::min(share.first + share.count, share.first + (c + 1) * chunk));
      const ConstMatrix<T> x = Kokkos::subview(data.inputs, Kokkos::ALL, columns);
      const ConstMatrix<T> t = Kokkos::subview(data.targets, Kokkos::ALL, columns);
      const auto y = model_->forward(space, x);
      loss_sum<T>(space, loss_, y, t, Kokkos::View<double, MemSpace>(sums.data() + 2 * c));
      if (classification) {
        par_reduce("tessera::nn::count_correct", space, 0, static_cast<Index>(y.extent(1)),
                   detail::CountCorrect<T>{y, t, per_output}, Kokkos::View<double, MemSpace>(sums.data() + 2 * c + 1));
      }
    }
    const auto host = to_host(sums);
    double loss = 0, correct = 0;
    for (Index c = 0; c < chunks; ++c) {
      loss += host(c, 0);
      correct += host(c, 1);
    }
    Evaluation result;
    result.samples = data.size();
    result.loss = comm_->sum(loss) / static_cast<double>(std::max<Index>(data.size(), 1));
    const double predictions = static_cast<double>(data.size()) * (per_output ? model_->outputs() : 1);
    if (classification) result.accuracy = comm_->sum(correct) / std::max(predictions, 1.0);
    return result;
  }

  const TrainSettings& settings() const { return settings_; }

private:
  void upload_order(const std::vector<Index>& order)
  {
    if (order_.extent(0) != order.size()) {
      order_ = Kokkos::View<Index*, MemSpace>("tessera::nn::epoch_order", order.size());
    }
    Kokkos::deep_copy(order_, Kokkos::View<const Index*, HostSpace>(order.data(), order.size()));
  }

  // One optimiser step on the global batch order_[first, first + size).
  void step(const DeviceSamples<T>& data, Index first, Index size, const Kokkos::View<double, MemSpace>& loss_out)
  {
    const ExecSpace space;
    const auto share = block_range(size, comm_->rank(), comm_->size());
    if (share.count == 0) {
      Kokkos::deep_copy(space, model_->gradients(), T(0));
      Kokkos::deep_copy(space, loss_out, 0.0);
    } else {
      const Index inputs = model_->inputs(), outputs = model_->outputs();
      const auto x = first_columns(batch_inputs_, share.count), t = first_columns(batch_targets_, share.count);
      par_for("tessera::nn::gather_batch", space, 0, share.count * inputs,
              detail::GatherColumns<T>{data.inputs, x, order_, first + share.first, inputs});
      par_for("tessera::nn::gather_batch", space, 0, share.count * outputs,
              detail::GatherColumns<T>{data.targets, t, order_, first + share.first, outputs});
      const auto y = model_->forward(space, x);
      const auto dy = first_columns(output_gradient_, share.count);
      loss_and_gradient<T>(space, loss_, model_->architecture().output_activation(), y, t, static_cast<double>(size),
                           dy, loss_out);
      model_->backward(space, x, dy,
                       loss_gives_preactivation_gradient(loss_, model_->architecture().output_activation()));
    }
    if (comm_->size() > 1) comm_->sum_in_place(model_->gradients());
    optimizer_->step(space, model_->parameters(), model_->gradients(), model_->weight_mask());
  }

  const Comm* comm_;
  Model<T>* model_;
  Optimizer<T>* optimizer_;
  Loss loss_;
  TrainSettings settings_;
  Matrix<T> batch_inputs_, batch_targets_, output_gradient_;
  Kokkos::View<Index*, MemSpace> order_;
  Kokkos::View<double*, MemSpace> step_losses_;
};

} // namespace tessera::nn
