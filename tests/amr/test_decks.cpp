// SPDX-License-Identifier: Apache-2.0
// The shipped decks do what docs/amr.md says: the Kelvin-Helmholtz deck refines its shear
// layers from the start (issue 24: it did not refine at all up to t = 0.6, its threshold being
// above the estimator of the resolved tanh layers), and only them.
#include <algorithm>
#include <cstdio>

#include <gtest/gtest.h>

#include "simulation.hpp"

namespace tessera::amr {
namespace {

const std::string decks = TESSERA_AMR_INPUTS;

TEST(Decks, KelvinHelmholtzRefinesItsShearLayers)
{
  // The deck itself, to t = 0.02 (30 steps, 7 regrids), no plots.
  const auto config =
      Config::load(Simulation::schema(), decks + "/kelvin_helmholtz.toml", {"run.t_end=0.02", "output.interval=0"});
  Simulation sim(testing::context(), Simulation::params(config));
  testing::run_to_end(sim);
  ASSERT_GE(sim.step(), 8); // regrids after steps 4, 8, ...
  const auto& mesh = sim.mesh();
  const auto& shape = mesh.shape();
  const double ly = shape.upper[1] - shape.lower[1];
  const double layers[2] = {shape.lower[1] + 0.25 * ly, shape.lower[1] + 0.75 * ly};
  const double width = config.get_real("kh.width") * ly;
  int refined = 0;
  double covered[2] = {0, 0}; // x extent of refined blocks across each layer
  double farthest = 0;        // from a layer, of any refined block
  for (const auto& loc : mesh.leaves()) {
    if (loc.level == 0) continue;
    ++refined;
    const auto dx = mesh.cell_width(loc.level);
    const double y0 = shape.lower[1] + static_cast<double>(loc.lx[1]) * shape.block_cells * dx[1];
    const double y1 = y0 + shape.block_cells * dx[1];
    double nearest = 1e30;
    for (int n = 0; n < 2; ++n) {
      nearest = std::min(nearest, std::max({0.0, y0 - layers[n], layers[n] - y1}));
      if (y0 <= layers[n] && layers[n] <= y1) covered[n] += shape.block_cells * dx[0];
    }
    farthest = std::max(farthest, nearest);
  }
  std::printf("Kelvin-Helmholtz deck at t = %g: %d of %lld blocks refined, layers covered over %g and %g of x "
              "(of %g), refined blocks at most %g from a layer (layer width %g)\n",
              sim.position(), refined, static_cast<long long>(mesh.global_blocks()), covered[0], covered[1],
              shape.upper[0] - shape.lower[0], farthest, width);
  EXPECT_GT(refined, 0);
  // Each layer refined all along x (blocks touching it from both sides count twice).
  EXPECT_GE(covered[0], shape.upper[0] - shape.lower[0]);
  EXPECT_GE(covered[1], shape.upper[0] - shape.lower[0]);
  // And nothing else: refined blocks within 5 layer widths of a layer.
  EXPECT_LE(farthest, 5 * width);
}

} // namespace
} // namespace tessera::amr
