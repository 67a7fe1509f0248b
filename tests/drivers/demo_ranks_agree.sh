#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo on 1 and on 2 MPI ranks: the same total heat and potential energy (to rounding:
# the sums are split differently), the same HDF5 grid, and the summary's heat conserved.
# Usage: demo_ranks_agree.sh DEMO MPIEXEC [MPIEXEC FLAGS...]
set -euo pipefail
demo=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(--run.steps=30 --grid.nx=16 --grid.ny=12 --grid.nz=10 --particles.n=512)
"$demo" "${args[@]}" --output "$work/np1" --summary "$work/np1.json" >/dev/null
"$@" -n 2 "$demo" "${args[@]}" --output "$work/np2" --summary "$work/np2.json" >/dev/null
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
a = json.load(open(f"{w}/np1.json"))["results"]
b = json.load(open(f"{w}/np2.json"))["results"]
for key in ["total_heat_final", "potential_energy"]:
    rel = abs(a[key] - b[key]) / abs(a[key])
    print(f"{key}: np1 {a[key]!r} np2 {b[key]!r} rel {rel:.1e}")
    assert rel < 1e-13, key
assert abs(a["relative_heat_drift"]) < 1e-13, a["relative_heat_drift"]
assert a["steps"] == b["steps"] == 30
PY
h5diff_bin=$(command -v h5diff || true)
if [[ -n $h5diff_bin ]]; then
  "$h5diff_bin" -d 1e-12 "$work/np1/demo.h5" "$work/np2/demo.h5" /grid/temperature
  echo "h5diff: grids agree"
fi
echo "ok: 1 and 2 ranks agree"
