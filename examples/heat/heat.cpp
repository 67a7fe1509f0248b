// SPDX-License-Identifier: Apache-2.0
// heat: the 2-D heat equation on Tessera's core, written outside Tessera against its
// installed package. The grid (nx, ny) is periodic and split along x over the MPI ranks; each
// step is the explicit five-point update T += r (sum of the four neighbours - 4 T), with
// r = D dt / dx^2 (stable up to 1/4). Tessera's run loop gives it an input deck and command
// line, checkpoints and restarts, a table (heat.dat), HDF5 snapshots, progress lines, stop
// signals and the summary; the class below is only the physics.
//
// The answer it checks: the initial field sin(2 pi (i + 1/2) / nx) is an eigenvector of the
// update, multiplied by lambda = 1 - 4 r sin^2(pi / nx) at every step, so after n steps its
// amplitude is lambda^n exactly (to rounding), on any number of ranks. The run ends with
// exit 1 when the measured amplitude is off by more than 1e-10 relative.
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include <tessera/core/cart.hpp>
#include <tessera/core/hdf5.hpp>
#include <tessera/core/loops.hpp>
#include <tessera/core/run_loop.hpp>
#include <tessera/version.hpp>

namespace heat {

using tessera::Index;
using Field = tessera::ViewRight<double**>; // (nx_local + 2, ny + 2): one ghost layer

struct Params {
  Index nx, ny, steps;
  double r;
};

// The mode's amplitude over all ranks: (2 / (nx ny)) sum T(i, j) sin(2 pi (i + 1/2) / nx).
double amplitude(const tessera::CartComm& cart, const Field& t, const Params& p, Index x_offset)
{
  double local = 0;
  const Index nx = p.nx;
  tessera::par_reduce_md(
      "heat::amplitude", t, {1, 1}, {static_cast<Index>(t.extent(0)) - 1, p.ny + 1},
      KOKKOS_LAMBDA(Index i, Index j, double& sum) {
        const double x = 2 * Kokkos::numbers::pi * (static_cast<double>(x_offset + i - 1) + 0.5) / nx;
        sum += t(i, j) * Kokkos::sin(x);
      },
      local);
  return cart.comm().sum(local) * 2.0 / static_cast<double>(p.nx * p.ny);
}

// The kernels are free functions: nvcc compiles a KOKKOS_LAMBDA only inside a function whose
// address can be taken and that is public, so not in a constructor or a private member.

// The initial mode sin(2 pi (i + 1/2) / nx) on this rank's cells (ghosts left at zero).
void set_initial_mode(const Field& t, const Params& p, Index x_offset)
{
  const Index nx = p.nx;
  tessera::par_for_md(
      "heat::initial", t, {1, 1}, {static_cast<Index>(t.extent(0)) - 1, p.ny + 1}, KOKKOS_LAMBDA(Index i, Index j) {
        t(i, j) = Kokkos::sin(2 * Kokkos::numbers::pi * (static_cast<double>(x_offset + i - 1) + 0.5) / nx);
      });
}

// The explicit five-point step from t into next (t's ghosts filled).
void diffuse(const Field& t, const Field& next, double r)
{
  tessera::par_for_md(
      "heat::step", next, {1, 1}, {static_cast<Index>(t.extent(0)) - 1, static_cast<Index>(t.extent(1)) - 1},
      KOKKOS_LAMBDA(Index i, Index j) {
        next(i, j) = t(i, j) + r * (t(i + 1, j) + t(i - 1, j) + t(i, j + 1) + t(i, j - 1) - 4 * t(i, j));
      });
}

// The cells of t without ghosts, as (nx_local, ny), and back.
Field interior_of(const Field& t)
{
  Field copy("heat::interior", t.extent(0) - 2, t.extent(1) - 2);
  tessera::par_for_md("heat::interior", copy, KOKKOS_LAMBDA(Index i, Index j) { copy(i, j) = t(i + 1, j + 1); });
  return copy;
}
void set_interior(const Field& t, const Field& interior)
{
  tessera::par_for_md("heat::restore", interior, KOKKOS_LAMBDA(Index i, Index j) { t(i + 1, j + 1) = interior(i, j); });
}

class Simulation {
public:
  using Params = heat::Params;

  static tessera::SimulationInfo info()
  {
    tessera::SimulationInfo i;
    i.name = "heat";
    i.description = "heat: the 2-D heat equation on a periodic grid (an example built on Tessera)";
    i.unit = {"step", "steps", false};
    i.table_file = "heat.dat";
    i.output_files = {"heat_*.h5"};
    i.identity = {.program = "heat", .error_prefix = "heat", .version = "1.0.0", .commit = "example"};
    return i;
  }

