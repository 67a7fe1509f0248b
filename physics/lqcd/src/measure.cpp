// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/measure.hpp"

#include <cmath>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/table_file.hpp"
#include "tessera/lqcd/observables.hpp"
#include "tessera/lqcd/setup.hpp"

namespace tessera::lqcd {

nlohmann::json measure_configuration(const RunContext& context, const Params& p)
{
  const Decomposition d(context.comm, p.lattice, p.ranks);
  check_lattice(d, p);
  const Links u = initial_links(d, p);
  auto scope = context.scope("measure");
  const auto plaq = plaquette(d, u);
  const auto poly = polyakov_loop(d, u);
  log::info("plaquette {:.10f} (spatial {:.10f}, temporal {:.10f}); Polyakov loop {:.6e} {:+.6e} i", plaq.average(),
            plaq.spatial, plaq.temporal, poly.real(), poly.imag());
  auto v = allocate_links<double>(d.geometry(), "lqcd::flowed");
  Kokkos::deep_copy(v, u);
  const int every = std::max(1, static_cast<int>(std::lround(0.1 / p.flow_step)));
  const auto flow = wilson_flow(d, v, p.flow_step, p.flow_time, every);
  nlohmann::json table = nlohmann::json::array();
  TableFile text(d.comm(), context.output_dir / "flow.dat", TableStyle::columns);
  text.start();
  for (const auto& f : flow) {
    table.push_back({{"t", f.t}, {"t2_e_plaquette", f.t2_e_plaq}, {"t2_e_clover", f.t2_e_clover}, {"q", f.q}});
    text.append(DiagnosticsRow()
                    .add("t", f.t)
                    .add("t2E_plaquette", f.t2_e_plaq)
                    .add("t2E_clover", f.t2_e_clover)
                    .add("Q", f.q));
  }
  if (const auto error = d.comm().broadcast(text.error()); !error.empty()) throw IoError(error);
  if (!flow.empty())
    log::info("Wilson flow to t = {}: t^2 E = {:.6f} (clover), Q = {:.4f}", flow.back().t, flow.back().t2_e_clover,
              flow.back().q);
  nlohmann::json out = {{"plaquette", plaq.average()},
                        {"plaquette_spatial", plaq.spatial},
                        {"plaquette_temporal", plaq.temporal},
                        {"polyakov", {poly.real(), poly.imag()}},
                        {"flow", table}};
  out.update(describe(d, p));
  return out;
}

} // namespace tessera::lqcd
