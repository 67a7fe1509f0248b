// SPDX-License-Identifier: Apache-2.0
#pragma once
// The networks inside coupling layers: stacks of periodic convolutions (conv2d.hpp) that read
// the frozen part of a field as `in_channels` channels per site and give `out_channels`
// parameters of the transformation on every site (the 2021 tutorial's make_conv_net).

#include <memory>
#include <vector>

#include "tessera/nn/conv2d.hpp"
#include "tessera/nn/sequential.hpp"

namespace tessera::nn {

// Convolutions in_channels -> hidden... -> out_channels with `kernel` x
// `kernel` periodic kernels, `hidden_activation` between them and tanh (or nothing) after
// the last (the tutorial's make_conv_net).
struct CouplingNetSpec {
  std::vector<int> hidden_channels = {8, 8};
  int kernel = 3;
  Activation hidden_activation = Activation::leaky_relu;
  double leaky_slope = 0.01;
  bool final_tanh = true;
};

template <class T>
std::vector<std::unique_ptr<Layer<T>>> conv_net_layers(const LatticeShape& shape, int in_channels, int out_channels,
                                                       const CouplingNetSpec& spec, GemmPath gemm_path)
{
  std::vector<std::unique_ptr<Layer<T>>> layers;
  int channels = in_channels;
  for (const int hidden : spec.hidden_channels) {
    layers.push_back(std::make_unique<Conv2d<T>>(shape, channels, hidden, spec.kernel, spec.hidden_activation,
                                                 static_cast<T>(spec.leaky_slope), gemm_path));
    channels = hidden;
  }
  layers.push_back(std::make_unique<Conv2d<T>>(shape, channels, out_channels, spec.kernel,
                                               spec.final_tanh ? Activation::tanh : Activation::linear,
                                               static_cast<T>(spec.leaky_slope), gemm_path));
  return layers;
}

// What every coupling layer owns: its network, bound to its share of the flow's buffers.
template <class T>
class CouplingNetwork {
public:
  CouplingNetwork(int inputs, std::vector<std::unique_ptr<Layer<T>>> layers) : net_(inputs, std::move(layers)) {}
  Sequential<T>& net() { return net_; }
  std::size_t parameter_count() const { return net_.parameter_count(); }
  void bind(T* parameters, T* gradients) { net_.bind(parameters, gradients); }
  // PyTorch's default initialisation of its convolutions; returns the next free RNG stream.
  std::uint32_t initialise(const ExecSpace& space, std::uint64_t seed, std::uint32_t first_stream)
  {
    return net_.initialise(space, seed, first_stream, Initialiser::automatic);
  }

protected:
  Sequential<T> net_;
};

} // namespace tessera::nn
