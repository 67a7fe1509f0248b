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
    // Both effective masses: the log ratio (a single exponential) and the cosh form, which
    // accounts for the backward-running pion of a periodic correlator and stays positive (and
    // constant for one state) past lt/2. The last t has no C(t + 1) in the table.
    const bool next = t + 1 < lt;
    const double m = next ? log_effective_mass(c[t], c[t + 1]) : std::nan("");
    const double m_cosh = next ? cosh_effective_mass(c[t], c[t + 1], t, lt) : std::nan("");
    const auto number = [](double x) { return std::isnan(x) ? nlohmann::json() : nlohmann::json(x); };
    text.append(
        DiagnosticsRow().add("t", t).add("C(t)", c[t]).add("effective_mass", m).add("effective_mass_cosh", m_cosh));
    table.push_back({{"t", t}, {"c", c[t]}, {"effective_mass", number(m)}, {"effective_mass_cosh", number(m_cosh)}});
    log::info("C({:>2}) = {:.8e}  m_eff = {:.5f}  m_eff(cosh) = {:.5f}", t, c[t], m, m_cosh);
  }
  if (const auto error = d.comm().broadcast(text.error()); !error.empty()) throw IoError(error);
  log::info("12 inversions ({}): {} iterations, largest true residual |b - D x| / |b| {:.3e}", name(p.hmc.solver),
            stats.iterations, stats.max_residual);
  nlohmann::json out = {{"pion_correlator", table},           {"kappa", p.hmc.wilson.kappa},
                        {"solver", name(p.hmc.solver)},       {"solver_iterations", stats.iterations},
                        {"max_residual", stats.max_residual}, {"source", p.source}};
  out.update(describe(d, p));
  return out;
}

} // namespace tessera::lqcd
