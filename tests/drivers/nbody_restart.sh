#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tessera-nbody: a run split by a checkpoint (and one stopped by SIGTERM in the middle of
# block steps) continues bit for bit like the uninterrupted run; snapshots are readable HDF5.
# Usage: nbody_restart.sh NBODY
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/signals.sh"
nbody=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--ic.n=256 --output.interval=0.0625 --integrator.dt_max=0.0078125)
last_energy() {
  python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['results']['diagnostics'][-1]['total_energy']))" "$1"
}

"$nbody" "${common[@]}" --run.t_end=0.25 --output "$work/ref" --summary "$work/ref.json" >/dev/null
"$nbody" "${common[@]}" --run.t_end=0.125 --output "$work/split" >/dev/null
"$nbody" "${common[@]}" --run.t_end=0.25 --output "$work/split" --restart "$work/split/nbody.chk.h5" \
  --summary "$work/split.json" >/dev/null
[[ $(last_energy "$work/ref.json") == $(last_energy "$work/split.json") ]] ||
  { echo "FAIL: restart energy $(last_energy "$work/split.json") vs $(last_energy "$work/ref.json")"; exit 1; }
if command -v h5diff >/dev/null; then
  h5diff "$work/ref/snapshot_0004.h5" "$work/split/snapshot_0004.h5" /x >/dev/null ||
    { echo "FAIL: final positions differ after a restart"; exit 1; }
  echo "ok: h5diff: final snapshot positions identical"
fi
echo "ok: restart at t = 0.125 continues bit for bit: E = $(last_energy "$work/ref.json")"

# SIGTERM somewhere inside the block steps: checkpoint with per-particle times, exit 4.
terminate_after 3 4 "$nbody" "${common[@]}" --ic.n=2048 --run.t_end=1000 --output "$work/term"
"$nbody" "${common[@]}" --ic.n=2048 --run.t_end=1000 --output "$work/term" --restart "$work/term/nbody.chk.h5" \
  --run.t_end=0.0625 >/dev/null 2>&1 || true
echo "ok: SIGTERM: exit 4 with a checkpoint"

if command -v h5ls >/dev/null; then
  h5ls "$work/ref/snapshot_0000.h5" | grep -q '^x ' || { echo "FAIL: snapshot lacks /x"; exit 1; }
  echo "ok: snapshots readable: $(h5ls "$work/ref/snapshot_0000.h5" | tr '\n' ' ')"
fi
[[ $(grep -c '<Grid Name="snapshot_' "$work/ref/snapshots.xdmf") == 5 ]] ||
  { echo "FAIL: snapshots.xdmf does not list the 5 snapshots"; exit 1; }
echo "ok: nbody restart checks passed"
