#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# expect_failure.sh CODE REGEX CMD...: CMD must exit with CODE and print exactly one line on
# stderr that matches REGEX (the one-line error of every driver), and nothing on it else.
set -u
code=$1 regex=$2
shift 2
stderr=$(mktemp)
trap 'rm -f "$stderr"' EXIT
timeout 120 "$@" >/dev/null 2>"$stderr"
status=$?
# Under an MPI launcher, the launcher adds its own report: count only our lines then.
case "$(basename "$1")" in
mpiexec* | mpirun* | prterun* | srun*) lines=$(grep -c '^tessera:' "$stderr") ;;
*) lines=$(grep -c '' "$stderr") ;;
esac
if [[ $status -ne $code ]]; then
  echo "FAIL: exit code $status, expected $code: $*"
  cat "$stderr"
  exit 1
fi
if [[ $lines -ne 1 ]] || ! grep -Eq -- "$regex" "$stderr"; then
  echo "FAIL: stderr should be one line matching '$regex', got $lines line(s):"
  cat "$stderr"
  exit 1
fi
echo "ok: exit $status: $(cat "$stderr")"
