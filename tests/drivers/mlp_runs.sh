#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tessera-mlp as a user runs it: training on 1 and 2 ranks gives the same losses (float64:
# the ranks sum gradient shares in another order, so to rounding); a restart from the
# checkpoint of epoch 5 ends with the same losses and the same predictions as the run that
# never stopped (in another folder its history.csv holds the epochs after the checkpoint);
# SIGTERM exits with 4 after writing a checkpoint and no model file, and the restart in the
# same folder continues its history.csv; --predict writes predictions and reports their
# loss; a restart with other data (another file, or the same file edited) or another model is
# refused.
# Usage: mlp_runs.sh MLP INPUT DATA MPIEXEC [MPIEXEC FLAGS...]
set -euo pipefail
mlp=$1 input=$2 data=$3
shift 3
source "$(dirname "$0")/signals.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--data.file="$data" --model.precision=float64 --training.epochs=10 --output.log_interval=5
  --output.checkpoint_interval=5 --training.patience=0)
"$mlp" "$input" "${common[@]}" --output "$work/whole" --summary "$work/whole.json" >/dev/null
"$@" -n 2 "$mlp" "$input" "${common[@]}" --output "$work/np2" --summary "$work/np2.json" >/dev/null
"$mlp" "$input" "${common[@]}" --output "$work/again" --restart "$work/whole/mlp.chk.h5" >/dev/null
python3 - "$work" <<'PY'
import csv, json, sys
w = sys.argv[1]
def losses(path):
    return [(int(r["epoch"]), float(r["train_loss"]), float(r["validation_loss"])) for r in csv.DictReader(open(path))]
whole, np2, again = losses(f"{w}/whole/history.csv"), losses(f"{w}/np2/history.csv"), losses(f"{w}/again/history.csv")
assert len(whole) == len(np2) == 10 and len(again) == 5, (len(whole), len(np2), len(again))
for a, b in zip(whole, np2):
    assert a[0] == b[0] and abs(a[1] - b[1]) <= 1e-10 * a[1] and abs(a[2] - b[2]) <= 1e-10 * a[2], (a, b)
assert whole[5:] == again, (whole[5:], again)
print("np1 = np2 to 1e-10; restart from epoch 5 = uninterrupted, bit for bit")
PY
predict=(--predict --predict.data="$data" --predict.targets=1)
"$mlp" "$input" "${common[@]}" --output "$work/whole" "${predict[@]}" --summary "$work/p1.json" >/dev/null
"$mlp" "$input" "${common[@]}" --output "$work/again" "${predict[@]}" --summary "$work/p2.json" >/dev/null
cmp "$work/whole/predictions.csv" "$work/again/predictions.csv"
python3 - "$work" <<'PY'
import json, sys
r = json.load(open(f"{sys.argv[1]}/p1.json"))["results"]
assert r["samples"] == 2000 and r["loss"] is not None and r["loss"] < 0.2, r
print("predictions: loss", r["loss"])
PY
# SIGTERM mid-training: exit 4, a checkpoint, no model file; the restart finishes the run.
terminate_after 3 4 "$mlp" "$input" --data.file="$data" --training.epochs=1000000 --training.patience=0 \
  --output.checkpoint_interval=0 --output "$work/term" --summary "$work/term.json"
test -s "$work/term/mlp.chk.h5"
test ! -e "$work/term/model.h5"
done=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['status']=='interrupted'; print(r['results']['epochs'])" "$work/term.json")
"$mlp" "$input" --data.file="$data" --training.epochs=$((done + 2)) --training.patience=0 --output "$work/term" \
  --restart "$work/term/mlp.chk.h5" >/dev/null
test -s "$work/term/model.h5"
python3 - "$work/term/history.csv" "$done" <<'PY'
import csv, sys
epochs = [int(r["epoch"]) for r in csv.DictReader(open(sys.argv[1]))]
assert epochs == list(range(1, int(sys.argv[2]) + 3)), epochs
print("restart in the same folder: history.csv continues, epochs 1 to", epochs[-1])
PY
# A checkpoint of other data or another model is refused.
cp "$data" "$work/other.csv"
"$(dirname "$0")/expect_failure.sh" 2 "the checkpoint was written by another run.*key 'data.file'" "$mlp" "$input" \
  --data.file="$work/other.csv" --output "$work/term" --restart "$work/term/mlp.chk.h5"
"$(dirname "$0")/expect_failure.sh" 2 "the checkpoint was written by another run" "$mlp" "$input" \
  --data.file="$data" --model.layers="dense 8 tanh, dense 1 linear" --output "$work/term" --restart "$work/term/mlp.chk.h5"
# The same file name with other samples (edited since the checkpoint) is refused too.
cp "$data" "$work/edited.csv"
"$mlp" "$input" --data.file="$work/edited.csv" --model.precision=float64 --training.epochs=3 --training.patience=0 \
  --output.checkpoint_interval=2 --output "$work/edited" >/dev/null
python3 - "$work/edited.csv" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
lines[-1] = lines[-1].rsplit(",", 1)[0] + ",0.5"
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
"$(dirname "$0")/expect_failure.sh" 2 "the samples of data.file = .*edited.csv are not those the checkpoint was trained on" \
  "$mlp" "$input" --data.file="$work/edited.csv" --model.precision=float64 --training.epochs=4 --training.patience=0 \
  --output "$work/edited" --restart "$work/edited/mlp.chk.h5"
echo "ok: interrupted after epoch $done and finished from its checkpoint"
