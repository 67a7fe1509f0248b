#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fault tests for any driver: what a long run on a shared cluster meets.
#  1. Killed (SIGKILL) in the middle of writing a checkpoint: the previous checkpoint is
#     untouched.
#  2. A truncated checkpoint is refused with exit code 3 (the checksums and the completeness
#     flag are tested bit by bit in test_core_checkpoint).
#  3. The disk fills up: a file-size limit (ulimit -f, with SIGXFSZ ignored so that a write
#     past it fails with EFBIG as it would with ENOSPC) stands in for it. The driver stops with
#     exit code 3 and one line naming the file it could not write; the last good checkpoint
#     is untouched.
#  4. The restart from that checkpoint finishes.
# Usage: faults.sh LIMIT_KB CHECKPOINT|- DRIVER ARGS... [-- MORE...]  (no --output)
# CHECKPOINT: the name of the driver's checkpoint in its output directory ("-": none, then
# only 3). A first run (ARGS) writes it; the runs from it add MORE (what makes the
# continuation longer, e.g. more steps).
set -euo pipefail
limit_kb=$1 checkpoint=$2
shift 2
first=() more=()
while [[ $# -gt 0 && $1 != -- ]]; do
  first+=("$1")
  shift
done
[[ $# -gt 0 ]] && shift
more=("$@")
set -- "${first[@]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One rank without MPI's shared-memory transport, whose backing files the limit would hit.
export OMPI_MCA_btl=self
restart=()

if [[ $checkpoint != - ]]; then
  "$@" --output "$work/run" >/dev/null
  [[ -f "$work/run/$checkpoint" ]] || { echo "FAIL: the first run wrote no $checkpoint"; exit 1; }
  cp "$work/run/$checkpoint" "$work/good"
  restart=(--restart "$work/run/$checkpoint")

  set +e
  TESSERA_FAULT=kill-in-checkpoint "$@" "${more[@]}" --output "$work/run" "${restart[@]}" >/dev/null 2>&1
  status=$?
  set -e
  [[ $status -eq 137 ]] || { echo "FAIL: expected death by SIGKILL (137) inside a checkpoint, got $status"; exit 1; }
  cmp -s "$work/run/$checkpoint" "$work/good" || { echo "FAIL: the kill changed the last good checkpoint"; exit 1; }
  echo "ok: killed while writing a checkpoint; the last good one is untouched"

  head -c $(($(stat -c %s "$work/good") / 2)) "$work/good" >"$work/truncated.h5"
  set +e
  message=$("$@" "${more[@]}" --output "$work/other" --restart "$work/truncated.h5" 2>&1 >/dev/null)
  status=$?
  set -e
  [[ $status -eq 3 ]] || { echo "FAIL: a truncated checkpoint gave exit $status: $message"; exit 1; }
  echo "ok: truncated checkpoint refused: $message"
fi

set +e
(
  trap '' XFSZ
  ulimit -f "$limit_kb"
  exec "$@" "${more[@]}" --output "$work/run" "${restart[@]}" >/dev/null 2>"$work/stderr"
)
status=$?
set -e
[[ $status -eq 3 ]] || { echo "FAIL: with the disk full, exit $status (expected 3):"; cat "$work/stderr"; exit 1; }
lines=$(grep -c '' "$work/stderr")
grep -Eq "^tessera: error: $work/run/[^:]+: .*(fail|disk full|write)" "$work/stderr" && [[ $lines -eq 1 ]] ||
  { echo "FAIL: expected one line naming the file that failed, got $lines:"; cat "$work/stderr"; exit 1; }
echo "ok: disk full: exit 3: $(cat "$work/stderr")"

if [[ $checkpoint != - ]]; then
  cmp -s "$work/run/$checkpoint" "$work/good" || { echo "FAIL: the full disk changed the last good checkpoint"; exit 1; }
  "$@" "${more[@]}" --output "$work/run" "${restart[@]}" >/dev/null
  echo "ok: the last good checkpoint is untouched and restarts the run"
fi
