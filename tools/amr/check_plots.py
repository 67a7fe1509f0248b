#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the XDMF + HDF5 plot files of an AMR run (tessera::amr::PlotWriter) the way a
visualisation tool reads them: only through what the XDMF says (block origins, spacings,
hyperslabs of the HDF5 arrays), never through the HDF5 file's own geometry datasets.

For every plot and every block grid it resolves each data item against its HDF5 file (the
dataset exists, the slab lies inside it, its shape is the grid's cell counts) and checks the
geometry (positive spacings; the blocks' volumes add up to the volume of their bounding box).
Prints one line per plot: time, blocks, blocks per level, total mass (sum of density times
cell volume). Axes on which every block has a single cell (the strip a 1-D run is drawn as)
do not count in volumes.

Exit status: 0 consistent, 1 a problem (one line naming the file), 77 no h5py (a skipped test).
"""

import argparse
import math
import os
import sys
import xml.etree.ElementTree as ET

try:
    import h5py
    import numpy as np
except ImportError as error:
    print(f"check_plots.py: skipped: {error}", file=sys.stderr)
    sys.exit(77)


class CheckError(Exception):
    """A problem with the plot files; the message names the file."""


def numbers(text, kind, where):
    try:
        return [kind(word) for word in (text or "").split()]
    except ValueError:
        raise CheckError(f"{where}: cannot read numbers from '{text}'") from None


def xml_values(item, kind, where):
    """The values of an inline (Format="XML") DataItem, checked against its Dimensions."""
    if item is None or item.get("Format", "XML") != "XML":
        raise CheckError(f"{where}: expected an inline XML DataItem")
    values = numbers(item.text, kind, where)
    if len(values) != math.prod(numbers(item.get("Dimensions"), int, where)):
        raise CheckError(f"{where}: DataItem holds {len(values)} values, not what its Dimensions say")
    return values


class Files:
    """HDF5 files named by the XDMF, opened once each, relative to the XDMF's directory."""

    def __init__(self, xdmf):
        self.directory = os.path.dirname(os.path.abspath(xdmf))
        self.open = {}

    def dataset(self, reference, where):
        name, sep, path = reference.strip().partition(":")
        if not sep or not path:
            raise CheckError(f"{where}: bad HDF reference '{reference.strip()}'")
        filename = os.path.join(self.directory, name)
        if filename not in self.open:
            try:
                self.open[filename] = h5py.File(filename, "r")
            except OSError as error:
                raise CheckError(f"{filename}: cannot open ({error})") from None
        if path not in self.open[filename]:
            raise CheckError(f"{filename}: no dataset {path} ({where})")
        return filename, self.open[filename][path]


def cell_data(attribute, cells, files, where, read):
    """Resolves a Center="Cell" attribute: returns its values (shaped `cells`) when `read`."""
    item = attribute.find("DataItem")
    if item is None:
        raise CheckError(f"{where}: attribute without a DataItem")
    dims = numbers(item.get("Dimensions"), int, where)
    if dims != cells:
        raise CheckError(f"{where}: data dimensions {dims} are not the grid's cells {cells}")
    if item.get("ItemType") == "HyperSlab":
        selection, source = item.findall("DataItem")[:2]
        filename, dataset = files.dataset(source.text, where)
        if list(dataset.shape) != numbers(source.get("Dimensions"), int, where):
            raise CheckError(f"{filename}: {dataset.name} has shape {dataset.shape}, the XDMF says "
                             f"{source.get('Dimensions')} ({where})")
        slab = xml_values(selection, int, where)
        rank = dataset.ndim
        if len(slab) != 3 * rank:
            raise CheckError(f"{where}: hyperslab of {len(slab)} numbers for a rank-{rank} dataset")
        start, stride, count = slab[:rank], slab[rank:2 * rank], slab[2 * rank:]
        for s, st, c, n in zip(start, stride, count, dataset.shape):
            if s < 0 or st < 1 or c < 1 or s + (c - 1) * st >= n:
                raise CheckError(f"{filename}: hyperslab start {start} stride {stride} count {count} "
                                 f"outside {dataset.name} of shape {dataset.shape} ({where})")
        if [c for c in count if c != 1] != [c for c in cells if c != 1] or math.prod(count) != math.prod(cells):
            raise CheckError(f"{where}: hyperslab count {count} does not match the grid's cells {cells}")
        if not read:
            return None
        region = tuple(slice(s, s + (c - 1) * st + 1, st) for s, st, c in zip(start, stride, count))
        return np.asarray(dataset[region], dtype=np.float64).reshape(cells)
    if item.get("Format") == "HDF":
        filename, dataset = files.dataset(item.text, where)
        if list(dataset.shape) != cells:
            raise CheckError(f"{filename}: {dataset.name} has shape {dataset.shape}, not the cells {cells} ({where})")
        return np.asarray(dataset[...], dtype=np.float64) if read else None
    raise CheckError(f"{where}: cell data neither a HyperSlab nor an HDF DataItem")


def check_block(grid, files, where):
    """One uniform grid: its cells, origin and spacing (x first), level, and density."""
    topology, geometry = grid.find("Topology"), grid.find("Geometry")
    if topology is None or geometry is None:
        raise CheckError(f"{where}: no Topology or Geometry")
    kind = topology.get("TopologyType")
    rank = {"2DCoRectMesh": 2, "3DCoRectMesh": 3}.get(kind)
    expected_geometry = {2: "ORIGIN_DXDY", 3: "ORIGIN_DXDYDZ"}.get(rank)
    if rank is None or geometry.get("GeometryType") != expected_geometry:
        raise CheckError(f"{where}: topology {kind} with geometry {geometry.get('GeometryType')}")
    nodes = numbers(topology.get("Dimensions"), int, where)
    if len(nodes) != rank or min(nodes) < 2:
        raise CheckError(f"{where}: topology dimensions {nodes}")
    cells = [n - 1 for n in nodes]  # slowest axis first (z y x)
    items = geometry.findall("DataItem")
    if len(items) != 2:
        raise CheckError(f"{where}: geometry needs an origin and a spacing")
    origin, spacing = (xml_values(item, float, where) for item in items)
    if len(origin) != rank or len(spacing) != rank:
        raise CheckError(f"{where}: origin/spacing of {len(origin)}/{len(spacing)} numbers for {rank} axes")
    if not all(d > 0 and math.isfinite(d) for d in spacing) or not all(map(math.isfinite, origin)):
        raise CheckError(f"{where}: bad spacing {spacing} or origin {origin}")
    block = {"cells": cells[::-1], "origin": origin[::-1], "spacing": spacing[::-1], "level": None, "rho": None}
    for attribute in grid.findall("Attribute"):
        name, centre = attribute.get("Name"), attribute.get("Center")
        here = f"{where}, {name}"
        if centre == "Cell":
            data = cell_data(attribute, cells, files, here, read=name == "density")
            if data is not None:
                if not np.all(np.isfinite(data)):
                    raise CheckError(f"{here}: values that are not finite")
                block["rho"] = data
        elif centre == "Grid" and name == "level":
            block["level"] = xml_values(attribute.find("DataItem"), int, here)[0]
        elif centre not in ("Grid", "Node"):
            raise CheckError(f"{here}: unknown Center '{centre}'")
    if block["rho"] is None:
        raise CheckError(f"{where}: no density")
    return block


def check_plot(plot, files, where):
    """One spatial collection: its time, blocks per level and total mass."""
    time_item = plot.find("Time")
    if time_item is None:
        raise CheckError(f"{where}: no Time")
    time = numbers(time_item.get("Value"), float, where)[0]
    blocks = [check_block(grid, files, f"{where}, {grid.get('Name')}") for grid in plot.findall("Grid")]
    if not blocks:
        raise CheckError(f"{where}: no blocks")
    axes = len(blocks[0]["cells"])
    if any(len(b["cells"]) != axes for b in blocks):
        raise CheckError(f"{where}: blocks of different dimensions")
    # Axes on which every block is one cell thick are drawing aids (a 1-D run's strip).
    active = [a for a in range(axes) if any(b["cells"][a] > 1 for b in blocks)]
    lower = [min(b["origin"][a] for b in blocks) for a in active]
    upper = [max(b["origin"][a] + b["cells"][a] * b["spacing"][a] for b in blocks) for a in active]
    domain = math.prod(hi - lo for lo, hi in zip(lower, upper))
    volume = mass = 0.0
    for b in blocks:
        cell_volume = math.prod(b["spacing"][a] for a in active)
        volume += cell_volume * math.prod(b["cells"][a] for a in active)
        mass += cell_volume * float(np.sum(b["rho"]))
    if abs(volume - domain) > 1e-12 * domain:
        raise CheckError(f"{where}: the blocks' volumes add up to {volume:.17g}, their bounds to {domain:.17g}")
    levels = {}
    for b in blocks:
        levels[b["level"]] = levels.get(b["level"], 0) + 1
    return time, len(blocks), levels, mass


def check(xdmf, expect_blocks):
    try:
        root = ET.parse(xdmf).getroot()
    except (ET.ParseError, OSError) as error:
        raise CheckError(f"{xdmf}: {error}") from None
    if root.tag != "Xdmf" or not root.get("Version", "").startswith("3"):
        raise CheckError(f"{xdmf}: not an XDMF 3 file")
    series = root.find("Domain/Grid")
    if series is None or series.get("GridType") != "Collection" or series.get("CollectionType") != "Temporal":
        raise CheckError(f"{xdmf}: no temporal collection in the Domain")
    files = Files(xdmf)
    results = []
    for plot in series.findall("Grid"):
        where = f"{xdmf}: plot {plot.get('Name')}"
        if plot.get("GridType") != "Collection" or plot.get("CollectionType") != "Spatial":
            raise CheckError(f"{where}: not a spatial collection")
        result = check_plot(plot, files, where)
        if expect_blocks is not None and result[1] != expect_blocks:
            raise CheckError(f"{where}: {result[1]} blocks, expected {expect_blocks}")
        results.append(result)
    if not results:
        raise CheckError(f"{xdmf}: no plots")
    times = [r[0] for r in results]
    if times != sorted(times):
        raise CheckError(f"{xdmf}: times out of order: {times}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("xdmf")
    parser.add_argument("--expect-blocks", type=int, help="blocks every plot must have")
    parser.add_argument("--total-mass", type=float, help="the mass the last plot must hold")
    parser.add_argument("--rtol", type=float, default=1e-12, help="relative tolerance of --total-mass")
    args = parser.parse_args()
    try:
        results = check(args.xdmf, args.expect_blocks)
        for time, blocks, levels, mass in results:
            per_level = " ".join(f"{level}:{n}" for level, n in sorted(levels.items(), key=lambda x: (x[0] is None, x)))
            print(f"time {time:.17g}  blocks {blocks}  per level {per_level}  mass {mass:.17g}")
        if args.total_mass is not None:
            mass = results[-1][3]
            if abs(mass - args.total_mass) > args.rtol * abs(args.total_mass):
                raise CheckError(f"{args.xdmf}: last plot's mass {mass:.17g} differs from {args.total_mass:.17g} "
                                 f"by more than {args.rtol:g} relative")
    except CheckError as error:
        print(f"check_plots.py: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
