// SPDX-License-Identifier: Apache-2.0
#pragma once
// One event's parton shower, as kernel code: the veto algorithm with Catani-Seymour
// final-state dipoles (the GAPS v1 / Hoeche-tutorial shower). Each trial lowers the event's
// scale t; every colour-connected (splitter, spectator) pair and every kernel of the
// splitter contributes an overestimated emission rate g/t (g fixed between emissions);
// the winning trial is accepted with the ratio of the true to the overestimated kernel
// times alpha_s(t)/alpha_max, and the event ends when t falls below the cutoff.
//
// Two equivalent ways to find the winning trial (ShowerSettings::competition):
//  per_dipole: every dipole and kernel draws t' = t u^(1/g) and the highest wins, as in
//              GAPS v1 and the tutorial (one random number and a log per dipole per trial);
//  summed:     t' = t u^(1/G) with G the sum of all g, and the winner drawn with probability
//              g/G. The maximum of independent t u_d^(1/g_d) has exactly this distribution
//              and picks d with exactly that probability, so the showers agree in
//              distribution (tests check it); the g are updated only after an emission,
//              so a trial costs O(1) transcendental functions instead of O(partons).

#include <cstdint>

#include <Kokkos_Core.hpp>

#include "tessera/core/rng.hpp"
#include "tessera/shower/event_batch.hpp"
#include "tessera/shower/hard_process.hpp"
#include "tessera/shower/qcd.hpp"
#include "tessera/shower/splitting.hpp"

namespace tessera::shower {

enum class Competition : int { summed = 0, per_dipole = 1 };

inline constexpr std::uint32_t shower_stream = 0x5a0e;

// Filled from the input keys by params_from() (the schema holds the defaults; nothing here does).
struct ShowerSettings {
  double t_cutoff;         // GeV^2
  AlphaS alpha_s;          // running coupling (unused when fixed_coupling)
  bool fixed_coupling;     // alpha_s(t) = alpha_fixed everywhere
  double alpha_fixed;      // alpha_s(mZ)
  double alpha_max;        // the coupling of the overestimate: alpha_s(t_cutoff)
  int g_to_qqbar_flavours; // massless flavours a gluon splits into
  Competition competition;
  std::uint64_t seed;

  KOKKOS_INLINE_FUNCTION double coupling(double t) const { return fixed_coupling ? alpha_fixed : alpha_s(t); }
};

// The winner of a trial: splitter i, spectator j, the kernel, and for g -> q qbar in the
// per-dipole competition the flavour (0: draw it on acceptance).
struct Branching {
  int splitter = -1, spectator = -1;
  Splitting kernel = Splitting::q_to_qg;
  int flavour = 0;
  double m2 = 0, zp = 0;
};

class EventShower {
public:
  EventShower(const EventBatch& batch, const ShowerSettings& settings, const EeToQQbar& hard, std::int64_t first_event)
      : b_(batch), s_(settings), hard_(hard), first_event_(first_event)
  {
  }

  // The hard process of event row i: the q qbar pair at scale t = s.
  KOKKOS_INLINE_FUNCTION void start(std::int64_t i) const
  {
    RandomDraws rng(s_.seed, shower_stream, static_cast<std::uint64_t>(first_event_ + i));
    const auto point = hard_.sample(rng);
    b_.partons(i, 0) = {point.quark, point.flavour, 1, 0};
    b_.partons(i, 1) = {point.antiquark, -point.flavour, 0, 1};
    b_.colour_holder(i, 1) = 0;
    b_.anticolour_holder(i, 1) = 1;
    b_.n(i) = 2;
    b_.colour_counter(i) = 1;
    b_.t(i) = hard_.s();
    b_.weight(i) = point.weight;
    b_.cos_theta(i) = point.cos_theta;
    b_.flavour(i) = point.flavour;
    b_.first_t(i) = 0;
    b_.first_z(i) = 0;
    b_.trials(i) = 0;
    b_.status(i) = showering;
    b_.rng_position(i) = rng.position();
    if (s_.competition == Competition::summed) update_overestimates(i);
  }

  // Up to max_trials trials of event row i (0: until it ends).
  KOKKOS_INLINE_FUNCTION void evolve(std::int64_t i, int max_trials) const
  {
    RandomDraws rng(s_.seed, shower_stream, static_cast<std::uint64_t>(first_event_ + i));
    rng.seek(b_.rng_position(i));
    int trials = 0;
    while (b_.status(i) == showering && (max_trials == 0 || trials < max_trials)) {
      trial(i, rng);
      ++trials;
    }
    b_.trials(i) += trials;
    b_.rng_position(i) = rng.position();
  }

