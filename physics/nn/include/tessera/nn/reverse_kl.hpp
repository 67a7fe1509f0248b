// SPDX-License-Identifier: Apache-2.0
#pragma once
// Training a flow without data: stochastic gradients of the reverse Kullback-Leibler
// divergence
//   KL(q || p) = E_q[ log q(phi) + S(phi) ] + log Z,
// estimated on samples the model draws itself (phi = f(z), z from the prior; the gradient
// goes through f by the reparameterisation, z held fixed), data-parallel over MPI ranks:
// each rank draws its contiguous share of the global batch (core block_range; the draws are
// keyed by global sample index, so the batch is the same for any rank count), the gradients
// of the shares, each normalised by the global batch, are summed by one all-reduce and every
// rank applies the same optimiser step.
//
// The loss reported is the batch mean of log q + S (= KL - log Z, so it falls towards
// -log Z), with the effective sample size of the batch's importance weights
// w = exp(-S) / q as a fraction of the batch: (sum w)^2 / (N sum w^2).

#include <cmath>
#include <cstdint>
#include <limits>

#include "tessera/core/comm.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/nn/lattice_flow.hpp"
#include "tessera/nn/optimizer.hpp"

namespace tessera::nn {

struct ReverseKlSettings {
  Index batch = 64;       // global batch: samples per optimiser step over all ranks
  std::uint64_t seed = 1; // the prior draws of step s are global samples s * batch ...
};

struct ReverseKlStep {
  double loss = 0;          // batch mean of log q + S
  double loss_variance = 0; // batch variance of log q + S (0 for a perfect model)
  double ess = 0;           // effective sample size per sample of the batch, in (0, 1]
  double mean_action = 0;   // batch mean of S
};

// Importance weights log w = -S - log q of a batch: how far the model is from p.
struct WeightSummary {
  double mean_loss = 0, loss_variance = 0, ess = 0, mean_action = 0;
};

namespace detail {
template <class T>
struct ScaleField {
  FieldBatch<T> field;
  T factor;
  KOKKOS_INLINE_FUNCTION void operator()(const Index i) const { field(i) *= factor; }
};
} // namespace detail

// Over all ranks' samples: action and log q are this rank's share (device), n_global the
// global count.
template <class T>
WeightSummary summarise_weights(const Comm& comm, const ExecSpace& space,
                                const Kokkos::View<const T*, MemSpace>& action,
                                const Kokkos::View<const T*, MemSpace>& log_density, Index n_global)
{
  const Index n = action.extent(0);
  double largest = -std::numeric_limits<double>::infinity();
  par_reduce(
      "tessera::nn::weights::largest", space, 0, n,
      KOKKOS_LAMBDA(const Index i, double& m) {
        const double log_w = -static_cast<double>(action(i)) - static_cast<double>(log_density(i));
        m = log_w > m ? log_w : m;
      },
      Kokkos::Max<double>(largest));
  largest = comm.max(largest);
  double sums[5] = {0, 0, 0, 0, 0}; // sum w, sum w^2, sum loss, sum loss^2, sum S
  Kokkos::parallel_reduce(
      "tessera::nn::weights::sums", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Index>>(space, 0, n),
      KOKKOS_LAMBDA(const Index i, double& w, double& w2, double& l, double& l2, double& s) {
        const double loss = static_cast<double>(action(i)) + static_cast<double>(log_density(i));
        const double wi = Kokkos::exp(-loss - largest);
        w += wi;
        w2 += wi * wi;
        l += loss;
        l2 += loss * loss;
        s += static_cast<double>(action(i));
      },
      sums[0], sums[1], sums[2], sums[3], sums[4]);
  space.fence();
  for (double& s : sums)
    s = comm.sum(s);
  const double count = static_cast<double>(n_global);
  WeightSummary summary;
  summary.mean_loss = sums[2] / count;
  summary.loss_variance = std::max(0.0, sums[3] / count - summary.mean_loss * summary.mean_loss);
  summary.ess = sums[1] > 0 ? sums[0] * sums[0] / (count * sums[1]) : 0.0;
  summary.mean_action = sums[4] / count;
  return summary;
}

template <class T>
class ReverseKlTrainer {
public:
  ReverseKlTrainer(const Comm& comm, LatticeFlow<T>& flow, const LatticeAction<T>& action, Optimizer<T>& optimizer,
                   const ReverseKlSettings& settings)
      : comm_(&comm), flow_(&flow), action_(&action), optimizer_(&optimizer), settings_(settings)
  {
    if (settings.batch < comm.size()) throw InputError("the global batch must hold at least one sample per rank");
    share_ = block_range(settings.batch, comm.rank(), comm.size());
    const Index n = share_.count, values = n * flow.components();
    z_ = FieldBatch<T>("tessera::nn::reverse_kl::z", values);
    force_ = FieldBatch<T>("tessera::nn::reverse_kl::force", values);
    log_density_ = SampleValues<T>("tessera::nn::reverse_kl::log_density", n);
    action_values_ = SampleValues<T>("tessera::nn::reverse_kl::action", n);
    density_weight_ = SampleValues<T>("tessera::nn::reverse_kl::density_weight", n);
    Kokkos::deep_copy(density_weight_, static_cast<T>(1.0 / static_cast<double>(settings.batch)));
  }

  // The loss of step `step`'s batch and its gradient, summed over ranks, in flow.gradients().
  ReverseKlStep gradient(std::int64_t step)
  {
    const ExecSpace space;
    const std::uint64_t first = static_cast<std::uint64_t>(step) * static_cast<std::uint64_t>(settings_.batch) +
                                static_cast<std::uint64_t>(share_.first);
    flow_->draw_prior(space, settings_.seed, first, z_, log_density_);
    const auto phi = flow_->forward(space, z_, log_density_);
    action_->gradient(space, phi, action_values_, force_);
    const WeightSummary summary = summarise_weights<T>(*comm_, space, action_values_, log_density_, settings_.batch);
    par_for("tessera::nn::reverse_kl::normalise_force", space, 0, static_cast<Index>(force_.extent(0)),
            detail::ScaleField<T>{force_, static_cast<T>(1.0 / static_cast<double>(settings_.batch))});
    flow_->backward(space, force_, density_weight_);
    if (comm_->size() > 1) comm_->sum_in_place(flow_->gradients());
    space.fence();
    return {summary.mean_loss, summary.loss_variance, summary.ess, summary.mean_action};
  }

  // One optimiser step on the next batch.
  ReverseKlStep step()
  {
    const ReverseKlStep result = gradient(steps_);
    optimizer_->step(ExecSpace{}, flow_->parameters(), flow_->gradients(), Kokkos::View<const T*, MemSpace>());
    ++steps_;
    return result;
  }

  std::int64_t steps() const { return steps_; }
  void set_steps(std::int64_t steps) { steps_ = steps; }
  const ReverseKlSettings& settings() const { return settings_; }

private:
  const Comm* comm_;
  LatticeFlow<T>* flow_;
  const LatticeAction<T>* action_;
  Optimizer<T>* optimizer_;
  ReverseKlSettings settings_;
  BlockRange share_;
  FieldBatch<T> z_, force_;
  SampleValues<T> log_density_, action_values_, density_weight_;
  std::int64_t steps_ = 0;
};

} // namespace tessera::nn