  static tessera::ConfigSchema schema()
  {
    tessera::ConfigSchema s;
    s.add_int("grid.nx", 64, "cells along x (divisible by the number of ranks)", 2, 1 << 20)
        .add_int("grid.ny", 32, "cells along y", 1, 1 << 20)
        .add_real("grid.r", 0.2, "D dt / dx^2 of the explicit step (stable up to 1/4)", 0.0, 0.25)
        .add_int("run.steps", 400, "steps to take", 0, 1e9);
    tessera::declare_run_keys(
        s, info().unit,
        {.output_interval = 200, .table_interval = 50, .log_interval = 100, .has_output = true, .has_table = true});
    s.fixed_on_restart({"grid."});
    return s;
  }

  static Params params(const tessera::Config& c)
  {
    return {c.get_int("grid.nx"), c.get_int("grid.ny"), c.get_int("run.steps"), c.get_real("grid.r")};
  }

  Simulation(const tessera::RunContext& context, const Params& p)
      : context_(context), p_(p), cart_(context.comm, {context.comm.size(), 1}, {true, true}),
        nx_local_(tessera::local_extent(p.nx, context.comm.size(), "grid.nx")),
        x_offset_(nx_local_ * cart_.coords()[0]), t_("heat::T", nx_local_ + 2, p.ny + 2),
        next_("heat::T_next", nx_local_ + 2, p.ny + 2), halo_(cart_, {nx_local_ + 2, p.ny + 2}, 1)
  {
    set_initial_mode(t_, p_, x_offset_);
  }

  Simulation(const tessera::RunContext& context, const Params& p, tessera::CheckpointReader& checkpoint)
      : Simulation(context, p)
  {
    Field interior("heat::interior", nx_local_, p_.ny);
    checkpoint.read_distributed("temperature", interior);
    set_interior(t_, interior);
    step_ = checkpoint.attribute_int("step");
  }

  void advance(double)
  {
    halo_(t_);
    diffuse(t_, next_, p_.r);
    std::swap(t_, next_);
    ++step_;
  }

  double position() const { return static_cast<double>(step_); }
  double end() const { return static_cast<double>(p_.steps); }

  void write_checkpoint(tessera::CheckpointWriter& writer) const
  {
    writer.write_distributed("temperature", interior_of(t_));
    writer.attribute("step", step_);
  }

  tessera::DiagnosticsRow diagnostics() const
  {
    return tessera::DiagnosticsRow{}
        .add("step", step_)
        .add("amplitude", amplitude(cart_, t_, p_, x_offset_))
        .add("exact", exact());
  }

  void write_output(const tessera::OutputRequest& request)
  {
    const auto path = context_.output_dir / fmt::format("heat_{:04d}.h5", request.index);
    tessera::Hdf5Writer writer(context_.comm, path);
    writer.write_distributed("temperature", interior_of(t_));
    writer.attribute("", "step", static_cast<std::int64_t>(step_));
    writer.close();
  }

  tessera::Results results()
  {
    const double a = amplitude(cart_, t_, p_, x_offset_), e = exact();
    const double error = std::abs(a - e) / std::abs(e);
    if (!(error <= 1e-10))
      throw tessera::Error(
          tessera::ExitCode::failure,
          fmt::format("amplitude {:.15e} after {} steps, exact {:.15e}: relative error {:.2e}", a, step_, e, error));
    tessera::Results r;
    r.lines = {
        fmt::format("amplitude {:.15e} after {} steps, exact {:.15e}: relative error {:.2e} (ok)", a, step_, e, error),
        fmt::format("built on Tessera {}", TESSERA_VERSION_STRING)};
    r.json = {{"steps", step_}, {"amplitude", a}, {"exact", e}, {"relative_error", error}};
    return r;
  }

private:
  // lambda^n with lambda = 1 - 4 r sin^2(pi / nx).
  double exact() const
  {
    const double s = std::sin(std::numbers::pi / static_cast<double>(p_.nx));
    return std::pow(1 - 4 * p_.r * s * s, static_cast<double>(step_));
  }

  tessera::RunContext context_;
  Params p_;
  tessera::CartComm cart_;
  Index nx_local_, x_offset_;
  Field t_, next_;
  tessera::HaloExchange<double, 2> halo_;
  std::int64_t step_ = 0;
};

} // namespace heat

int main(int argc, char** argv)
{
  return tessera::simulation_main<heat::Simulation>(argc, argv);
}
