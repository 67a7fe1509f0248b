// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/setup.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/runtime.hpp"
#include "tessera/lqcd/gauge_io.hpp"

namespace tessera::lqcd {

// The estimate: 5 gauge fields (links, saved links, momenta, force, a flowed copy) of 576 B
// per site, 16 spinors of 192 B per half site, and on the host the gathered whole lattice for
// files (576 B per global site).
void check_lattice(const Decomposition& d, const Params& p)
{
  const Geometry& g = d.geometry();
  const double device = 2.0 * static_cast<double>(g.storage_half) * (5 * 576.0 + 8 * 192.0);
  const double host = static_cast<double>(g.global_volume()) * 576.0 * 2;
  const double needed = device_is_host ? device + host : std::max(device, host);
  const double free = d.comm().min(static_cast<double>(available_memory_bytes()));
  if (needed > free)
    throw InputError(fmt::format("lattice.size = {} needs about {:.2f} GiB per rank, more than the {:.2f} GiB free; "
                                 "use more ranks or a smaller lattice",
                                 fmt::join(p.lattice, "x"), needed / 1073741824.0, free / 1073741824.0));
  log::info("lattice {} on ranks {} (local {}), mode {}", fmt::join(p.lattice, "x"), fmt::join(d.rank_grid(), "x"),
            fmt::join(g.local, "x"), name(p.mode));
}

Links initial_links(const Decomposition& d, const Params& p)
{
  if (p.start == "hot" && p.mode == Mode::hmc) return hot_start(d, p.hmc.seed);
  Links u = cold_start(d);
  if (p.start == "file" || p.mode != Mode::hmc) {
    const auto info = load_nersc(d, p.config, u);
    log::info("read {}: plaquette {:.10f}, link trace {:.10f} (header checks passed)", p.config.string(),
              info.plaquette, info.link_trace);
  }
  return u;
}

nlohmann::json describe(const Decomposition& d, const Params& p)
{
  return {{"mode", name(p.mode)}, {"lattice", p.lattice}, {"rank_grid", d.rank_grid()}};
}

} // namespace tessera::lqcd
