// SPDX-License-Identifier: Apache-2.0
#include "tessera/nn/optimizer.hpp"

#include "tessera/core/errors.hpp"

namespace tessera::nn {

OptimizerKind optimizer_from_name(const std::string& name)
{
  if (name == "sgd") return OptimizerKind::sgd;
  if (name == "adam") return OptimizerKind::adam;
  throw InputError("unknown optimiser '" + name + "': expected sgd or adam");
}

const char* optimizer_name(OptimizerKind kind)
{
  return kind == OptimizerKind::sgd ? "sgd" : "adam";
}

} // namespace tessera::nn
