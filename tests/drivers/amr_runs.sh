#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tessera-amr: a run split by a checkpoint continues bit for bit (across regrids, with the
# plot series and the history continued); SIGTERM gives exit 4 and a checkpoint that
# restarts; the plot files read back through their XDMF by an independent reader
# (tools/amr/check_plots.py: xml.etree + h5py) hold the mass of the history file.
# Usage: amr_runs.sh AMR INPUT CHECK_PLOTS
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/signals.sh"
amr=$1 input=$2 check_plots=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A 2-D Sedov blast in a quadrant, three levels, regrids every 4 steps.
common=(--mesh.dims=2 --mesh.cells_x=32 --mesh.cells_y=32 --mesh.block_cells=8 --mesh.max_level=2
  --output.interval=0.005 --output.table_interval=0 --output.log_interval=1e9)
result() {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(eval(sys.argv[2]))" "$1" "$2"
}

"$amr" "$input" "${common[@]}" --run.t_end=0.02 --output "$work/ref" --summary "$work/ref.json" >/dev/null
steps=$(result "$work/ref.json" "r['steps']")
half=$((steps / 2 + 1)) # not a multiple of the regrid interval
"$amr" "$input" "${common[@]}" --run.t_end=0.02 --run.max_steps=$half --output "$work/split" >/dev/null
"$amr" "$input" "${common[@]}" --run.t_end=0.02 --output "$work/split" --restart "$work/split/amr.chk.h5" \
  --summary "$work/split.json" >/dev/null
for key in "r['step']" "r['totals']['energy']['end']" "r['totals']['momentum_x']['end']" "r['last_dt']" \
  "r['blocks_per_level']" "r['plots']"; do
  a=$(result "$work/ref.json" "repr($key)") b=$(result "$work/split.json" "repr($key)")
  [[ $a == "$b" ]] || { echo "FAIL: after the restart at step $half, $key = $b, uninterrupted $a"; exit 1; }
done
if command -v h5diff >/dev/null; then
  for d in /cells /leaves; do
    h5diff "$work/ref/amr.chk.h5" "$work/split/amr.chk.h5" $d >/dev/null ||
      { echo "FAIL: final checkpoints differ in $d after a restart"; exit 1; }
  done
  echo "ok: h5diff: final cells and tree identical"
fi
cmp -s <(grep -v '^#' "$work/ref/amr.hst") <(grep -v '^#' "$work/split/amr.hst") ||
  { echo "FAIL: the continued history differs from the uninterrupted one"; exit 1; }
echo "ok: restart at step $half of $steps continues bit for bit (energy $(result "$work/ref.json" \
  "r['totals']['energy']['end']"), blocks per level $(result "$work/ref.json" "r['blocks_per_level']"))"

# The plots, read back through the XDMF only; the last one's mass equals the history's.
mass=$(tail -1 "$work/ref/amr.hst" | awk '{print $4}')
set +e
python3 "$check_plots" "$work/ref/amr.xdmf" --total-mass "$mass" --rtol 1e-12 >"$work/plots.txt" 2>&1
status=$?
set -e
if [[ $status -eq 77 ]]; then
  echo "skipped: the plot reader needs python3-h5py: $(cat "$work/plots.txt")"
else
  [[ $status -eq 0 ]] || { echo "FAIL: plot files: $(cat "$work/plots.txt")"; exit 1; }
  python3 "$check_plots" "$work/split/amr.xdmf" >"$work/plots_split.txt"
  cmp -s "$work/plots.txt" "$work/plots_split.txt" ||
    { echo "FAIL: the restarted run's plot series differs:"; diff "$work/plots.txt" "$work/plots_split.txt"; exit 1; }
  echo "ok: plot series (XDMF + HDF5) readable, the restarted one identical:"
  cat "$work/plots.txt"
fi

# SIGTERM (a batch system's warning): exit 4 with a checkpoint, from which the run continues.
terminate_after 2 4 "$amr" "$input" "${common[@]}" --mesh.max_level=3 --run.t_end=100 --output.interval=0 \
  --output "$work/term"
"$amr" "$input" "${common[@]}" --mesh.max_level=3 --run.t_end=100 --output.interval=0 --run.max_steps=4 \
  --output "$work/term" --restart "$work/term/amr.chk.h5" >/dev/null
echo "ok: SIGTERM: exit 4 with a checkpoint that restarts"
