#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tessera-amr: keys of an axis beyond mesh.dims are not compared on restart. A 1-D Sod run
# stopped by run.max_steps continues under another mesh.cells_y (and cells_z, y_max) and ends
# with the files of the uninterrupted run; a 2-D run restarted with another mesh.cells_y is
# still refused (exit 2, one line naming the key), and so is the 1-D run restarted in 2-D (the
# line names mesh.dims, not a key of the y axis the 1-D checkpoint never had).
# Usage: amr_restart_dims.sh AMR SOD_INPUT EXPECT_FAILURE
set -euo pipefail
amr=$1 input=$2 expect=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
common=(--output.interval=0.05 --output.log_interval=1e9)

"$amr" "$input" "${common[@]}" --output "$work/ref" >/dev/null
"$amr" "$input" "${common[@]}" --run.max_steps=37 --output "$work/split" >/dev/null
"$amr" "$input" "${common[@]}" --mesh.cells_y=32 --mesh.cells_z=48 --mesh.y_max=3 --output "$work/split" \
  --restart "$work/split/amr.chk.h5" >/dev/null ||
  { echo "FAIL: the 1-D restart with another mesh.cells_y was refused (exit $?)"; exit 1; }
cmp -s "$work/ref/amr.hst" "$work/split/amr.hst" ||
  { echo "FAIL: the continued 1-D run's table differs from the uninterrupted one"; exit 1; }
if command -v h5diff >/dev/null; then
  for f in "$work"/ref/amr.[0-9]*.h5; do
    h5diff "$f" "$work/split/$(basename "$f")" >/dev/null ||
      { echo "FAIL: plot $(basename "$f") of the continued 1-D run differs"; exit 1; }
  done
  for d in /cells /leaves; do
    h5diff "$work/ref/amr.chk.h5" "$work/split/amr.chk.h5" $d >/dev/null ||
      { echo "FAIL: final checkpoints differ in $d after the 1-D restart"; exit 1; }
  done
fi
"$expect" 2 "^tessera: error: .*amr.chk.h5: .*key 'mesh.dims' = 1 there, 2 now; a restart must keep it$" \
  "$amr" "$input" "${common[@]}" --mesh.dims=2 --output "$work/split2" --restart "$work/split/amr.chk.h5"
echo "ok: 1-D restart at step 37 with mesh.cells_y = 32, cells_z = 48, y_max = 3: the files of the uninterrupted run"

# 2-D: cells_y is a key of the mesh.
small=(--mesh.dims=2 --mesh.cells_x=32 --mesh.cells_y=32 --mesh.block_cells=8 --run.t_end=0.01 --hydro.cfl=0.4)
"$amr" "$input" "${small[@]}" "${common[@]}" --run.max_steps=3 --output "$work/two" >/dev/null
"$expect" 2 "^tessera: error: .*amr.chk.h5: .*key 'mesh.cells_y' = 32 there, 64 now; a restart must keep it$" \
  "$amr" "$input" "${small[@]}" "${common[@]}" --mesh.cells_y=64 --output "$work/two" \
  --restart "$work/two/amr.chk.h5"
