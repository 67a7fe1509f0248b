#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# nbody_energy_limit.sh REGEX LIMIT DIR CMD...: a run whose energy error passes
# run.max_energy_error must end with exit 1 and one line matching REGEX (expect_failure.sh),
# after writing the diagnostics row that shows it: the last row of DIR/diagnostics.dat has
# |dE/E0| > LIMIT (and no checkpoint was written after it).
set -u
regex=$1 limit=$2 dir=$3
shift 3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$dir"
"$here/expect_failure.sh" 1 "$regex" "$@" --output "$dir" || exit 1
table="$dir/diagnostics.dat"
[[ -f $table ]] || {
  echo "FAIL: no $table"
  exit 1
}
# Columns: time E dE/|E0| ...; the last row is the one that stopped the run.
column=$(awk '/^#/ { for (i = 2; i <= NF; ++i) if ($i == "dE/|E0|" || $i == "dE_rel") c = i - 1 } END { print c }' "$table")
last=$(grep -v '^#' "$table" | tail -n 1)
echo "last row: $last"
if ! awk -v c="${column:-3}" -v limit="$limit" '{ x = $c; if (x < 0) x = -x; exit !(x > limit || x != x) }' <<<"$last"; then
  echo "FAIL: the last row of $table does not show |dE/E0| > $limit (column ${column:-3})"
  exit 1
fi
if [[ -e "$dir/nbody.chk.h5" ]]; then
  echo "FAIL: a checkpoint of the failed run was written"
  exit 1
fi
echo "ok: the row that stopped the run is on disk"