  // One trial: lower t, and emit if the winner survives the veto.
  KOKKOS_INLINE_FUNCTION void trial(std::int64_t i, RandomDraws& rng) const
  {
    Branching br;
    const double t = s_.competition == Competition::summed ? summed_trial(i, rng, br) : per_dipole_trial(i, rng, br);
    if (t <= s_.t_cutoff) {
      b_.t(i) = s_.t_cutoff;
      b_.status(i) = finished;
      return;
    }
    b_.t(i) = t;
    veto_or_emit(i, rng, br, t);
  }

private:
  KOKKOS_INLINE_FUNCTION double overestimate_prefactor() const { return s_.alpha_max / (2 * Kokkos::numbers::pi); }

  // The dipole partner of parton k on its colour side (side 0) or anticolour side (side 1),
  // or -1. (A partner on both sides, a two-gluon singlet, is one dipole: side 0 counts it.)
  KOKKOS_INLINE_FUNCTION int partner(std::int64_t i, int k, int side) const
  {
    const Parton& p = b_.partons(i, k);
    if (side == 0) return p.colour > 0 ? b_.anticolour_holder(i, p.colour) : -1;
    return p.anticolour > 0 ? b_.colour_holder(i, p.anticolour) : -1;
  }

  // The dipole's invariant mass and z limit; false if it cannot radiate above the cutoff.
  KOKKOS_INLINE_FUNCTION bool dipole(std::int64_t i, int k, int j, double& m2, double& zp) const
  {
    m2 = (b_.partons(i, k).p + b_.partons(i, j).p).m2();
    if (m2 < 4 * s_.t_cutoff) return false;
    zp = 0.5 * (1 + Kokkos::sqrt(1 - 4 * s_.t_cutoff / m2));
    return true;
  }

  // The overestimate integrals g of parton k's dipoles and kernels, in a fixed order, passed
  // to visit(g, branching); g -> q qbar counts all its flavours at once.
  template <class Visit>
  KOKKOS_INLINE_FUNCTION void for_each_channel(std::int64_t i, int k, const Visit& visit) const
  {
    const bool is_gluon = b_.partons(i, k).pid == gluon_pid;
    const double c = overestimate_prefactor();
    for (int side = 0; side < 2; ++side) {
      const int j = partner(i, k, side);
      Branching br;
      if (j < 0 || (side == 1 && j == partner(i, k, 0)) || !dipole(i, k, j, br.m2, br.zp)) continue;
      br.splitter = k;
      br.spectator = j;
      if (!is_gluon) {
        br.kernel = Splitting::q_to_qg;
        visit(c * splitting_integral(br.kernel, br.zp), br);
        continue;
      }
      br.kernel = Splitting::g_to_gg;
      visit(c * splitting_integral(br.kernel, br.zp), br);
      br.kernel = Splitting::g_to_qqbar;
      visit(c * s_.g_to_qqbar_flavours * splitting_integral(br.kernel, br.zp), br);
    }
  }

  KOKKOS_INLINE_FUNCTION void update_overestimates(std::int64_t i) const
  {
    double total = 0;
    for (int k = 0; k < b_.n(i); ++k) {
      double g = 0;
      for_each_channel(i, k, [&](double gc, const Branching&) { g += gc; });
      b_.overestimate(i, k) = g;
      total += g;
    }
    b_.overestimate_total(i) = total;
  }

  KOKKOS_INLINE_FUNCTION double summed_trial(std::int64_t i, RandomDraws& rng, Branching& br) const
  {
    const double total = b_.overestimate_total(i);
    if (!(total > 0)) return 0;
    const double t = b_.t(i) * Kokkos::exp(Kokkos::log(rng.uniform()) / total);
    if (t <= s_.t_cutoff) return t;
    // The winner, with probability g / G: first the parton, then its channel.
    double target = rng.uniform() * total;
    const int n = b_.n(i);
    int k = 0;
    for (; k < n - 1; ++k) {
      const double g = b_.overestimate(i, k);
      if (target < g) break;
      target -= g;
    }
    bool chosen = false;
    for_each_channel(i, k, [&](double g, const Branching& candidate) {
      if (chosen) return;
      br = candidate; // the last one stays chosen if rounding leaves target beyond the sum
      if (target < g) chosen = true;
      target -= g;
    });
    return t;
  }

  KOKKOS_INLINE_FUNCTION double per_dipole_trial(std::int64_t i, RandomDraws& rng, Branching& br) const
  {
    const double t = b_.t(i);
    const double c = overestimate_prefactor();
    double best = s_.t_cutoff;
    for (int k = 0; k < b_.n(i); ++k) {
      const bool is_gluon = b_.partons(i, k).pid == gluon_pid;
      for (int side = 0; side < 2; ++side) {
        const int j = partner(i, k, side);
        double m2 = 0, zp = 0;
        if (j < 0 || (side == 1 && j == partner(i, k, 0)) || !dipole(i, k, j, m2, zp)) continue;
        const auto propose = [&](Splitting kernel, int flavour) {
          const double g = c * splitting_integral(kernel, zp);
          const double tt = t * Kokkos::pow(rng.uniform(), 1.0 / g);
          if (tt > best) {
            best = tt;
            br = {k, j, kernel, flavour, m2, zp};
          }
        };
        if (!is_gluon) {
          propose(Splitting::q_to_qg, 0);
          continue;
        }
        for (int fl = 1; fl <= s_.g_to_qqbar_flavours; ++fl)
          propose(Splitting::g_to_qqbar, fl);
        propose(Splitting::g_to_gg, 0);
      }
    }
    return best;
  }

