#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# perf.harness_quick: the benchmark harness end to end at seconds-long sizes, so that it
# never rots. Runs `tessera-bench --quick`, checks the result file's shape (every module ran,
# every figure has a rate, a spread and a ceiling fraction or the reason it has none), then
# writes the report from it. No speed is asserted.
# Usage: harness.sh TESSERA_BENCH REPORT_PY WORK_DIR
set -euo pipefail
bench=$1 report=$2 work=$3
rm -rf "$work"
mkdir -p "$work"

"$bench" --quick --label ci --output "$work/bench.json" >"$work/bench.log" 2>&1 ||
  { tail -20 "$work/bench.log"; echo "harness: tessera-bench --quick failed"; exit 1; }

python3 - "$work/bench.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for key in ("machine", "backend", "kokkos_version", "compiler", "commit", "date", "mode", "label", "ceilings"):
    assert key in d, f"result file lacks {key}"
assert d["mode"] == "quick" and d["label"] == "ci"
names = {c["name"] for c in d["ceilings"]}
assert {"copy_bandwidth", "fma_fp32", "fma_fp64"} <= names, names
assert all(c["value"] > 0 and c["min"] <= c["value"] <= c["max"] for c in d["ceilings"])
# the copy ceiling is the best of its methods, and names the winner
copy = next(c for c in d["ceilings"] if c["name"] == "copy_bandwidth")
methods = copy["methods"]
assert {"copy_kernel", "copy_pairs_kernel", "deep_copy", "triad"} <= set(methods), methods.keys()
assert copy["method"] in methods and copy["value"] == max(m["value"] for m in methods.values()), copy
modules = {r["module"] for r in d["results"]}
assert modules == {"nbody", "lqcd", "shower", "nn", "amr", "flow"}, modules
for r in d["results"]:
    where = f'{r["module"]}/{r["benchmark"]}'
    assert r["min"] <= r["median"] <= r["max"] and r["median"] > 0, where
    assert r["problem_size"] > 0 and r["problem_size_unit"] and r["unit"], where
    if r["ceiling"] is None:
        assert r["ceiling_note"], where
    else:
        assert r["ceiling"] in names and r["ceiling_fraction"] > 0, where
# the figures that have a roofline carry it
assert all(r["ceiling"] for r in d["results"] if r["module"] in ("nbody", "nn", "amr") or r["benchmark"].startswith("dslash"))
print(f'harness: {len(d["results"])} figures from {sorted(modules)}, ceilings {sorted(names)}')
PY

python3 "$report" --output "$work/report" "$work/bench.json"
grep -q "^## nbody" "$work/report/README.md" || { echo "harness: report lacks the nbody section"; exit 1; }
if python3 -c "import matplotlib" 2>/dev/null; then
  for module in nbody lqcd shower nn amr; do
    [[ -s $work/report/$module.png ]] || { echo "harness: no plot $module.png"; exit 1; }
  done
fi
echo "harness: report in $work/report"
