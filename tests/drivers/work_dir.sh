# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Sourced by the driver tests that keep their runs' output in *.out files of a scratch folder:
# creates that folder as $work, removed on exit (any background run still going is killed
# first), and defines fail MESSAGE, which prints "FAIL ($name): MESSAGE" and the last 20 lines
# of each $work/*.out, then exits 1. The sourcing script sets $name.
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() {
  # shellcheck disable=SC2154 # $name: set by the sourcing script
  echo "FAIL ($name): $*"
  for f in "$work"/*.out; do
    echo "--- $f"
    tail -n 20 "$f"
  done
  exit 1
}
