// SPDX-License-Identifier: Apache-2.0
// shower_hepmc3_events FILE: reads a HepMC3 ASCII file with HepMC3's own reader
// (HepMC3::ReaderAscii) and prints what it read as one JSON document, for the driver tests
// (tests/drivers/shower_means.py, shower_yoda2.py) to check against the run's other outputs:
//   {"run": {"weight_names": [...], "tools": [[name, version, description], ...]},
//    "events": [{"number": n, "momentum_unit": "GEV", "length_unit": "MM", "weights": [...],
//                "vertices": V, "particles": [{"pid", "status", "p": [px, py, pz, e], "m",
//                "flow1", "flow2" (0: none), "production_vertex" (0: none)}, ...]}, ...]}
// Doubles are printed so that they read back exactly. Exit 1 when the file cannot be opened
// (a file HepMC3 cannot parse gives fewer events: the tests count them).
#include <cstdio>
#include <iostream>

#include <HepMC3/Attribute.h>
#include <HepMC3/GenEvent.h>
#include <HepMC3/GenParticle.h>
#include <HepMC3/GenRunInfo.h>
#include <HepMC3/GenVertex.h>
#include <HepMC3/ReaderAscii.h>
#include <HepMC3/Units.h>
#include <nlohmann/json.hpp>

namespace {

int flow(const HepMC3::ConstGenParticlePtr& p, const char* name)
{
  const auto a = p->attribute<HepMC3::IntAttribute>(name);
  return a ? a->value() : 0;
}

} // namespace

int main(int argc, char** argv)
{
  if (argc != 2) {
    std::cerr << "usage: shower_hepmc3_events FILE.hepmc3\n";
    return 2;
  }
  std::FILE* probe = std::fopen(argv[1], "r");
  if (probe == nullptr) {
    std::cerr << argv[1] << ": cannot be read\n";
    return 1;
  }
  std::fclose(probe);
  HepMC3::ReaderAscii reader(argv[1]);
  nlohmann::json events = nlohmann::json::array();
  while (!reader.failed()) {
    HepMC3::GenEvent event;
    reader.read_event(event);
    if (reader.failed()) break; // the end of the listing (or a damaged file: see below)
    nlohmann::json particles = nlohmann::json::array();
    for (const auto& p : event.particles()) {
      const auto& m = p->momentum();
      const auto production = p->production_vertex();
      particles.push_back({{"pid", p->pid()},
                           {"status", p->status()},
                           {"p", {m.px(), m.py(), m.pz(), m.e()}},
                           {"m", p->generated_mass()},
                           {"flow1", flow(p, "flow1")},
                           {"flow2", flow(p, "flow2")},
                           {"production_vertex", production ? production->id() : 0}});
    }
    events.push_back({{"number", event.event_number()},
                      {"momentum_unit", HepMC3::Units::name(event.momentum_unit())},
                      {"length_unit", HepMC3::Units::name(event.length_unit())},
                      {"weights", event.weights()},
                      {"vertices", event.vertices().size()},
                      {"particles", particles}});
  }
  nlohmann::json run = nlohmann::json::object();
  if (const auto info = reader.run_info()) {
    run["weight_names"] = info->weight_names();
    nlohmann::json tools = nlohmann::json::array();
    for (const auto& t : info->tools())
      tools.push_back({t.name, t.version, t.description});
    run["tools"] = tools;
  }
  reader.close();
  std::cout << nlohmann::json{{"run", run}, {"events", events}}.dump(-1, ' ', false,
                                                                     nlohmann::json::error_handler_t::strict)
            << "\n";
  return 0;
}
