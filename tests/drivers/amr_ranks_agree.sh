#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tessera-amr on 1 and 2 ranks: the same cells and tree, bit for bit (blocks, ghost cells,
# coarse-fine fluxes and regrids cross ranks); a run checkpointed on 2 ranks continues on 1
# (and one checkpointed on 1 on 2) to the same end; the 2-rank plots read back whole.
# Usage: amr_ranks_agree.sh AMR INPUT CHECK_PLOTS MPIEXEC [MPIEXEC FLAGS...]
set -euo pipefail
amr=$1 input=$2 check_plots=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A 2-D Sedov blast in a quadrant, three levels, regrids every 4 steps.
common=(--mesh.dims=2 --mesh.cells_x=32 --mesh.cells_y=32 --mesh.block_cells=8 --mesh.max_level=2
  --run.t_end=0.02 --output.interval=0.01 --output.log_interval=1e9)
result() {
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(eval(sys.argv[2]))" "$1" "$2"
}
# Whether two checkpoints hold the same dataset, bit for bit: h5diff, or h5py where the host
# has no HDF5 tools (exit 77 when it has neither).
same_dataset() { # file, file, dataset
  if command -v h5diff >/dev/null; then
    h5diff "$1" "$2" "$3" >/dev/null
    return
  fi
  python3 - "$@" <<'PY'
import sys
try:
    import h5py, numpy
except ImportError:
    sys.exit(77)
a, b = (h5py.File(f, "r")[sys.argv[3]][()] for f in sys.argv[1:3])
sys.exit(0 if a.shape == b.shape and a.tobytes() == b.tobytes() else 1)
PY
}
same_end() { # run directory, what it was
  for d in /cells /leaves; do
    set +e
    same_dataset "$work/np1/amr.chk.h5" "$1/amr.chk.h5" $d
    local status=$?
    set -e
    if [[ $status -eq 77 ]]; then
      echo "skipped: neither h5diff nor h5py to compare the cells (the summaries agree: $steps steps, blocks per level $blocks)"
      exit 0
    fi
    [[ $status -eq 0 ]] || { echo "FAIL: $2: final checkpoint differs from the 1-rank run in $d"; exit 1; }
  done
}

"$amr" "$input" "${common[@]}" --output "$work/np1" --summary "$work/np1.json" >/dev/null
"$@" -n 2 "$amr" "$input" "${common[@]}" --output "$work/np2" --summary "$work/np2.json" >/dev/null
for key in "r['step']" "r['last_dt']" "r['blocks_per_level']" "r['regrids']" "r['floors_applied']" "r['plots']"; do
  a=$(result "$work/np1.json" "repr($key)") b=$(result "$work/np2.json" "repr($key)")
  [[ $a == "$b" ]] || { echo "FAIL: $key = $b on 2 ranks, $a on 1"; exit 1; }
done
energy=$(result "$work/np1.json" "r['totals']['energy']['end']")
python3 - "$work" <<'PY'
import json, sys
a = json.load(open(f"{sys.argv[1]}/np1.json"))["results"]["totals"]
b = json.load(open(f"{sys.argv[1]}/np2.json"))["results"]["totals"]
for name in a:  # sums over ranks add in another order: equal to rounding
    x, y = a[name]["end"], b[name]["end"]
    assert abs(x - y) <= 1e-13 * max(1.0, abs(x)), f"total {name}: {y} on 2 ranks, {x} on 1"
PY
steps=$(result "$work/np1.json" "r['steps']")
blocks=$(result "$work/np1.json" "r['blocks_per_level']")
same_end "$work/np2" "2 ranks"
echo "ok: 1 and 2 ranks: identical cells and tree after $steps steps (blocks per level $blocks, energy $energy)"

half=$((steps / 2 + 1)) # not a multiple of the regrid interval
"$@" -n 2 "$amr" "$input" "${common[@]}" --run.max_steps=$half --output "$work/np2to1" >/dev/null
"$amr" "$input" "${common[@]}" --output "$work/np2to1" --restart "$work/np2to1/amr.chk.h5" >/dev/null
same_end "$work/np2to1" "checkpointed on 2 ranks at step $half, continued on 1"
"$amr" "$input" "${common[@]}" --run.max_steps=$half --output "$work/np1to2" >/dev/null
"$@" -n 2 "$amr" "$input" "${common[@]}" --output "$work/np1to2" --restart "$work/np1to2/amr.chk.h5" >/dev/null
same_end "$work/np1to2" "checkpointed on 1 rank at step $half, continued on 2"
echo "ok: restarts across rank counts (2 -> 1 and 1 -> 2 at step $half) end identical"

set +e
python3 "$check_plots" "$work/np2/amr.xdmf" >"$work/plots.txt" 2>&1
status=$?
set -e
if [[ $status -eq 77 ]]; then
  echo "skipped: the plot reader needs python3-h5py"
else
  [[ $status -eq 0 ]] || { echo "FAIL: 2-rank plot files: $(cat "$work/plots.txt")"; exit 1; }
  python3 "$check_plots" "$work/np1/amr.xdmf" >"$work/plots_np1.txt"
  cmp -s "$work/plots.txt" "$work/plots_np1.txt" ||
    { echo "FAIL: the plot series differ:"; diff "$work/plots_np1.txt" "$work/plots.txt"; exit 1; }
  echo "ok: the 2-rank plot series reads back like the 1-rank one"
fi
