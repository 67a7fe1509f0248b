#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tessera-lqcd as a user runs it: an HMC chain on 1 and 2 ranks gives the same trajectories;
# a restart from the checkpoint of trajectory 3 continues exactly as the run that never
# stopped (reversibility tests in between must not change the chain), with the summary's
# averages over the whole chain, and on 2 ranks as the 2-rank run; SIGTERM exits with 4
# after a checkpoint and the restart finishes; the saved NERSC configuration is measured and
# inverted; a corrupted configuration is refused.
# Usage: lqcd_runs.sh LQCD INPUT MPIEXEC [MPIEXEC FLAGS...]
set -euo pipefail
lqcd=$1 input=$2
shift 2
source "$(dirname "$0")/signals.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--lattice.size=4x4x4x4 --hmc.trajectories=6 --hmc.thermalisation=2 --hmc.no_metropolis_until=1 --hmc.steps=6 --flow.interval=3
  --flow.time=0.2 --flow.step=0.05 --output.checkpoint_interval=3)
"$lqcd" "$input" "${common[@]}" --hmc.reversibility_interval=3 --output "$work/whole" --summary "$work/whole.json" >/dev/null
"$@" -n 2 "$lqcd" "$input" "${common[@]}" --output "$work/np2" --summary "$work/np2.json" >/dev/null
# the checkpoint of trajectory 3: a run of 3 trajectories, then a restart to 6
"$lqcd" "$input" "${common[@]}" --hmc.trajectories=3 --output "$work/again" >/dev/null
cp -r "$work/again" "$work/cross"
"$lqcd" "$input" "${common[@]}" --output "$work/again" --restart "$work/again/lqcd.chk.h5" \
  --summary "$work/again.json" >/dev/null
# the same checkpoint continued on another rank grid
"$@" -n 2 "$lqcd" "$input" "${common[@]}" --output "$work/cross" --restart "$work/cross/lqcd.chk.h5" >/dev/null
python3 - "$work" <<'PY'
import json, math, sys
w = sys.argv[1]
def rows(path):
    return [l.split() for l in open(path) if not l.startswith("#")]
whole, np2, again, cross = (rows(f"{w}/{run}/hmc.dat") for run in ("whole", "np2", "again", "cross"))
assert len(whole) == len(np2) == len(again) == len(cross) == 6, (len(whole), len(np2), len(again), len(cross))
for other in (np2, cross):
    for a, b in zip(whole, other):
        assert a[0:2] == b[0:2], (a, b)
        for i in (2, 4, 5, 6, 7, 8, 12):  # dH, plaquettes, Polyakov loop, Q
            x, y = float(a[i]), float(b[i])
            if math.isnan(x) and math.isnan(y):
                continue
            assert abs(x - y) <= 1e-9 * max(1.0, abs(x)), (i, a, b)
drop_time = lambda r: r[:10] + r[11:]  # the seconds column differs
assert [drop_time(r) for r in whole] == [drop_time(r) for r in again], "restart differs"
s_whole, s_again = (json.load(open(f"{w}/{run}.json"))["results"] for run in ("whole", "again"))
for key in ("trajectories", "acceptance", "production_acceptance", "exp_minus_dh", "plaquette", "polyakov_abs",
            "topological_charge"):
    assert s_whole[key] == s_again[key], (key, s_whole[key], s_again[key])
assert s_again["plaquette"]["samples"] == 4, s_again["plaquette"]  # trajectories 2..5
print("np1 = np2 to 1e-9; restart from trajectory 3 = uninterrupted, digit for digit, and so are the summary's "
      "averages; the restart on 2 ranks = np1 to 1e-9")
PY
# a restart must keep the chain's keys (docs/lqcd.md): another seed is refused with one line
"$(dirname "$0")/expect_failure.sh" 2 "key 'hmc.seed' = 1 there, 2 now" "$lqcd" "$input" "${common[@]}" \
  --hmc.seed=2 --output "$work/again" --restart "$work/again/lqcd.chk.h5"
config="$work/whole/lqcd.000006.nersc"
test -s "$config"
"$lqcd" "$input" --lattice.size=4x4x4x4 --run.mode=measure --gauge.file="$config" --flow.time=0.3 \
  --output "$work/measure" --summary "$work/measure.json" >/dev/null
"$lqcd" "$input" --lattice.size=4x4x4x4 --run.mode=invert --gauge.file="$config" --action.kappa=0.12 \
  --output "$work/invert" --summary "$work/invert.json" >/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
whole = json.load(open(f"{w}/whole.json"))["results"]
m = json.load(open(f"{w}/measure.json"))["results"]
assert abs(m["plaquette"] - whole["history"][-1]["plaquette"]) < 1e-12, (m["plaquette"], whole["history"][-1])
rev = whole["reversibility"]
assert len(rev) == 2 and all(r["max_link_change"] < 1e-10 and abs(r["delta_h_total"]) < 1e-8 for r in rev), rev
c = [r["c"] for r in json.load(open(f"{w}/invert.json"))["results"]["pion_correlator"]]
assert len(c) == 4 and all(x > 0 for x in c), c
assert c[0] == max(c), c  # the point source's own time slice dominates
print("measure: plaquette of the saved configuration; invert: C(t) > 0")
PY
# a flipped byte in the data: refused with a checksum error
cp "$config" "$work/bad.nersc"
size=$(stat -c %s "$work/bad.nersc")
printf '\x55' | dd of="$work/bad.nersc" bs=1 seek=$((size - 100)) conv=notrunc status=none
"$(dirname "$0")/expect_failure.sh" 3 "checksum" "$lqcd" "$input" --lattice.size=4x4x4x4 --run.mode=measure \
  --gauge.file="$work/bad.nersc" --output "$work/bad"
# SIGTERM mid-chain: exit 4, a checkpoint; the restart finishes
terminate_after 3 4 "$lqcd" "$input" --lattice.size=4x4x4x4 --hmc.trajectories=100000 --output "$work/term" \
  --summary "$work/term.json"
test -s "$work/term/lqcd.chk.h5"
done=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['status']=='interrupted'; print(r['results']['trajectories'])" "$work/term.json")
"$lqcd" "$input" --lattice.size=4x4x4x4 --hmc.trajectories=$((done + 2)) --output "$work/term" \
  --restart "$work/term/lqcd.chk.h5" >/dev/null
echo "ok: interrupted after trajectory $done and finished from its checkpoint"
