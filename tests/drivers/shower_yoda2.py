#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""shower_yoda2.py SHOWER DECK WORKDIR HEPMC3_EVENTS: tessera-shower's YODA file, read back by
yoda_text.py (our stand-alone reader of YODA's text format: YODA is not packaged in Debian),
against the run's events as HepMC3's own reader reads them (HEPMC3_EVENTS:
shower_hepmc3_events, HepMC3::ReaderAscii).

Runs 400 events on one rank with every event written to events.hepmc3, once with the default
layout and once with output.yoda_format = "yoda1", and checks:
- the default file holds the 12 histograms as YODA_HISTO1D_V3 blocks (YODA 2 / Rivet 4),
  Type Histo1D, Path = the block's path, ScaledBy = 1/400;
- each histogram's edges are the configured binning (docs/shower.md, Observables: 100 bins
  of equal width over the documented range) to 1e-9 (written with 11 digits), increasing;
- each histogram's entries (all rows, under- and overflow included) = 400 = the number of
  events read from events.hepmc3, numbered 0..399;
- "# Integral:" = the sum of sumW over all rows = the summary's cross_section_pb = the sum of
  the HepMC3 event weights / 400 (1e-9); "# Mean:" = sum sumW(A1) / sum sumW (1e-9);
- from the HepMC3 events: the multiplicity histogram (nparton), every row's sumW (sum of the
  weights of the events with that many final partons / 400, to the 11 digits written: 1e-10
  relative, and 1e-12 of the integral for sums in another order) and
  numEntries (exactly); the C-parameter histogram (cparam), its underflow (the two-parton
  events, filled at -5: sumW and entries), its per-bin entries (exactly, where no event's C
  lies within 1e-7 of a bin edge) and its sum of w C over the bins and the overflow (1e-9);
