// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/invert.hpp"

#include <cmath>

#include "tessera/core/errors.hpp"
#include "tessera/core/log.hpp"
#include "tessera/core/table_file.hpp"
#include "tessera/lqcd/observables.hpp"
#include "tessera/lqcd/setup.hpp"

namespace tessera::lqcd {

nlohmann::json invert_configuration(const RunContext& context, const Params& p)
{
  const Decomposition d(context.comm, p.lattice, p.ranks);
  check_lattice(d, p);
  const Links u = initial_links(d, p);
  SolverStats stats;
  std::vector<double> c;
  {
    auto scope = context.scope("invert");
    c = pion_correlator(d, u, p.hmc.wilson, p.hmc.solver, p.hmc.action_solver, p.source, &stats);
  }
  TableFile text(d.comm(), context.output_dir / "pion.dat", TableStyle::columns);
  text.start();
  nlohmann::json table = nlohmann::json::array();
  const int lt = static_cast<int>(c.size());
  for (int t = 0; t < lt; ++t) {
    // cosh effective mass would need a solve; the log ratio is the usual quick look
    const double m = (t + 1 < lt && c[t + 1] > 0 && c[t] > 0) ? std::log(c[t] / c[t + 1]) : std::nan("");
    text.append(DiagnosticsRow().add("t", t).add("C(t)", c[t]).add("effective_mass", m));
    table.push_back({{"t", t}, {"c", c[t]}, {"effective_mass", std::isnan(m) ? nlohmann::json() : nlohmann::json(m)}});
    log::info("C({:>2}) = {:.8e}  m_eff = {:.5f}", t, c[t], m);
  }
  if (const auto error = d.comm().broadcast(text.error()); !error.empty()) throw IoError(error);
  log::info("12 inversions ({}): {} iterations, largest residual {:.3e}", name(p.hmc.solver), stats.iterations,
            stats.max_residual);
  nlohmann::json out = {{"pion_correlator", table},           {"kappa", p.hmc.wilson.kappa},
                        {"solver", name(p.hmc.solver)},       {"solver_iterations", stats.iterations},
                        {"max_residual", stats.max_residual}, {"source", p.source}};
  out.update(describe(d, p));
  return out;
}

} // namespace tessera::lqcd
