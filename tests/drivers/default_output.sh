#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A driver run without --output writes nothing into the working directory but its default
# output folder runs/<name> (issue 24: tessera-demo wrote into the repository root), says so in
# its first lines, and the folder behaves as one given with --output: a second run there is
# refused while the first runs (the lock), and --restart runs/<name>/<name>.chk.h5 without
# --output continues there.
# Usage: default_output.sh NAME DRIVER -- SHORT_ARGS... -- LONG_ARGS... -- MORE_ARGS...
# (MORE_ARGS move the short run's end further, for the restart: one at its end is refused.)
set -euo pipefail
name=$1 driver=$2
shift 2
[[ $1 == -- ]] && shift
short=() long=() more=()
while (($#)) && [[ $1 != -- ]]; do
  short+=("$1")
  shift
done
(($#)) && shift
while (($#)) && [[ $1 != -- ]]; do
  long+=("$1")
  shift
done
(($#)) && shift
more=("$@")
# shellcheck source=tests/drivers/work_dir.sh
source "$(dirname "${BASH_SOURCE[0]}")/work_dir.sh"
cd "$work"
mkdir cwd
cd cwd

# 1. Only runs/<name> appears in the empty working directory.
"$driver" "${short[@]}" >../first.out 2>&1 || fail "the run failed ($?)"
[[ $(ls -A) == runs && $(ls -A runs) == "$name" ]] || fail "the working directory holds: $(ls -A) (runs: $(ls -A runs))"
[[ -f runs/$name/$name.log && -f runs/$name/$name.chk.h5 ]] || fail "no run log or checkpoint in runs/$name"
grep -q "^output in runs/$name (the default; --output DIR to choose another)$" ../first.out ||
  fail "the first lines do not name the output folder"
grep -q "^files written in runs/$name: .*$name.chk.h5" ../first.out || fail "no file list naming runs/$name"

# 2. --restart from the default folder's checkpoint, without --output: continues there.
"$driver" "${short[@]}" "${more[@]}" --restart "runs/$name/$name.chk.h5" >../restart.out 2>&1 ||
  fail "the restart failed ($?)"
grep -q "^restarted from runs/$name/$name.chk.h5" ../restart.out || fail "no 'restarted from' line"
[[ $(ls -A) == runs && $(ls -A runs) == "$name" ]] || fail "after the restart the working directory holds: $(ls -A)"

# 3. Two runs in the default folder: the second is refused at once (exit 2) while the first runs.
"$driver" "${short[@]}" "${long[@]}" >../long.out 2>&1 &
pid=$!
for _ in $(seq 300); do
  grep -q "^output in runs/$name" ../long.out && break
  sleep 0.1
done
status=0
"$driver" "${short[@]}" >../second.out 2>&1 || status=$?
((status == 2)) || fail "a second run in runs/$name exited with $status, expected 2"
grep -q "runs/$name: the output directory is in use by another run" ../second.out || fail "no 'in use' line"
touch "runs/$name/stop"
status=0
wait $pid || status=$?
((status == 4)) || fail "the first run exited with $status after the stop file, expected 4"
[[ $(ls -A) == runs ]] || fail "the working directory holds: $(ls -A)"
echo "$name: output in runs/$name only; lock and restart there: ok"
