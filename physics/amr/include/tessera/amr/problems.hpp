// SPDX-License-Identifier: Apache-2.0
#pragma once
// Problem generators: the initial state of a run as primitive variables at a point. Each
// generator declares its own input keys (a section named after it, e.g. [sedov]) and builds
// the state function from the parsed input. Sod, linear waves, the Sedov blast and the
// Kelvin-Helmholtz instability are built in (builtin_problems()); a simulation offers a set of
// generators (a ProblemSet), which the schema declares and params_from chooses from with
// problem.kind. A user's own generator joins the built-in ones in a ProblemSet of their own
// simulation type (simulation.hpp's SimulationWith; docs/amr.md shows a short example).

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "tessera/amr/mesh.hpp"
#include "tessera/amr/refinement.hpp"
#include "tessera/amr/riemann.hpp"
#include "tessera/core/config.hpp"

namespace tessera::amr {

// Primitive state at a position; Primitive's vn, vt1, vt2 are vx, vy, vz here.
using InitialState = std::function<Primitive(const std::array<double, 3>& x)>;

// What a generator reads when the input is parsed (params_from): the keys, the mesh, the gas.
struct ProblemContext {
  const Config& config;
  const MeshShape& shape;
  double gamma;
};

struct ProblemGenerator {
  std::string name; // the value of problem.kind
  std::string doc;  // one line for the docs
  std::function<void(ConfigSchema&)> declare_keys;
  // Builds the state; throws InputError naming a key whose value cannot be used.
  std::function<InitialState(const ProblemContext&)> make;
  // Optional: regions refined while the initial mesh is built, for features smaller than a
  // root cell that the error estimator cannot see on the coarse mesh (the Sedov deposit).
  std::function<std::vector<RefinementRegion>(const ProblemContext&)> initial_regions;
};

// The generators a simulation offers, in the order --help-input lists them.
using ProblemSet = std::vector<ProblemGenerator>;

// Sod, linear_wave, sedov, kelvin_helmholtz.
ProblemSet builtin_problems();
// `set` with `generator` added (replacing a generator of the same name).
ProblemSet with_problem(ProblemSet set, ProblemGenerator generator);
// The generator called `name`; InputError naming `where` and the known names if none is.
const ProblemGenerator& find_problem(const ProblemSet& set, const std::string& name, const std::string& where);

// The chosen problem as the parameters carry it: built from the input once, so the
// simulation never reads the input itself.
struct Problem {
  std::string kind; // problem.kind
  InitialState state;
  std::vector<RefinementRegion> initial_regions;
};
Problem make_problem(const ProblemGenerator& generator, const ProblemContext& context);

// The finest cell width along x of a mesh shape (for sizes given in finest cells).
double finest_cell_width(const MeshShape& shape);

} // namespace tessera::amr
