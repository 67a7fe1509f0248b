#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tessera-shower on 1 and on 2 MPI ranks: the same events, so the same cross section and
# multiplicity, the same YODA histograms (to rounding: sums split differently) and the same
# events.hepmc3 (byte for byte); a SIGTERM mid-run exits with 4 after a checkpoint and the
# histograms of the events done, and the restart from that checkpoint ends with the
# histograms of an uninterrupted run.
# Usage: shower_ranks_agree.sh SHOWER INPUT MPIEXEC [MPIEXEC FLAGS...]
set -euo pipefail
shower=$1 input=$2
shift 2
source "$(dirname "$0")/signals.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# 8193 events in batches of 4096: rank 0 needs two batches, rank 1 one (the ranks must
# still meet in every collective).
args=(--events.n=8193 --events.batch=4096 --output.hepmc_events=3)
"$shower" "$input" "${args[@]}" --output "$work/np1" --summary "$work/np1.json" >/dev/null
"$@" -n 2 "$shower" "$input" "${args[@]}" --output "$work/np2" --summary "$work/np2.json" >/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a = json.load(open(f"{w}/np1.json"))["results"]
b = json.load(open(f"{w}/np2.json"))["results"]
assert a["events"] == b["events"] == 8193
assert a["mean_partons"] == b["mean_partons"], (a["mean_partons"], b["mean_partons"])
rel = abs(a["cross_section_pb"] - b["cross_section_pb"]) / a["cross_section_pb"]
assert rel < 1e-13, rel
print(f"np1 and np2 agree: sigma {a['cross_section_pb']} pb")
PY
python3 "$(dirname "$0")/compare_yoda.py" "$work/np1/shower.yoda" "$work/np2/shower.yoda"
grep -c '^E ' "$work/np1/events.hepmc3" | grep -qx 3
# The first events are rank 0's on any rank count, written through HepMC3 from the same
# numbers: the files are identical byte for byte.
cmp "$work/np1/events.hepmc3" "$work/np2/events.hepmc3"
# One event on two ranks: rank 1 has none.
"$@" -n 2 "$shower" "$input" --events.n=1 --output "$work/one" >/dev/null
# SIGTERM: exit 4 with a checkpoint and the histograms of the events done; the restart
# skips those events and ends with the histograms of an uninterrupted run.
# The run is sized to last about 8 s on this machine, so that the SIGTERM after 3 s lands
# in the middle of it.
"$shower" "$input" --events.n=100000 --events.batch=4096 --output "$work/rate" --summary "$work/rate.json" >/dev/null
events=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(max(200000, int(8 * r['events_per_second'])))" "$work/rate.json")
long=(--events.n=$events --events.batch=4096 --output.checkpoint_wall_seconds=0)
"$shower" "$input" "${long[@]}" --output "$work/whole" >/dev/null
terminate_after 3 4 "$shower" "$input" "${long[@]}" --output "$work/term" --summary "$work/term.json"
python3 - "$work" "$events" <<'PY'
import json, sys
r = json.load(open(f"{sys.argv[1]}/term.json"))
assert r["status"] == "interrupted" and r["results"]["interrupted"], r
assert 0 < r["results"]["events"] < int(sys.argv[2]), r["results"]["events"]
print("interrupted after", r["results"]["events"], "events")
PY
test -s "$work/term/shower.yoda"
"$shower" "$input" "${long[@]}" --output "$work/term" --restart "$work/term/shower.chk.h5" --summary "$work/restart.json" >/dev/null
python3 "$(dirname "$0")/compare_yoda.py" "$work/whole/shower.yoda" "$work/term/shower.yoda"
# A checkpoint of other settings is refused.
"$(dirname "$0")/expect_failure.sh" 2 "written with other settings" "$shower" "$input" "${long[@]}" --events.seed=2 \
  --output "$work/term" --restart "$work/term/shower.chk.h5"
echo "ok"
