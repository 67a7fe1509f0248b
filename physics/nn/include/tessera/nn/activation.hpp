// SPDX-License-Identifier: Apache-2.0
#pragma once
// Activation functions and their derivatives, element-wise on the device. Softmax is the
// one that couples the outputs of a sample; it is applied per column by the dense layer.

#include <string>

#include <Kokkos_Core.hpp>

namespace tessera::nn {

enum class Activation { linear, relu, leaky_relu, sigmoid, tanh, gelu, softmax };

// "relu", "leaky_relu", ...; throws InputError listing the known names.
Activation activation_from_name(const std::string& name);
const char* activation_name(Activation activation);

// y = f(z) for every activation but softmax. `slope`: leaky ReLU's slope for z < 0.
template <class T>
KOKKOS_INLINE_FUNCTION T activate(Activation activation, T z, T slope)
{
  switch (activation) {
  case Activation::relu: return z > T(0) ? z : T(0);
  case Activation::leaky_relu: return z > T(0) ? z : slope * z;
  case Activation::sigmoid: return T(1) / (T(1) + Kokkos::exp(-z));
  case Activation::tanh: return Kokkos::tanh(z);
  case Activation::gelu: // exact form, x Phi(x) (PyTorch's default)
    return T(0.5) * z * (T(1) + Kokkos::erf(z * T(0.70710678118654752440)));
  default: return z;
  }
}

// dy/dz at z, given y = f(z) too (sigmoid and tanh are cheaper from y).
template <class T>
KOKKOS_INLINE_FUNCTION T activation_derivative(Activation activation, T z, T y, T slope)
{
  switch (activation) {
  case Activation::relu: return z > T(0) ? T(1) : T(0);
  case Activation::leaky_relu: return z > T(0) ? T(1) : slope;
  case Activation::sigmoid: return y * (T(1) - y);
  case Activation::tanh: return T(1) - y * y;
  case Activation::gelu: {
    const T cdf = T(0.5) * (T(1) + Kokkos::erf(z * T(0.70710678118654752440)));
    const T pdf = T(0.39894228040143267794) * Kokkos::exp(T(-0.5) * z * z);
    return cdf + z * pdf;
  }
  default: return T(1);
  }
}

} // namespace tessera::nn
