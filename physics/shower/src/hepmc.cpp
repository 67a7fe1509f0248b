// SPDX-License-Identifier: Apache-2.0
// The first events as HepMC3 ASCII, through the HepMC3 library (GenEvent, GenParticle,
// GenVertex, WriterAscii): the only file of Tessera that includes HepMC3's headers. Works with
// HepMC3 3.1 (Debian's 3.1.2) and newer: only API present since 3.0 is used. Deterministic: an
// event's record depends on the event only (WriterAscii prints doubles with %.16e), so the
// same seed gives the same file on any number of ranks (rank 0 owns the first events).
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <HepMC3/Attribute.h>
#include <HepMC3/GenEvent.h>
#include <HepMC3/GenParticle.h>
#include <HepMC3/GenRunInfo.h>
#include <HepMC3/GenVertex.h>
#include <HepMC3/WriterAscii.h>

#include "tessera/core/errors.hpp"
#include "tessera/shower/output.hpp"
#include "tessera/version.hpp"

namespace tessera::shower {

struct HepMCWriter::Impl {
  std::shared_ptr<HepMC3::GenRunInfo> run = std::make_shared<HepMC3::GenRunInfo>();
  std::unique_ptr<HepMC3::WriterAscii> writer;
};

HepMCWriter::HepMCWriter(const std::filesystem::path& path, double sqrt_s)
    : impl_(std::make_unique<Impl>()), path_(path), temporary_(path.string() + ".tmp"), sqrt_s_(sqrt_s)
{
  // Run information, written once before the first event (lines W and T): one weight, the
  // cross section's (pb), and the generator.
  impl_->run->set_weight_names({"Default"});
  impl_->run->tools().push_back(
      {"tessera-shower", TESSERA_VERSION_STRING, "e+ e- -> q qbar, Catani-Seymour dipole shower (Tessera)"});
  impl_->writer = std::make_unique<HepMC3::WriterAscii>(temporary_.string(), impl_->run);
  if (impl_->writer->failed()) throw IoError(fmt::format("{}: cannot write", temporary_.string()));
}

HepMCWriter::~HepMCWriter()
{
  try {
    close();
  } catch (...) {
  }
}

void HepMCWriter::write(std::int64_t event_number, double weight, const Parton* partons, int n)
{
  if (!impl_->writer) return;
  HepMC3::GenEvent event(impl_->run, HepMC3::Units::GEV, HepMC3::Units::MM);
  // The first events of a run: numbers below output.hepmc_events (at most 2^30), so an int.
  event.set_event_number(static_cast<int>(event_number));
  event.weights() = {weight};
  // Beams as in the hard process: e- along +z, e+ along -z (status 4), into the vertex.
  const double e = 0.5 * sqrt_s_;
  auto vertex = std::make_shared<HepMC3::GenVertex>();
  const auto add = [](const HepMC3::FourVector& p, int pid, int status) {
    auto particle = std::make_shared<HepMC3::GenParticle>(p, pid, status);
    particle->set_generated_mass(0.0); // massless beams and partons
    return particle;
  };
  vertex->add_particle_in(add(HepMC3::FourVector(0, 0, e, e), 11, 4));
  vertex->add_particle_in(add(HepMC3::FourVector(0, 0, -e, e), -11, 4));
  std::vector<HepMC3::GenParticlePtr> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) {
    const auto& p = partons[k];
    out.push_back(add(HepMC3::FourVector(p.p.px, p.p.py, p.p.pz, p.p.e), p.pid, 1));
    vertex->add_particle_out(out.back());
  }
  event.add_vertex(vertex);
  // Colour flow (HepMC3's convention: flow1 colour, flow2 anticolour); attributes need the
  // particles to belong to the event.
  for (int k = 0; k < n; ++k) {
    const auto& p = partons[k];
    const auto& particle = out[static_cast<std::size_t>(k)];
    if (p.colour > 0) particle->add_attribute("flow1", std::make_shared<HepMC3::IntAttribute>(p.colour));
    if (p.anticolour > 0) particle->add_attribute("flow2", std::make_shared<HepMC3::IntAttribute>(p.anticolour));
  }
  impl_->writer->write_event(event);
  if (impl_->writer->failed()) throw IoError(fmt::format("{}: write failed", temporary_.string()));
}

void HepMCWriter::close()
{
  if (!impl_ || !impl_->writer) return;
  const auto writer = std::move(impl_->writer);
  writer->close();
  if (writer->failed()) throw IoError(fmt::format("{}: write failed", temporary_.string()));
  std::filesystem::rename(temporary_, path_);
}

} // namespace tessera::shower
