// SPDX-License-Identifier: Apache-2.0
// The events file read back with HepMC3's own reader (HepMC3::ReaderAscii), independently of
// the writer: a run of 600 events on one rank with every event written (output.hepmc_events
// = events.n) gives 600 events numbered 0..599 in GeV and mm, each with one weight, two e+ e-
// beams (status 4) of sqrt(s) / 2 along -+z into one vertex, final partons (status 1) whose
// four-momenta sum to the beams' (0, 0, 0, sqrt(s)) to 1e-9 sqrt(s), massless to rounding,
// and colour lines closed (each flow1 index once as a flow2 index). The parton multiplicity
// recomputed from the read events fills the same histogram as the run's own analysis on the
// device: every bin's sum of weights to 1e-12 of the cross section, entries exactly.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include <HepMC3/Attribute.h>
#include <HepMC3/GenEvent.h>
#include <HepMC3/GenParticle.h>
#include <HepMC3/GenRunInfo.h>
#include <HepMC3/GenVertex.h>
#include <HepMC3/ReaderAscii.h>

#include "shower_testing.hpp"
#include "tessera/core/comm.hpp"

namespace tessera::shower {
namespace {

using testing::test_params;

int flow(const HepMC3::ConstGenParticlePtr& p, const char* name)
{
  const auto a = p->attribute<HepMC3::IntAttribute>(name);
  return a ? a->value() : 0;
}

TEST(HepMC3, EventsReadBackWithHepMC3sReader)
{
  const Comm comm;
  const std::int64_t n = 600; // two batches of 512 events, the last one partial
  const double sqrt_s = 91.2;
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("tessera_test_hepmc_{}", ::getpid());
  std::filesystem::create_directories(dir);
  std::vector<HostHistogram> histograms;
  {
    Simulation sim(RunContext{comm, dir}, test_params({"events.n=600", "events.batch=512", "output.hepmc_events=600",
                                                       "output.yoda=", "output.hdf5="}));
    while (sim.position() < sim.end())
      sim.advance(sim.end());
    ASSERT_EQ(sim.totals().overflows, 0);
    sim.write_output({.index = 0, .final = true});
    histograms = sim.histograms();
  }
  HostHistogram const* multiplicity = nullptr;
  for (const auto& h : histograms)
    if (h.path == "/TESSERA/nparton") multiplicity = &h;
  ASSERT_NE(multiplicity, nullptr);

  HepMC3::ReaderAscii reader((dir / "events.hepmc3").string());
  std::vector<double> row_w(multiplicity->bins.size() + 2, 0.0), row_entries(multiplicity->bins.size() + 2, 0.0);
  std::int64_t events = 0;
  double worst_momentum = 0, worst_mass = 0;
  while (!reader.failed()) {
    HepMC3::GenEvent event;
    reader.read_event(event);
    if (reader.failed()) break;
    EXPECT_EQ(event.event_number(), events);
    EXPECT_EQ(event.momentum_unit(), HepMC3::Units::GEV);
    EXPECT_EQ(event.length_unit(), HepMC3::Units::MM);
    ASSERT_EQ(event.weights().size(), 1u);
    const double w = event.weights()[0];
    EXPECT_GT(w, 0);
    EXPECT_EQ(event.vertices().size(), 1u);
    double px = 0, py = 0, pz = 0, e = 0;
    int beams = 0, partons = 0;
    std::map<int, int> colours, anticolours;
    for (const auto& p : event.particles()) {
      const auto& m = p->momentum();
      if (p->status() == 4) {
        ++beams;
        EXPECT_EQ(std::abs(p->pid()), 11);
        EXPECT_DOUBLE_EQ(m.e(), sqrt_s / 2);
        EXPECT_DOUBLE_EQ(m.pz(), p->pid() == 11 ? sqrt_s / 2 : -sqrt_s / 2);
        // No production vertex: HepMC3 gives the event's root vertex (id 0) or none.
        EXPECT_TRUE(!p->production_vertex() || p->production_vertex()->id() == 0);
        ASSERT_NE(p->end_vertex(), nullptr);
        EXPECT_EQ(p->end_vertex()->particles_out().size(), event.particles().size() - 2);
        continue;
      }
      ASSERT_EQ(p->status(), 1);
      ++partons;
      EXPECT_TRUE(p->pid() == 21 || (std::abs(p->pid()) >= 1 && std::abs(p->pid()) <= 5)) << p->pid();
      px += m.px();
      py += m.py();
      pz += m.pz();
      e += m.e();
      worst_mass = std::max(worst_mass, std::abs(m.m2()) / (m.e() * sqrt_s));
      if (const int c = flow(p, "flow1")) ++colours[c];
      if (const int a = flow(p, "flow2")) ++anticolours[a];
    }
    EXPECT_EQ(beams, 2);
    EXPECT_GE(partons, 2);
    EXPECT_EQ(colours, anticolours) << "event " << events << ": colour lines not closed";
    for (const auto& [c, k] : colours)
      EXPECT_EQ(k, 1) << "event " << events << ": colour " << c << " carried " << k << " times";
    worst_momentum = std::max({worst_momentum, std::abs(px) / sqrt_s, std::abs(py) / sqrt_s, std::abs(pz) / sqrt_s,
                               std::abs(e - sqrt_s) / sqrt_s});
    // The multiplicity histogram's bin of `partons` (bins [k - 0.5, k + 0.5), row 0 the underflow).
    const auto row = static_cast<std::size_t>(std::min<int>(partons, static_cast<int>(multiplicity->bins.size()) + 1));
    row_w[row] += w / static_cast<double>(n);
    row_entries[row] += 1;
    ++events;
  }
  reader.close();
  EXPECT_EQ(events, n);
  EXPECT_LT(worst_momentum, 1e-9);
  EXPECT_LT(worst_mass, 1e-10);
  const double sigma = multiplicity->total[sum_w];
  for (std::size_t b = 0; b < multiplicity->bins.size(); ++b) {
    EXPECT_NEAR(multiplicity->bins[b][sum_w], row_w[b + 1], 1e-12 * sigma) << "bin " << b;
    EXPECT_EQ(multiplicity->bins[b][entries], row_entries[b + 1]) << "bin " << b;
  }
  EXPECT_EQ(multiplicity->underflow[entries], row_entries.front());
  EXPECT_EQ(multiplicity->overflow[entries], row_entries.back());
  std::printf("HepMC3 reader: %lld events; worst momentum imbalance %.3g sqrt(s), worst |p^2| %.3g E sqrt(s); "
              "sigma %.6g pb\n",
              static_cast<long long>(events), worst_momentum, worst_mass, sigma);
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace tessera::shower
