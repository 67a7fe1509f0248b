#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""shower_means.py SHOWER DECK WORKDIR: the observable means of tessera-shower's summary.

Runs 300 events on one rank with every event written to HepMC3 and checks, with readers of
its own:
- every histogram of the YODA file has its mean in summary.json's observable_means, equal
  to sum wx / sum w over its bins and overflow (the underflow holds the undefined values)
  to 1e-8, its error to YODA's sqrt(variance / effective entries) to 1e-6, and the log line;
- independently of the histograms, from the HepMC3 events: the mean parton multiplicity
  (nparton) and the mean C-parameter over events of 3 or more partons (cparam), to 1e-8;
- runtime.gpu_aware_mpi is false on a host backend (Serial, OpenMP, Threads).
Exit 0: passed, 1: failed.
"""
import json
import math
import os
import re
import shutil
import subprocess
import sys

shower, deck, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
summary_path = os.path.join(work, "summary.json")
n_events = 300
run = subprocess.run([shower, deck, f"--events.n={n_events}", f"--output.hepmc_events={n_events}", "--output", work,
                      "--summary", summary_path], capture_output=True, text=True, timeout=120)
if run.returncode != 0:
    print(f"FAIL: tessera-shower exit {run.returncode}: {run.stderr}")
    sys.exit(1)
summary = json.load(open(summary_path))
results = summary["results"] if "results" in summary else summary
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


# Find the shower's results wherever the driver nests them.
def find(node, key):
    if isinstance(node, dict):
        if key in node:
            return node
        for v in node.values():
            hit = find(v, key)
            if hit is not None:
                return hit
    return None


res = find(summary, "observable_means")
check(res is not None, "no observable_means in summary.json")
if res is None:
    print("\n".join(f"FAIL: {p}" for p in problems))
    sys.exit(1)
means = res["observable_means"]
check(res["overflow_events"] == 0, "events overflowed: the HepMC events would not be those histogrammed")
check(res["hepmc_events"] == n_events, f"hepmc_events = {res['hepmc_events']}, expected {n_events}")

# The YODA file: per histogram the overflow row and the bin rows (sumw sumw2 sumwx sumwx2 n).
yoda = {}
name = None
for line in open(os.path.join(work, "shower.yoda")):
    if line.startswith("BEGIN"):
        name = line.split()[2].rsplit("/", 1)[1]
        yoda[name] = []
    elif line.startswith("END"):
        name = None
    elif name and line.startswith("Overflow"):
        yoda[name].append([float(x) for x in line.split()[2:]])
    elif name and line[0] in "-0123456789" and not line.startswith("---"):
        yoda[name].append([float(x) for x in line.split()[2:]])
check(len(yoda) == 12 and sorted(yoda) == sorted(means), f"histograms {sorted(yoda)} vs means {sorted(means)}")
for name, rows in yoda.items():
    w, w2, wx, wx2 = (sum(r[k] for r in rows) for k in range(4))
    got = means.get(name, {})
    mean = wx / w
    variance = (wx2 * w - wx * wx) / (w * w - w2)
    error = math.sqrt(variance / (w * w / w2))
    check(close(got.get("mean", math.nan), mean, 1e-8), f"{name}: mean {got.get('mean')} vs {mean} from the YODA file")
    check(close(got.get("error", math.nan), error, 1e-6), f"{name}: error {got.get('error')} vs {error}")
    check(0 < got.get("weight_fraction", 0) <= 1, f"{name}: weight_fraction {got.get('weight_fraction')}")
    check(re.search(rf" {name} [-0-9.e+]+ \+- [0-9.e+-]+[;\n]", run.stdout + run.stderr + "\n") is not None,
          f"{name}: no mean in the log line")

# The HepMC3 events: final partons (status 1) and the event weight.
events = []
for line in open(os.path.join(work, "events.hepmc3")):
    f = line.split()
    if not f:
        continue
    if f[0] == "E":
        events.append({"w": 1.0, "p": []})
    elif f[0] == "W":
        events[-1]["w"] = float(f[1])
    elif f[0] == "P" and f[-1] == "1":
        events[-1]["p"].append([float(x) for x in f[4:7]])
check(len(events) == n_events, f"{len(events)} events in events.hepmc3, expected {n_events}")
sw = sum(e["w"] for e in events)
n_mean = sum(e["w"] * len(e["p"]) for e in events) / sw
check(close(means["nparton"]["mean"], n_mean, 1e-8), f"nparton: mean {means['nparton']['mean']} vs {n_mean} from the events")
c_sw = c_swx = 0.0
for e in events:
    if len(e["p"]) < 3:
        continue
    theta = [[0.0] * 3 for _ in range(3)]
    sum_abs = 0.0
    for p in e["p"]:
        a = math.sqrt(sum(x * x for x in p))
        sum_abs += a
        for i in range(3):
            for j in range(3):
                theta[i][j] += p[i] * p[j] / a
    c = 1.5 * (1 - sum(theta[i][j] ** 2 for i in range(3) for j in range(3)) / sum_abs**2)
    if c >= 0:
        c_sw += e["w"]
        c_swx += e["w"] * c
check(close(means["cparam"]["mean"], c_swx / c_sw, 1e-8),
      f"cparam: mean {means['cparam']['mean']} vs {c_swx / c_sw} from the events")

runtime = summary.get("runtime", {})
if runtime.get("backend") in ("Serial", "OpenMP", "Threads"):
    check(runtime.get("gpu_aware_mpi") is False, f"gpu_aware_mpi = {runtime.get('gpu_aware_mpi')} on {runtime.get('backend')}")

if problems:
    print("\n".join(f"FAIL: {p}" for p in problems))
    sys.exit(1)
print(f"ok: {len(yoda)} means agree with the YODA file; nparton {n_mean:.6g} and cparam {c_swx / c_sw:.6g} with the "
      f"{len(events)} HepMC3 events; gpu_aware_mpi = {runtime.get('gpu_aware_mpi')} on {runtime.get('backend')}")
