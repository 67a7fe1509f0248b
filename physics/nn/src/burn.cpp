// SPDX-License-Identifier: Apache-2.0
// burn(): pack the zone conditions into the integrator's state, integrate, unpack the final
// state and the mean energy generation rate.
#include "tessera/nn/burn.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "tessera/nn/carbon_network.hpp"

namespace tessera::nn {

BurnResult burn(const ExecSpace& space, const View<const double*>& density, const View<const double*>& temperature,
                const View<const double*>& x12, double dt, const BurnSettings& settings)
{
  const Index zones = static_cast<Index>(density.extent(0));
  if (static_cast<Index>(temperature.extent(0)) != zones || static_cast<Index>(x12.extent(0)) != zones) {
    throw std::invalid_argument("burn: density, temperature and x12 have " + std::to_string(zones) + ", " +
                                std::to_string(temperature.extent(0)) + " and " + std::to_string(x12.extent(0)) +
                                " zones");
  }
  if (!(dt > 0) || !std::isfinite(dt)) {
    throw std::invalid_argument("burn: dt = " + std::to_string(dt) + " s; it must be positive and finite");
  }

  BurnResult result;
  result.x12 = View<double*>("nn::burn::x12", zones);
  result.x24 = View<double*>("nn::burn::x24", zones);
  result.temperature = View<double*>("nn::burn::temperature", zones);
  result.eps_avg = View<double*>("nn::burn::eps_avg", zones);
  result.counts = StiffCounts(zones);

  View<double**> y("nn::burn::state", zones, CarbonNetwork::size);
  constexpr int ix12 = CarbonNetwork::ix12, ix24 = CarbonNetwork::ix24, itemp = CarbonNetwork::itemp;
  par_for(
      "nn::burn::pack", space, 0, zones, KOKKOS_LAMBDA(Index z) {
        y(z, ix12) = x12(z);
        y(z, ix24) = 1.0 - x12(z);
        y(z, itemp) = temperature(z);
      });

  const StiffSettings stiff{settings.rtol, settings.atol, settings.max_steps, 0.0};
  integrate_stiff("nn::burn::integrate", space, CarbonNetworkFactory{density}, y, dt, stiff, result.counts);

  // Energy released per gram: N_A Q per mole of reactions, and the moles of reactions per
  // gram are the moles of 24Mg made, (X24(dt) - X24(0)) / 24, which equal (X12(0) -
  // X12(dt)) / 24 because X12 + X24 is conserved; eps_avg dt = int eps dt. The difference is
  // taken of the species that stays smaller: where little burns, X12 ~ 1 minus a nearly
  // equal number loses the digits that X24 ~ 0 keeps (and the other way round).
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto out_x12 = result.x12, out_x24 = result.x24, out_t = result.temperature, out_eps = result.eps_avg;
  const auto status = result.counts.status;
  par_for(
      "nn::burn::unpack", space, 0, zones, KOKKOS_LAMBDA(Index z) {
        const bool ok = status(z) == static_cast<int>(StiffStatus::success);
        out_x12(z) = ok ? y(z, ix12) : nan;
        out_x24(z) = ok ? y(z, ix24) : nan;
        out_t(z) = ok ? y(z, itemp) : nan;
        const double x12_start = x12(z), x12_end = y(z, ix12);
        const double x24_start = 1.0 - x12_start, x24_end = y(z, ix24);
        const bool from_x12 = Kokkos::fmax(x12_start, x12_end) < Kokkos::fmax(x24_start, x24_end);
        const double burnt = from_x12 ? x12_start - x12_end : x24_end - x24_start;
        out_eps(z) = ok ? carbon::energy_per_unit_x12 * burnt / dt : nan;
      });
  result.summary = summarize(result.counts);
  return result;
}

BurnResult burn(const View<const double*>& density, const View<const double*>& temperature,
                const View<const double*>& x12, double dt, const BurnSettings& settings)
{
  return burn(ExecSpace{}, density, temperature, x12, dt, settings);
}

} // namespace tessera::nn
