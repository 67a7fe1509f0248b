// SPDX-License-Identifier: Apache-2.0
#pragma once
// An MLP's architecture as users write it in input files and as model files store it:
//   "dense 256 relu, residual 256 relu, dense 1 linear"
// layers in order, comma-separated: `dense <width> <activation>` or `residual <width>
// <activation>` (a skip block, residual.hpp). The number of inputs comes from the data.

#include <string>
#include <vector>

#include "tessera/nn/activation.hpp"
#include "tessera/nn/layer.hpp"

namespace tessera::nn {

struct LayerSpec {
  enum class Kind { dense, residual };
  Kind kind = Kind::dense;
  int width = 0;
  Activation activation = Activation::linear;
};

inline constexpr int max_layer_width = 1 << 20; // also the most inputs a model may have

struct Architecture {
  int inputs = 0;
  std::vector<LayerSpec> layers;
  double leaky_slope = 0.01;
  Initialiser initialiser = Initialiser::automatic;

  int outputs() const { return layers.empty() ? inputs : layers.back().width; }
  Activation output_activation() const { return layers.empty() ? Activation::linear : layers.back().activation; }
  std::string text() const; // the layer list in the syntax above
};

// Parses the layer list; errors (InputError) name `key` and the offending item.
std::vector<LayerSpec> parse_layers(const std::string& text, const std::string& key);
// Widths fit together (a residual block keeps its input's width), softmax only at the end.
void check_architecture(const Architecture& architecture, const std::string& key);

Initialiser initialiser_from_name(const std::string& name);
const char* initialiser_name(Initialiser initialiser);

} // namespace tessera::nn
