#!/usr/bin/env bash
# tessera-shower on 1 and on 2 MPI ranks: the same events, so the same cross section and
# multiplicity, and the same YODA histograms (to rounding: sums split differently); and a
# SIGTERM mid-run exits with 4 after writing the histograms of the events done.
# Usage: shower_ranks_agree.sh SHOWER INPUT MPIEXEC [MPIEXEC FLAGS...]
set -euo pipefail
shower=$1 input=$2
shift 2
source "$(dirname "$0")/signals.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(--events.n=20001 --events.batch=4096 --output.hepmc_events=3)
"$shower" "$input" "${args[@]}" --output "$work/np1" --summary "$work/np1.json" >/dev/null
"$@" -n 2 "$shower" "$input" "${args[@]}" --output "$work/np2" --summary "$work/np2.json" >/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a = json.load(open(f"{w}/np1.json"))["results"]
b = json.load(open(f"{w}/np2.json"))["results"]
assert a["events"] == b["events"] == 20001
assert a["mean_partons"] == b["mean_partons"], (a["mean_partons"], b["mean_partons"])
rel = abs(a["cross_section_pb"] - b["cross_section_pb"]) / a["cross_section_pb"]
assert rel < 1e-13, rel
def histograms(path):
    h, name = {}, None
    for line in open(path):
        if line.startswith("BEGIN"):
            name = line.split()[2]; h[name] = []
        elif name and line[0] in "-0123456789" and not line.startswith("---"):
            h[name].append([float(x) for x in line.split()])
    return h
ha, hb = histograms(f"{w}/np1/shower.yoda"), histograms(f"{w}/np2/shower.yoda")
assert ha.keys() == hb.keys() and len(ha) == 12
for name in ha:
    area = sum(r[2] for r in ha[name])
    for ra, rb in zip(ha[name], hb[name]):
        assert ra[6] == rb[6], (name, ra, rb)  # entries: exact
        assert abs(ra[2] - rb[2]) <= 1e-12 * area, (name, ra, rb)
print(f"np1 and np2 agree: sigma {a['cross_section_pb']} pb, {len(ha)} histograms")
PY
grep -c '^E ' "$work/np1/events.hepmc3" | grep -qx 3
# SIGTERM: exit 4, the histograms of the events done so far written and marked.
terminate_after 3 4 "$shower" "$input" --events.n=1000000000 --events.batch=4096 --output "$work/term" \
  --summary "$work/term.json"
python3 - "$work" <<'PY'
import json, sys
r = json.load(open(f"{sys.argv[1]}/term.json"))
assert r["status"] == "interrupted" and r["results"]["interrupted"], r
assert 0 < r["results"]["events"] < 1000000000
print("interrupted after", r["results"]["events"], "events; histograms written")
PY
test -s "$work/term/shower.yoda"
echo "ok"
