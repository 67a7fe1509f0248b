#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""nbody_snapshots.py NBODY DECK WORKDIR: tessera-nbody's snapshots and their XDMF series.

Runs a small Plummer sphere to t = 0.25 with a snapshot every 1/16, then checks, with readers
of its own (xml.etree, h5py, numpy):
- snapshots.xdmf is one temporal collection listing snapshot_0000 ... snapshot_0004 once each,
  in order, at t = 0, 1/16, ... 1/4, each time equal to the `time` attribute of its file;
- every DataItem names a dataset that exists in its file, with the Dimensions, NumberType and
  Precision of the dataset, and the grids carry velocity, acceleration, mass, potential, id;
- the potential and acceleration of the first snapshot equal an O(N^2) sum in long double over
  its x and m with its softening (relative 1e-12);
- a run split by a restart, and a restart from an earlier checkpoint after the run had gone on
  (a killed run), leave a series byte for byte the same as the uninterrupted run's.
Exit 0: passed, 1: failed (one line per problem), 77: no h5py (skipped).
"""
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

try:
    import h5py
    import numpy as np
except ImportError:
    print("skipped: no h5py/numpy")
    sys.exit(77)

nbody, deck, work = sys.argv[1:4]
common = [deck, "--ic.n=64", "--gravity.softening=0.01", "--output.interval=0.0625"]
times = [0.0, 0.0625, 0.125, 0.1875, 0.25]
problems = []


def run(out, *args):
    result = subprocess.run([nbody, *common, *args, "--output", out], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)} --output {out}: exit {result.returncode}: {result.stderr.strip()}")


def check_series(folder):
    xdmf = os.path.join(folder, "snapshots.xdmf")
    domain = ET.parse(xdmf).getroot().find("Domain")
    collections = domain.findall("Grid")
    if len(collections) != 1 or collections[0].get("CollectionType") != "Temporal":
        problems.append(f"{xdmf}: expected one temporal collection, found {len(collections)} grids")
        return
    grids = collections[0].findall("Grid")
    names = [g.get("Name") for g in grids]
    expected = [f"snapshot_{k:04d}" for k in range(len(times))]
    if names != expected:
        problems.append(f"{xdmf}: grids {names}, expected {expected}")
        return
    for grid, t in zip(grids, times):
        value = float(grid.find("Time").get("Value"))
        h5name = grid.get("Name") + ".h5"
        with h5py.File(os.path.join(folder, h5name), "r") as f:
            if value != t or value != f.attrs["time"]:
                problems.append(f"{xdmf}: {grid.get('Name')} at t = {value}, expected {t} (file: {f.attrs['time']})")
            n = int(f.attrs["n"])
            if int(grid.find("Topology").get("NumberOfElements")) != n:
                problems.append(f"{xdmf}: {grid.get('Name')}: NumberOfElements is not n = {n}")
            attributes = sorted(a.get("Name") for a in grid.findall("Attribute"))
            if attributes != ["acceleration", "id", "mass", "potential", "velocity"]:
                problems.append(f"{xdmf}: {grid.get('Name')}: attributes {attributes}")
            for item in grid.iter("DataItem"):
                filename, dataset = item.text.strip().split(":", 1)
                if filename != h5name or dataset.lstrip("/") not in f:
                    problems.append(f"{xdmf}: {item.text.strip()}: no such dataset in {h5name}")
                    continue
                data = f[dataset]
                dims = tuple(int(d) for d in item.get("Dimensions").split())
                kind = {"Float": "f", "Int": "i"}[item.get("NumberType")]
                if data.shape != dims or data.dtype.kind != kind or data.dtype.itemsize != int(item.get("Precision")):
                    problems.append(f"{xdmf}: {item.text.strip()}: {data.shape} {data.dtype} in the file, "
                                    f"{dims} {item.get('NumberType')}{item.get('Precision')} in the XDMF")
                if dims[0] != n:
                    problems.append(f"{xdmf}: {item.text.strip()}: {dims[0]} rows, n = {n}")


def check_forces(snapshot):
    with h5py.File(snapshot, "r") as f:
        x = np.array(f["x"], dtype=np.longdouble)
        m = np.array(f["m"], dtype=np.longdouble)
        pot, acc = np.array(f["pot"]), np.array(f["a"])
        eps = np.longdouble(f.attrs["softening"])
    d = x[None, :, :] - x[:, None, :]  # d[i, j] = x_j - x_i
    r2 = (d * d).sum(axis=2) + eps * eps
    inv = 1 / np.sqrt(r2)
    np.fill_diagonal(inv, 0)
    ref_pot = -(inv * m[None, :]).sum(axis=1)
    ref_acc = ((m[None, :] * inv**3)[:, :, None] * d).sum(axis=1)
    pot_error = float(np.max(np.abs((pot - ref_pot) / ref_pot)))
    acc_error = float(np.max(np.linalg.norm((acc - ref_acc).astype(float), axis=1) /
                             np.linalg.norm(ref_acc.astype(float), axis=1)))
    if not pot_error < 1e-12 or not acc_error < 1e-12:
        problems.append(f"{snapshot}: potential off by {pot_error:.3g}, acceleration by {acc_error:.3g} "
                        "(relative, against a long double sum; expected < 1e-12)")
    print(f"ok: {snapshot}: potential within {pot_error:.2g}, acceleration within {acc_error:.2g} of the "
          "long double sum")


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
ref, split, killed = (os.path.join(work, name) for name in ("ref", "split", "killed"))
run(ref, "--run.t_end=0.25")
check_series(ref)
check_forces(os.path.join(ref, "snapshot_0000.h5"))

run(split, "--run.t_end=0.125")
run(split, "--run.t_end=0.25", "--restart", os.path.join(split, "nbody.chk.h5"))
check_series(split)

# A killed run: its series and snapshots went on past the checkpoint it is restarted from.
run(killed, "--run.t_end=0.125")
shutil.copy(os.path.join(killed, "nbody.chk.h5"), os.path.join(work, "at_0.125.chk.h5"))
run(killed, "--run.t_end=0.25", "--restart", os.path.join(killed, "nbody.chk.h5"))
run(killed, "--run.t_end=0.25", "--restart", os.path.join(work, "at_0.125.chk.h5"))
check_series(killed)

reference = open(os.path.join(ref, "snapshots.xdmf"), "rb").read()
for folder in (split, killed):
    if open(os.path.join(folder, "snapshots.xdmf"), "rb").read() != reference:
        problems.append(f"{folder}/snapshots.xdmf differs from the uninterrupted run's")
for problem in problems:
    print("FAIL:", problem)
if problems:
    sys.exit(1)
print(f"ok: snapshots.xdmf lists {len(times)} snapshots at the right times with their datasets, the same after "
      "a restart and after a killed run's restart")
