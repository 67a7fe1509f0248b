// SPDX-License-Identifier: Apache-2.0
#include "tessera/lqcd/gauge_io.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tessera/core/checkpoint.hpp"
#include "tessera/core/errors.hpp"
#include "tessera/lqcd/halo.hpp"

namespace tessera::lqcd {

namespace {

// Local lexicographic index (x fastest) of an interior site.
KOKKOS_INLINE_FUNCTION Index local_lex(const Geometry& g, const Coords& x)
{
  Index lex = 0;
  for (int mu = dims - 1; mu >= 0; --mu)
    lex = lex * g.local[mu] + (x.c[mu] - g.pad[mu]);
  return lex;
}

// This rank's interior links in local lexicographic order (x fastest), 36 complex each.
View<Complex<double>* [dims][3][3]> local_links(const Decomposition& d, const Links& u) {
  const Geometry g = d.geometry();
  View<Complex<double>* [dims][3][3]> out("lqcd::local_links", 2 * g.half_volume);
  par_for(
      "lqcd::pack_local_links", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = g.site(n);
        const Index lex = local_lex(g, site.x);
        for (int mu = 0; mu < dims; ++mu)
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
              out(lex, mu, a, b) = u(site.index, site.parity, mu, a, b);
      });
  return out;
}

// Calls f(local lexicographic index, global NERSC site index) for every local site.
template <class F>
void for_each_local_site(const Geometry& g, const F& f)
{
  for (int t = 0; t < g.local[3]; ++t)
    for (int z = 0; z < g.local[2]; ++z)
      for (int y = 0; y < g.local[1]; ++y)
        for (int x = 0; x < g.local[0]; ++x) {
          const std::int64_t lex = x + g.local[0] * (y + std::int64_t{g.local[1]} * (z + std::int64_t{g.local[2]} * t));
          const std::int64_t global =
              (x + g.origin[0]) +
              std::int64_t{g.global[0]} *
                  ((y + g.origin[1]) +
                   std::int64_t{g.global[1]} * ((z + g.origin[2]) + std::int64_t{g.global[2]} * (t + g.origin[3])));
          f(lex, global);
        }
}

} // namespace

HostGauge gather_gauge(const Decomposition& d, const Links& u)
{
  const Geometry& g = d.geometry();
  HostGauge whole;
  for (int mu = 0; mu < dims; ++mu)
    whole.extent[mu] = g.global[mu];
  HostView<double*> sum("lqcd::gather", static_cast<std::size_t>(whole.volume()) * 72);
  const auto local = to_host(local_links(d, u));
  for_each_local_site(g, [&](std::int64_t lex, std::int64_t global) {
    for (int mu = 0; mu < dims; ++mu)
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
          const auto k = static_cast<std::size_t>((((global * 4 + mu) * 3 + a) * 3 + b) * 2);
          sum(k) = local(lex, mu, a, b).real();
          sum(k + 1) = local(lex, mu, a, b).imag();
        }
  });
  if (d.comm().size() > 1) d.comm().sum_in_place(sum);
  whole.links.resize(static_cast<std::size_t>(whole.volume()) * 36);
  for (std::size_t i = 0; i < whole.links.size(); ++i)
    whole.links[i] = {sum(2 * i), sum(2 * i + 1)};
  return whole;
}

void scatter_gauge(const Decomposition& d, const HostGauge& whole, const Links& u)
{
  const Geometry& g = d.geometry();
  for (int mu = 0; mu < dims; ++mu) {
    if (whole.extent[mu] != g.global[mu])
      throw InputError(fmt::format("configuration of {} sites does not fit the lattice {}",
                                   fmt::join(whole.extent, "x"), fmt::join(g.global, "x")));
  }
  auto local = local_links(d, u);
  auto host = Kokkos::create_mirror_view(local);
  for_each_local_site(g, [&](std::int64_t lex, std::int64_t global) {
    for (int mu = 0; mu < dims; ++mu)
      for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
          const auto& z = whole(global, mu, a, b);
          host(lex, mu, a, b) = Complex<double>(z.real(), z.imag());
        }
  });
  Kokkos::deep_copy(local, host);
  const Geometry gd = g;
  par_for(
      "lqcd::unpack_local_links", 2 * g.half_volume, KOKKOS_LAMBDA(Index n) {
        const auto site = gd.site(n);
        const Index lex = local_lex(gd, site.x);
        for (int mu = 0; mu < dims; ++mu)
          for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
              u(site.index, site.parity, mu, a, b) = local(lex, mu, a, b);
      });
  exchange_links(d, u);
}

