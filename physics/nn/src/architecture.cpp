// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/architecture.hpp"

#include <sstream>

#include <fmt/format.h>

#include "tessera/core/errors.hpp"

namespace tessera::nn {

namespace {
LayerSpec parse_layer(const std::string& item, const std::string& key)
{
  std::istringstream words(item);
  std::string kind, width, activation, extra;
  words >> kind >> width >> activation;
  const auto fail = [&](const std::string& why) {
    throw InputError(fmt::format("key '{}': layer '{}': {} (expected 'dense <width> <activation>' or "
                                 "'residual <width> <activation>')",
                                 key, item, why));
  };
  if (kind.empty()) fail("empty layer");
  if (activation.empty() || (words >> extra)) fail("expected three words");
  LayerSpec spec;
  if (kind == "dense") {
    spec.kind = LayerSpec::Kind::dense;
  } else if (kind == "residual") {
    spec.kind = LayerSpec::Kind::residual;
  } else {
    fail("unknown layer kind '" + kind + "'");
  }
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(width, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != width.size() || value < 1 || value > max_layer_width)
    fail("width '" + width + "' is not an integer in 1..2^20");
  spec.width = static_cast<int>(value);
  try {
    spec.activation = activation_from_name(activation);
  } catch (const InputError& e) {
    fail(e.what());
  }
  return spec;
}
} // namespace

std::vector<LayerSpec> parse_layers(const std::string& text, const std::string& key)
{
  std::vector<LayerSpec> layers;
  std::istringstream items(text);
  std::string item;
  while (std::getline(items, item, ','))
    layers.push_back(parse_layer(item, key));
  if (layers.empty()) throw InputError(fmt::format("key '{}': no layers given", key));
  return layers;
}

void check_architecture(const Architecture& architecture, const std::string& key)
{
  int width = architecture.inputs;
  for (std::size_t l = 0; l < architecture.layers.size(); ++l) {
    const auto& layer = architecture.layers[l];
    if (layer.kind == LayerSpec::Kind::residual && layer.width != width) {
      throw InputError(fmt::format("key '{}': layer {} 'residual {}' follows {} features; a residual block keeps "
                                   "its input's width",
                                   key, l + 1, layer.width, width));
    }
    if (layer.activation == Activation::softmax &&
        (l + 1 != architecture.layers.size() || layer.kind != LayerSpec::Kind::dense)) {
      throw InputError(fmt::format("key '{}': softmax is only for the last layer, a dense one", key));
    }
    width = layer.width;
  }
}

std::string Architecture::text() const
{
  std::string out;
  for (const auto& layer : layers) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {} {}", layer.kind == LayerSpec::Kind::dense ? "dense" : "residual", layer.width,
                       activation_name(layer.activation));
  }
  return out;
}

Initialiser initialiser_from_name(const std::string& name)
{
  if (name == "auto") return Initialiser::automatic;
  if (name == "he") return Initialiser::he;
  if (name == "xavier") return Initialiser::xavier;
  throw InputError("unknown initialiser '" + name + "': expected auto, he or xavier");
}

const char* initialiser_name(Initialiser initialiser)
{
  switch (initialiser) {
  case Initialiser::he: return "he";
  case Initialiser::xavier: return "xavier";
  default: return "auto";
  }
}

} // namespace tessera::nn
