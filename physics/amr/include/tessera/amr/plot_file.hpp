// SPDX-License-Identifier: Apache-2.0
#pragma once
// Plot files of an AMR mesh for ParaView and VisIt: one HDF5 file per plot with the
// primitive variables of every block's interior cells (block index first, as Hdf5Writer
// distributes them over ranks), and one XDMF file (version 3, the schema of Athena++ and
// Parthenon) that describes every block of every plot as a uniform grid whose cell data are
// hyperslabs of those arrays, in a temporal collection so the readers animate the series.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tessera/amr/mesh.hpp"
#include "tessera/core/comm.hpp"

namespace tessera::amr {

// One plot of the series: enough to list it in the XDMF again after a restart.
struct PlotRecord {
  std::filesystem::path h5_name; // relative to the plot directory
  double time = 0;
  std::int64_t step = 0;
  int blocks = 0; // over all ranks
};

class PlotWriter {
public:
  // Plots go to <dir>/<stem>.<NNNNN>.h5; <dir>/<stem>.xdmf is a temporal collection of all
  // plots written so far, those in `previous` first, so a restarted run continues the series:
  // written whole (temp file + rename) at this writer's first plot, then each plot appended
  // (the file grows by one plot). Their HDF5 files must exist: the XDMF's block geometry is
  // read back from them.
  PlotWriter(const Comm& comm, std::filesystem::path dir, std::string stem = "amr",
             std::vector<PlotRecord> previous = {});

  // Writes plot number `number` of the mesh's interior cells (no ghost zones): density,
  // velocity, pressure and the scalar concentrations.
  void write(int number, const Mesh& mesh, const BlockData& u, double gamma, double time, std::int64_t step);

  const std::vector<PlotRecord>& records() const { return records_; }
  std::filesystem::path xdmf_path() const { return dir_ / (stem_ + ".xdmf"); }
  std::filesystem::path h5_path(int number) const;

private:
  void rewrite_xdmf() const;
  void append_xdmf(const std::string& grid) const;

  const Comm* comm_;
  std::filesystem::path dir_;
  std::string stem_;
  std::vector<PlotRecord> records_;
  // Rank 0 only: the XDMF spatial collection of each record, built once from its file.
  std::vector<std::string> grids_;
  bool xdmf_written_ = false; // by this writer: later plots are appended to it
};

} // namespace tessera::amr
