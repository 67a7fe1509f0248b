// SPDX-License-Identifier: Apache-2.0
#include "tessera/shower/event_batch.hpp"

namespace tessera::shower {

EventBatch::EventBatch(std::int64_t capacity, int max_partons)
    : partons(Kokkos::view_alloc(Kokkos::WithoutInitializing, "shower::partons"), capacity, max_partons),
      overestimate(Kokkos::view_alloc(Kokkos::WithoutInitializing, "shower::overestimate"), capacity, max_partons),
      colour_holder("shower::colour_holder", capacity, max_partons + 1),
      anticolour_holder("shower::anticolour_holder", capacity, max_partons + 1), t("shower::t", capacity),
      overestimate_total("shower::overestimate_total", capacity), weight("shower::weight", capacity),
      cos_theta("shower::cos_theta", capacity), flavour("shower::flavour", capacity),
      first_t("shower::first_t", capacity), first_z("shower::first_z", capacity), n("shower::n", capacity),
      colour_counter("shower::colour_counter", capacity), status("shower::status", capacity),
      trials("shower::trials", capacity), rng_position("shower::rng_position", capacity)
{
}

} // namespace tessera::shower