void save_nersc(const Decomposition& d, const Links& u, const std::filesystem::path& path,
                const NerscWriteOptions& options)
{
  const auto whole = gather_gauge(d, u);
  if (d.comm().is_root()) write_nersc(path, whole, options);
  d.comm().barrier();
}

NerscInfo load_nersc(const Decomposition& d, const std::filesystem::path& path, const Links& u)
{
  NerscInfo info;
  const auto whole = read_nersc(path, &info);
  scatter_gauge(d, whole, u);
  return info;
}

namespace {

// The samples of an average: their number under "<name>_n" and, when there are any, the
// samples in chain order in the dataset "<name>_samples" (checksummed like every dataset).
void write_average(CheckpointWriter& writer, const std::string& name, const Average& a)
{
  writer.attribute(name + "_n", a.n());
  if (a.samples.empty()) return;
  HostView<double*> samples(const_cast<double*>(a.samples.data()), a.samples.size()); // unmanaged, read only
  writer.write_shared(name + "_samples", samples);
}

Average read_average(CheckpointReader& reader, const std::string& name)
{
  const auto& path = reader.path().string();
  if (reader.has_attribute(name + "_sum"))
    throw IoError(fmt::format("{}: a checkpoint of an older Tessera, which kept running sums of {} instead of the "
                              "samples that error bars by the Gamma method need; it cannot be continued",
                              path, name));
  const auto n = reader.attribute_int(name + "_n");
  if (n < 0) throw IoError(fmt::format("{}: {} samples of {}", path, n, name));
  Average a;
  if (n == 0) return a;
  a.samples = reader.read_shared<double>(name + "_samples");
  if (static_cast<std::int64_t>(a.samples.size()) != n)
    throw IoError(
        fmt::format("{}: '{}_samples' has {} samples, the attribute says {}", path, name, a.samples.size(), n));
  return a;
}

} // namespace

void write_checkpoint(CheckpointWriter& writer, const Decomposition& d, const Links& u, const ChainState& chain)
{
  const auto whole = gather_gauge(d, u);
  HostView<double*> numbers(reinterpret_cast<double*>(const_cast<std::complex<double>*>(whole.links.data())),
                            whole.links.size() * 2);
  writer.write_shared("links", numbers);
  writer.attribute("next_trajectory", static_cast<std::int64_t>(chain.next_trajectory));
  writer.attribute("accepted", chain.accepted);
  writer.attribute("attempted", chain.attempted);
  writer.attribute("solver_iterations", chain.solver_iterations);
  write_average(writer, "plaquette", chain.plaquette);
  write_average(writer, "exp_minus_dh", chain.exp_minus_dh);
  write_average(writer, "acceptance", chain.acceptance);
  write_average(writer, "polyakov_abs", chain.polyakov_abs);
  write_average(writer, "charge", chain.charge);
  write_average(writer, "charge2", chain.charge2);
}

ChainState read_checkpoint(CheckpointReader& reader, const Decomposition& d, const Links& u)
{
  const auto& path = reader.path();
  HostGauge whole;
  for (int mu = 0; mu < dims; ++mu)
    whole.extent[mu] = d.geometry().global[mu];
  const auto numbers = reader.read_shared<double>("links");
  if (numbers.size() != static_cast<std::size_t>(whole.volume()) * 72)
    throw IoError(
        fmt::format("{}: 'links' has {} numbers, expected {}", path.string(), numbers.size(), whole.volume() * 72));
  whole.links.resize(numbers.size() / 2);
  for (std::size_t i = 0; i < whole.links.size(); ++i)
    whole.links[i] = {numbers[2 * i], numbers[2 * i + 1]};
  scatter_gauge(d, whole, u);
  ChainState chain;
  const auto next = reader.attribute_int("next_trajectory");
  chain.accepted = reader.attribute_int("accepted");
  chain.attempted = reader.attribute_int("attempted");
  chain.solver_iterations = reader.attribute_int("solver_iterations");
  if (next < 0 || chain.attempted < 0 || chain.accepted < 0 || chain.accepted > chain.attempted ||
      chain.solver_iterations < 0)
    throw IoError(fmt::format("{}: the chain's counters make no sense (trajectory {}, {} of {} accepted)",
                              path.string(), next, chain.accepted, chain.attempted));
  chain.next_trajectory = static_cast<std::uint64_t>(next);
  chain.plaquette = read_average(reader, "plaquette");
  chain.exp_minus_dh = read_average(reader, "exp_minus_dh");
  chain.acceptance = read_average(reader, "acceptance");
  chain.polyakov_abs = read_average(reader, "polyakov_abs");
  chain.charge = read_average(reader, "charge");
  chain.charge2 = read_average(reader, "charge2");
  return chain;
}

} // namespace tessera::lqcd
