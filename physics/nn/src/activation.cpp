// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/activation.hpp"

#include <array>
#include <utility>

#include "tessera/core/errors.hpp"

namespace tessera::nn {

namespace {
constexpr std::array<std::pair<const char*, Activation>, 7> names{{{"linear", Activation::linear},
                                                                   {"relu", Activation::relu},
                                                                   {"leaky_relu", Activation::leaky_relu},
                                                                   {"sigmoid", Activation::sigmoid},
                                                                   {"tanh", Activation::tanh},
                                                                   {"gelu", Activation::gelu},
                                                                   {"softmax", Activation::softmax}}};
}

Activation activation_from_name(const std::string& name)
{
  for (const auto& [text, activation] : names)
    if (name == text) return activation;
  throw InputError("unknown activation '" + name +
                   "': expected linear, relu, leaky_relu, sigmoid, tanh, gelu or softmax");
}

const char* activation_name(Activation activation)
{
  for (const auto& [text, value] : names)
    if (value == activation) return text;
  return "?";
}

} // namespace tessera::nn
