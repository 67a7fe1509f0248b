#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""shower_means.py SHOWER DECK WORKDIR HEPMC3_EVENTS: the observable means of tessera-shower's summary.

Runs 300 events on one rank with every event written to HepMC3 and checks, with readers that
are not tessera-shower's:
- every histogram of the YODA file (read by yoda_text.py, our reader of YODA 2's layout) has
  its mean in summary.json's observable_means, equal to sum wx / sum w over its bins and
  overflow (the underflow holds the undefined values) to 1e-8, its error to YODA's
  sqrt(variance / effective entries) to 1e-6, and the log line;
- independently of the histograms, from the HepMC3 events as HepMC3's own reader reads them
  (HEPMC3_EVENTS: shower_hepmc3_events, HepMC3::ReaderAscii): 300 events numbered 0..299, each
  conserving four-momentum (final partons sum to (0, 0, 0, sqrt(s) = 91.2 GeV) to 1e-9
  sqrt(s)); the mean parton multiplicity (nparton) and the mean C-parameter over events of 3
  or more partons (cparam), to 1e-8;
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

shower, deck, work, hepmc3_events = sys.argv[1:5]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yoda_text  # noqa: E402
from yoda_text import check, close, report_problems  # noqa: E402
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
    report_problems()
means = res["observable_means"]
check(res["overflow_events"] == 0, "events overflowed: the HepMC events would not be those histogrammed")
check(res["hepmc_events"] == n_events, f"hepmc_events = {res['hepmc_events']}, expected {n_events}")

# The YODA file (YODA 2's layout, the default): per histogram the bins and the overflow.
yoda = {}
for path, h in yoda_text.read(os.path.join(work, "shower.yoda")).items():
    check(h.version == 3, f"{path}: YODA_HISTO1D_V{h.version}, expected V3 (YODA 2) by default")
    yoda[path.rsplit("/", 1)[1]] = [[r[c] for c in yoda_text.COLUMNS] for r in h.rows[1:]]
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

# The HepMC3 events as HepMC3's reader reads them: final partons (status 1) and the weight.
read = subprocess.run([hepmc3_events, os.path.join(work, "events.hepmc3")], capture_output=True, text=True, timeout=60)
check(read.returncode == 0, f"shower_hepmc3_events: exit {read.returncode}: {read.stderr}")
events, worst = [], 0.0
sqrt_s = 91.2
for k, e in enumerate(json.loads(read.stdout)["events"] if read.returncode == 0 else []):
    check(e["number"] == k, f"event {k} is numbered {e['number']}")
    final = [p for p in e["particles"] if p["status"] == 1]
    total = [sum(p["p"][i] for p in final) for i in range(4)]
    worst = max(worst, *(abs(x) / sqrt_s for x in total[:3]), abs(total[3] - sqrt_s) / sqrt_s)
    events.append({"w": e["weights"][0], "p": [p["p"][:3] for p in final]})
check(worst < 1e-9, f"four-momentum not conserved: worst imbalance {worst:.3g} sqrt(s)")
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

report_problems()
print(f"ok: {len(yoda)} means agree with the YODA file; nparton {n_mean:.6g} and cparam {c_swx / c_sw:.6g} with the "
      f"{len(events)} HepMC3 events (read by HepMC3, momentum conserved to {worst:.2g} sqrt(s)); gpu_aware_mpi = {runtime.get('gpu_aware_mpi')} on {runtime.get('backend')}")