- the yoda1 file (YODA_HISTO1D_V2) holds the same numbers in YODA 1's layout.
Exit 0: passed, 1: failed.
"""
import json
import math
import os
import shutil
import subprocess
import sys

shower, deck, work, hepmc3_events = sys.argv[1:5]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yoda_text  # noqa: E402
from yoda_text import check, close, report_problems  # noqa: E402

shutil.rmtree(work, ignore_errors=True)
n_events = 400


def run(folder, *extra):
    out = os.path.join(work, folder)
    os.makedirs(out)
    r = subprocess.run([shower, deck, f"--events.n={n_events}", f"--output.hepmc_events={n_events}", "--output", out,
                        "--summary", os.path.join(out, "summary.json"), *extra], capture_output=True, text=True,
                       timeout=120)
    if r.returncode != 0:
        print(f"FAIL: tessera-shower exit {r.returncode}: {r.stderr}")
        sys.exit(1)
    return out, json.load(open(os.path.join(out, "summary.json")))["results"]


out, results = run("yoda2")
out1, _ = run("yoda1", "--output.yoda_format=yoda1")
check(results["overflow_events"] == 0, "events overflowed: the HepMC3 events would not be those histogrammed")

# The configured binning (docs/shower.md, Observables; physics/shower/src/analysis.cpp).
binning = {f"log10y{i}{i + 1}": (-4.3, -0.3) for i in range(2, 6)}
binning.update(tvalue=(0, 0.5), hjm=(0, 1), ljm=(0, 0.5), tjb=(0, 0.5), wjb=(0, 0.5), njb=(0, 0.2), cparam=(0, 1),
               nparton=(0.5, 100.5))
yoda = yoda_text.read(os.path.join(out, "shower.yoda"))
check(sorted(yoda) == sorted(f"/TESSERA/{k}" for k in binning), f"histograms: {sorted(yoda)}")

# The events, as HepMC3's reader reads them.
read = subprocess.run([hepmc3_events, os.path.join(out, "events.hepmc3")], capture_output=True, text=True, timeout=60)
if read.returncode != 0:
    print(f"FAIL: shower_hepmc3_events: exit {read.returncode}: {read.stderr}")
    sys.exit(1)
events = json.loads(read.stdout)["events"]
check(len(events) == n_events, f"{len(events)} events in events.hepmc3, expected {n_events}")
check([e["number"] for e in events] == list(range(len(events))), "events not numbered 0, 1, 2, ...")
weights = [e["weights"][0] for e in events]
finals = [[p["p"] for p in e["particles"] if p["status"] == 1] for e in events]
sigma_events = sum(weights) / n_events
check(close(results["cross_section_pb"], sigma_events, 1e-12),
      f"cross section {results['cross_section_pb']} vs {sigma_events} from the HepMC3 weights")

for path, h in yoda.items():
    name = path.rsplit("/", 1)[1]
    check(h.version == 3, f"{path}: YODA_HISTO1D_V{h.version}, expected V3 (YODA 2) by default")
    check(h.annotations.get("Type") == "Histo1D" and h.annotations.get("Path") == path,
          f"{path}: annotations {h.annotations}")
    check(close(float(h.annotations.get("ScaledBy", "nan")), 1 / n_events, 1e-9), f"{path}: ScaledBy")
    low, high = binning.get(name, (math.nan, math.nan))
    expected = [low + (high - low) * k / 100 for k in range(101)]
    check(len(h.edges) == 101 and all(abs(a - b) <= 1e-9 * (1 + abs(b)) for a, b in zip(h.edges, expected)),
          f"{path}: edges {h.edges[:3]}... vs the configured {expected[:3]}...")
    check(h.sum("numEntries") == n_events, f"{path}: {h.sum('numEntries')} entries, expected {n_events}")
    integral = h.sum("sumW")
    check(close(float(h.comments.get("Integral", "nan")), integral, 1e-9), f"{path}: # Integral vs the rows")
    check(close(integral, results["cross_section_pb"], 1e-9), f"{path}: integral {integral} vs the cross section")
    check(close(float(h.comments.get("Mean", "nan")), h.sum("sumWX") / integral, 1e-9), f"{path}: # Mean")

# The multiplicity from the HepMC3 events: row k holds the events of k partons (bins
# [k - 0.5, k + 0.5)), row 101 the overflow.
nparton = yoda["/TESSERA/nparton"]
rows = [[0.0, 0] for _ in nparton.rows]
for w, p in zip(weights, finals):
    row = rows[min(len(p), len(rows) - 1)]
    row[0] += w / n_events
    row[1] += 1
integral = nparton.sum("sumW")
for k, (r, (w, entries)) in enumerate(zip(nparton.rows, rows)):
    check(abs(r["sumW"] - w) <= 1e-10 * abs(w) + 1e-12 * integral, f"nparton row {k}: sumW {r['sumW']} vs {w} from the events")
    check(r["numEntries"] == entries, f"nparton row {k}: {r['numEntries']} entries vs {entries} from the events")


# The C-parameter from the HepMC3 events: 3 (sum_ij |p_i||p_j| - (p_i.p_j)^2 / (|p_i||p_j|)) /
# (2 (sum |p|)^2), written through the momentum tensor; two-parton events in the underflow.
def c_parameter(momenta):
    theta = [[0.0] * 3 for _ in range(3)]
    sum_abs = 0.0
    for p in momenta:
        a = math.sqrt(sum(x * x for x in p[:3]))
        sum_abs += a
        for i in range(3):
            for j in range(3):
                theta[i][j] += p[i] * p[j] / a
    return 1.5 * (1 - sum(theta[i][j] ** 2 for i in range(3) for j in range(3)) / sum_abs**2)


cparam = yoda["/TESSERA/cparam"]
under_w = under_n = wc = 0.0
entries = [0] * len(cparam.rows)
ambiguous = 0
for w, p in zip(weights, finals):
    if len(p) < 3:
        under_w += w / n_events
        under_n += 1
        entries[0] += 1
        continue
    c = c_parameter(p)
    wc += w * c / n_events
    ambiguous += abs(c * 100 - round(c * 100)) < 1e-7
    entries[min(1 + int(c * 100), len(entries) - 1)] += 1
check(abs(cparam.underflow()["sumW"] - under_w) <= 1e-10 * under_w + 1e-12 * cparam.sum("sumW"),
      f"cparam underflow sumW {cparam.underflow()['sumW']} vs {under_w} (two-parton events)")
check(cparam.underflow()["numEntries"] == under_n, f"cparam underflow entries vs {under_n} two-parton events")
check(close(cparam.sum("sumWX") - cparam.underflow()["sumWX"], wc, 1e-9),
      f"cparam sum w C {cparam.sum('sumWX') - cparam.underflow()['sumWX']} vs {wc} from the events")
if ambiguous == 0:
    check([r["numEntries"] for r in cparam.rows] == entries, "cparam entries per bin differ from the events'")

# The same numbers in YODA 1's layout.
yoda1 = yoda_text.read(os.path.join(out1, "shower.yoda"))
check(sorted(yoda1) == sorted(yoda), "the yoda1 file holds other histograms")
for path, h in yoda1.items():
    check(h.version == 2, f"{path}: output.yoda_format = yoda1 wrote V{h.version}")
    check(h.rows == yoda[path].rows, f"{path}: the yoda1 file's rows differ from the yoda2 file's")
    check(all(abs(a - b) <= 1e-9 * (1 + abs(b)) for a, b in zip(h.edges, yoda[path].edges)), f"{path}: yoda1 edges")

report_problems()
print(f"ok: 12 YODA 2 histograms of {n_events} events; integral {integral:.8g} pb = the summary's = the HepMC3 "
      f"weights'; nparton rows and cparam (underflow {under_n:.0f} two-parton events, sum w C {wc:.6g}, "
      f"{ambiguous} events on a bin edge) agree with the HepMC3 events; the yoda1 file holds the same numbers")
