// SPDX-License-Identifier: Apache-2.0
#include "suite.hpp"

#include <utility>

#include "ceilings.hpp"

namespace tessera::bench {

Suite::Suite(const Comm& comm, bool quick, nlohmann::json ceilings)
    : comm_(comm), quick_(quick), ceilings_(std::move(ceilings))
{
}

double Suite::ceiling(const std::string& name) const
{
  return bench::ceiling(ceilings_, name);
}

const nlohmann::json& Suite::add(const Figure& figure, const std::string& ceiling_name, double cost_per_unit)
{
  const double peak = ceiling(ceiling_name);
  const double rate = figure.work / figure.timing.median;
  if (peak <= 0) return append(figure, {{"ceiling", nullptr}, {"ceiling_note", ceiling_name + " not measured"}});
  return append(
      figure,
      {{"ceiling", ceiling_name}, {"ceiling_fraction", rate * cost_per_unit / peak}, {"cost_per_unit", cost_per_unit}});
}

const nlohmann::json& Suite::add_without_ceiling(const Figure& figure, const std::string& why)
{
  return append(figure, {{"ceiling", nullptr}, {"ceiling_fraction", nullptr}, {"ceiling_note", why}});
}

const nlohmann::json& Suite::append(const Figure& figure, nlohmann::json ceiling_fields)
{
  const Timing& t = figure.timing;
  nlohmann::json e = {{"module", figure.module},
                      {"benchmark", figure.benchmark},
                      {"size", figure.size},
                      {"problem_size", figure.problem_size},
                      {"problem_size_unit", figure.problem_size_unit},
                      {"unit", figure.unit},
                      {"median", figure.work / t.median},
                      {"min", figure.work / t.max},
                      {"max", figure.work / t.min},
                      {"seconds_per_call", t.median},
                      {"repetitions", t.repetitions},
                      {"mpi_ranks", comm_.size()}};
  e.update(ceiling_fields);
  if (figure.extra.is_object()) e.update(figure.extra);
  results_.push_back(std::move(e));
  return results_.back();
}

} // namespace tessera::bench
