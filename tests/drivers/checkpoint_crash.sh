#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fault test: a run killed (SIGKILL) while writing a checkpoint leaves the previous checkpoint
# valid; the restart from it finishes with exactly the answer of an uninterrupted run. Also
# SIGTERM (what a batch scheduler sends before the wall-clock limit): a final checkpoint,
# exit code 4, and a restart that finishes the job.
# Usage: checkpoint_crash.sh DEMO
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/signals.sh"
demo=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
small=(--grid.nx=12 --grid.ny=12 --grid.nz=12 --particles.n=64 --output.checkpoint_interval=10)
heat() { python3 -c "import json,sys; print(repr(json.load(open(sys.argv[1]))['results']['total_heat_final']))" "$1"; }

# Reference: 40 steps without interruption.
"$demo" "${small[@]}" --run.steps=40 --output "$work/ref" --summary "$work/ref.json" >/dev/null

# 20 steps: the checkpoint at step 20 is the "last good" one.
"$demo" "${small[@]}" --run.steps=20 --output "$work/run" >/dev/null
cp "$work/run/demo.chk.h5" "$work/good.h5"

# Continue to 40, killed by SIGKILL inside the checkpoint at step 30.
set +e
TESSERA_FAULT=kill-in-checkpoint "$demo" "${small[@]}" --run.steps=40 --output "$work/run" \
  --restart "$work/run/demo.chk.h5" >/dev/null 2>&1
status=$?
set -e
[[ $status -eq 137 ]] || { echo "FAIL: expected death by SIGKILL (137), got $status"; exit 1; }
[[ -e "$work/run/demo.chk.h5.tmp" ]] || { echo "FAIL: the killed write left no temporary file"; exit 1; }
cmp -s "$work/run/demo.chk.h5" "$work/good.h5" || { echo "FAIL: the last good checkpoint was changed"; exit 1; }
echo "ok: killed mid-checkpoint (exit $status); the step-20 checkpoint is untouched"

# The damaged temporary file is refused, with the one-line error and exit code 3.
set +e
msg=$("$demo" "${small[@]}" --run.steps=40 --output "$work/run" --restart "$work/run/demo.chk.h5.tmp" 2>&1 >/dev/null)
status=$?
set -e
[[ $status -eq 3 ]] || { echo "FAIL: restart from the partial file gave exit $status: $msg"; exit 1; }
echo "ok: partial file refused: $msg"

# Restart from the good checkpoint: the same final state as the uninterrupted run.
"$demo" "${small[@]}" --run.steps=40 --output "$work/run" --restart "$work/run/demo.chk.h5" \
  --summary "$work/restart.json" >/dev/null
[[ $(heat "$work/ref.json") == $(heat "$work/restart.json") ]] ||
  { echo "FAIL: restart gives $(heat "$work/restart.json"), uninterrupted $(heat "$work/ref.json")"; exit 1; }
echo "ok: restart reproduces the uninterrupted run bit for bit: $(heat "$work/ref.json")"

# SIGTERM during a long run: final checkpoint, exit code 4, restart completes.
terminate_after 2 4 "$demo" "${small[@]}" --run.steps=100000000 --output.checkpoint_interval=0 --output "$work/term" \
  --summary "$work/term.json"
python3 - "$work/term.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status"] == "interrupted", s["status"]
print(f"ok: SIGTERM after {s['results']['steps']} steps: status interrupted, checkpoint written")
PY
done_steps=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results']['steps'])" "$work/term.json")
"$demo" "${small[@]}" --run.steps=$((done_steps + 5)) --output.checkpoint_interval=0 --output "$work/term" \
  --restart "$work/term/demo.chk.h5" --summary "$work/term2.json" >/dev/null
python3 - "$work/term2.json" "$((done_steps + 5))" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["status"] == "ok" and s["results"]["steps"] == int(sys.argv[2]), s
print(f"ok: restart after SIGTERM finished at step {sys.argv[2]}")
PY
echo "ok: all fault checks passed"
