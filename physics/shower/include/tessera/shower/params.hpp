// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parameters of a parton-shower run and the input keys that set them
// (tessera-shower --help-input; docs/shower.md).

#include <cstdint>
#include <string>

#include "tessera/core/config.hpp"
#include "tessera/core/simulation.hpp"
#include "tessera/shower/generator.hpp"
#include "tessera/shower/output.hpp"

namespace tessera::shower {

// Every field comes from the input keys (schema() holds the defaults; nothing here does).
struct Params {
  std::int64_t events;         // over all ranks
  GeneratorSettings generator; // hard process, shower, batching (batch and pass length resolved)
  double alpha_s_mz;
  std::string running; // two_loop | fixed
  double mb, mc;       // flavour thresholds of the running (GeV)
  std::string yoda;    // file names inside the output directory ("" : not written)
  std::string hdf5;
  YodaFormat yoda_format;       // output.yoda_format
  std::int64_t hepmc_events;    // the first events as HepMC3 ASCII in events.hepmc3
  double max_overflow_fraction; // more events than this hitting max_partons: error
  std::string batch_where;      // Config::where of events.batch and shower.max_partons (the memory check)
};

ConfigSchema schema();

// Reads and cross-checks the keys (throws InputError naming the key).
Params params_from(const Config& config);

// tessera-shower counts its progress in events (over all ranks).
ProgressUnit unit();

// The backend's default batch and pass length (GPU: large batches, short passes).
std::int64_t default_batch_size();
int default_trials_per_pass();

} // namespace tessera::shower
