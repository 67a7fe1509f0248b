#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# What a new user sees of a run in a batch log (issue 24), checked on one driver, its output
# captured in a file (not a terminal):
#   1. a short run prints no progress line (output.progress_seconds defaults to 60 s) and
#      ends with the files it wrote, exactly: "files written in DIR: a, b, c_0 ... c_4 (5
#      files), summary: FILE"; the same line is the last of DIR/NAME.log;
#   2. a long run with --output.progress_seconds=0.2 prints plain progress lines
#      ("progress: NAME 42% UNIT 4.2/10 (1.3 UNITS/min) ETA 5 min": no carriage return) on its
#      output and in its run log; stopped by the stop file (exit 4), it still lists the files
#      it wrote, its checkpoint among them.
# Usage: first_hour.sh NAME DRIVER -- SETTINGS...   (KEY=VALUE words; values are word-split)
#   args=...      a short run           files=REGEX    its file list (after "files written in DIR: ")
#   long=...      a run that lasts      stopped=REGEX  the stopped run's file list
#   unit=WORD     the progress unit in the lines ("time", "trajectory", "event", "epoch", "step")
set -euo pipefail
name=$1 driver=$2
shift 2
[[ $1 == -- ]] && shift
declare -A s=([args]="" [long]="" [files]="" [stopped]="" [unit]="")
for setting in "$@"; do s[${setting%%=*}]=${setting#*=}; done
read -ra args <<<"${s[args]}"
read -ra long <<<"${s[long]}"
# shellcheck source=tests/drivers/work_dir.sh
source "$(dirname "${BASH_SOURCE[0]}")/work_dir.sh"
progress="^progress: $name [0-9]+% ${s[unit]} [0-9.e+-]+/[0-9.e+-]+ \\([0-9.e+-]+ [a-z ]+/(s|min)\\)( ETA .*)?$"

# 1. A short run: no progress line by default; the exact list of its files at the end.
"$driver" "${args[@]}" --output "$work/short" --summary "$work/summary.json" >"$work/short.out" 2>&1 ||
  fail "the short run failed ($?)"
grep -Eq "^progress:" "$work/short.out" && fail "a progress line in a short run with the default interval"
last=$(tail -n 1 "$work/short.out")
expected="files written in $work/short: ${s[files]}, summary: $work/summary.json"
[[ $last =~ ^$expected$ ]] || fail "the last line is '$last', expected '$expected'"
[[ $(tail -n 1 "$work/short/$name.log") == "$last" ]] || fail "the run log does not end with the file list"

# 2. A long run with progress lines every 0.2 s, stopped by the stop file once it printed 2.
"$driver" "${args[@]}" "${long[@]}" --output.progress_seconds=0.2 --output "$work/long" >"$work/long.out" 2>&1 &
pid=$!
for _ in $(seq 600); do
  (($(grep -Ec "$progress" "$work/long.out" || true) >= 2)) && break
  kill -0 $pid 2>/dev/null || break
  sleep 0.1
done
touch "$work/long/stop"
status=0
wait $pid || status=$?
((status == 4)) || fail "the stopped run exited with $status, expected 4"
lines=$(grep -Ec "$progress" "$work/long.out" || true)
((lines >= 2)) || fail "$lines progress lines on the output, expected at least 2 matching '$progress'"
logged=$(grep -Ec "$progress" "$work/long/$name.log" || true)
((logged == lines)) || fail "$logged progress lines in $name.log, $lines on the output"
grep -q $'\r' "$work/long.out" && fail "a carriage return in the batch output"
last=$(tail -n 1 "$work/long.out")
expected="files written in $work/long: ${s[stopped]}"
[[ $last =~ ^$expected$ ]] || fail "the stopped run's last line is '$last', expected '$expected'"
[[ $(tail -n 1 "$work/long/$name.log") == "$last" ]] || fail "the stopped run's log does not end with the file list"
echo "$name: no progress line in a short run, $lines in the long one; file lists: ok"