  KOKKOS_INLINE_FUNCTION void veto_or_emit(std::int64_t i, RandomDraws& rng, const Branching& br, double t) const
  {
    const double z = splitting_generate_z(br.kernel, br.zp, rng.uniform());
    const double y = t / br.m2 / z / (1 - z);
    if (y >= 1) return;
    const double f = (1 - y) * s_.coupling(t) * splitting_value(br.kernel, z, y);
    const double g = s_.alpha_max * splitting_estimate(br.kernel, z);
    if (f / g <= rng.uniform()) return;
    const double phi = 2 * Kokkos::numbers::pi * rng.uniform();
    int flavour = br.flavour;
    if (br.kernel == Splitting::g_to_qqbar && flavour == 0)
      flavour = 1 + static_cast<int>(rng.below(static_cast<std::uint32_t>(s_.g_to_qqbar_flavours)));
    const int n = b_.n(i);
    if (n == static_cast<int>(b_.partons.extent(1))) {
      b_.status(i) = overflow;
      return;
    }
    emit(i, rng, br, z, y, phi, flavour);
    if (b_.first_t(i) == 0) {
      b_.first_t(i) = t;
      b_.first_z(i) = z;
    }
    if (s_.competition == Competition::summed) update_overestimates(i);
  }

  // Catani-Seymour final-final kinematics, exact momentum conservation, and the colours.
  KOKKOS_INLINE_FUNCTION void emit(std::int64_t i, RandomDraws& rng, const Branching& br, double z, double y,
                                   double phi, int flavour) const
  {
    Parton& ij = b_.partons(i, br.splitter);
    Parton& k = b_.partons(i, br.spectator);
    const Vec4 pij = ij.p, pk = k.p;
    const Vec4 q = pij + pk;
    const double kt = Kokkos::sqrt(q.m2() * y * z * (1 - z));
    Vec4 kt1 = cross3(pij, pk);
    if (kt1.p() < 1e-6) kt1 = cross3(pij, Vec4{0, 1, 0, 0});
    kt1 = (kt * Kokkos::cos(phi) / kt1.p()) * kt1;
    Vec4 kt2 = cross3(boost_to_rest_frame(q, pij), kt1);
    kt2 = boost_from_rest_frame(q, (kt * Kokkos::sin(phi) / kt2.p()) * kt2);

    const int c = ++b_.colour_counter(i);
    Parton emitted;
    emitted.p = (1 - z) * pij + (z * y) * pk - kt1 - kt2;
    ij.p = z * pij + ((1 - z) * y) * pk + kt1 + kt2;
    k.p = (1 - y) * pk;
    const int acol = ij.anticolour;
    switch (br.kernel) {
    case Splitting::q_to_qg:
      emitted.pid = gluon_pid;
      open_colour_line(ij, emitted, c, ij.pid > 0);
      break;
    case Splitting::g_to_gg:
      emitted.pid = gluon_pid;
      // The tutorial's choice: along the line shared with the spectator; for a two-gluon
      // singlet (both lines shared) either, with equal probability.
      open_colour_line(ij, emitted, c, ij.colour == k.anticolour && !(acol == k.colour && rng.uniform() > 0.5));
      break;
    case Splitting::g_to_qqbar:
      ij.pid = flavour;
      ij.anticolour = 0;
      emitted.pid = -flavour;
      emitted.colour = 0;
      emitted.anticolour = acol;
      break;
    }
    const int e = b_.n(i)++;
    b_.partons(i, e) = emitted;
    hold_colours(i, br.splitter);
    hold_colours(i, e);
  }

  // A gluon emitted off the splitter's colour side takes over the splitter's colour and
  // closes a new line c with it (the splitter carries c on): or the mirror image on the
  // anticolour side.
  KOKKOS_INLINE_FUNCTION static void open_colour_line(Parton& splitter, Parton& emitted, int c, bool colour_side)
  {
    if (colour_side) {
      emitted.colour = splitter.colour;
      emitted.anticolour = c;
      splitter.colour = c;
    } else {
      emitted.colour = c;
      emitted.anticolour = splitter.anticolour;
      splitter.anticolour = c;
    }
  }

  KOKKOS_INLINE_FUNCTION void hold_colours(std::int64_t i, int k) const
  {
    const Parton& p = b_.partons(i, k);
    if (p.colour > 0) b_.colour_holder(i, p.colour) = k;
    if (p.anticolour > 0) b_.anticolour_holder(i, p.anticolour) = k;
  }

  EventBatch b_;
  ShowerSettings s_;
  EeToQQbar hard_;
  std::int64_t first_event_ = 0;
};

} // namespace tessera::shower
