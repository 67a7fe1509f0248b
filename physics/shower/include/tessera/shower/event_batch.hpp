// SPDX-License-Identifier: Apache-2.0
#pragma once
// The device state of a batch of events being showered: the partons of every event and
// what the veto algorithm carries from one trial (and one kernel launch) to the next.
// Row i of every View is one event, event number first_event + i. The default layout is
// used, so on a GPU consecutive threads (events) read consecutive partons.

#include <cstdint>

#include "tessera/core/spaces.hpp"
#include "tessera/shower/vec4.hpp"

namespace tessera::shower {

// PDG codes: quarks 1..5, antiquarks -1..-5, gluon 21. Colour indices > 0; 0 means none.
inline constexpr int gluon_pid = 21;

struct Parton {
  Vec4 p;
  int pid = 0;
  int colour = 0;
  int anticolour = 0;
};

enum EventStatus : int { showering = 0, finished = 1, overflow = 2 };

struct EventBatch {
  EventBatch() = default;
  EventBatch(std::int64_t capacity, int max_partons);

  std::int64_t capacity() const { return static_cast<std::int64_t>(status.extent(0)); }
  int max_partons() const { return static_cast<int>(partons.extent(1)); }

  View<Parton**> partons;            // (event, parton)
  View<double**> overestimate;       // (event, parton): the parton's share of the trial rate
  View<int**> colour_holder;         // (event, colour index): the parton carrying it as colour
  View<int**> anticolour_holder;     // (event, colour index): ... as anticolour
  View<double*> t;                   // current evolution scale (GeV^2)
  View<double*> overestimate_total;  // sum of `overestimate` over the partons
  View<double*> weight;              // hard-process weight (pb)
  View<double*> cos_theta;           // hard process: angle of the quark to the e- (+z)
  View<int*> flavour;                // hard process: quark flavour 1..5
  View<double*> first_t, first_z;    // first accepted emission (t = 0 if none)
  View<int*> n;                      // partons in the event
  View<int*> colour_counter;         // the last colour index handed out
  View<int*> status;                 // EventStatus
  View<int*> trials;                 // trial emissions (accepted or vetoed)
  View<std::uint64_t*> rng_position; // draws made so far (RandomDraws::seek)
};

} // namespace tessera::shower
