#pragma once
// Problem generators: the initial state of a run as primitive variables at a point. Each
// generator declares its own input keys (a section named after it, e.g. [sedov]) and builds
// the state function from the parsed input. Sod, linear waves, the Sedov blast and the
// Kelvin-Helmholtz instability are built in; a user adds one with register_problem() before
// the driver starts (docs/amr.md shows a short example), and it is then chosen with
// problem.kind like the others.

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

// Adds a generator (replacing a built-in of the same name). Call before the schema is built.
void register_problem(ProblemGenerator generator);
// Every generator: the built-in ones first, then the registered ones.
const std::vector<ProblemGenerator>& problem_generators();
// The generator called `name`; InputError naming `where` and the known names if none is.
const ProblemGenerator& find_problem(const std::string& name, const std::string& where);

// The finest cell width along x of a mesh shape (for sizes given in finest cells).
double finest_cell_width(const MeshShape& shape);

} // namespace tessera::amr
