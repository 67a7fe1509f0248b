#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A run refused for its input (a check of the module's own, not only of the schema) in the
# folder of a finished run leaves that run's files as they were: its log is not truncated, no
# file is added but the lock's.
# Usage: refused_keeps_log.sh NAME DRIVER EXPECT_FAILURE REGEX BAD_OVERRIDE -- ARGS...
set -euo pipefail
name=$1 driver=$2 expect=$3 regex=$4 bad=$5
shift 5
[[ $1 == -- ]] && shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$driver" "$@" --output "$work/run" >/dev/null
before=$(cd "$work/run" && ls -A | sort | tr '\n' ' ')
cp "$work/run/$name.log" "$work/log.before"
"$expect" 2 "$regex" "$driver" "$@" "$bad" --output "$work/run"
cmp -s "$work/log.before" "$work/run/$name.log" || { echo "FAIL: the refused run changed $name.log"; exit 1; }
after=$(cd "$work/run" && ls -A | sort | tr '\n' ' ')
[[ $before == "$after" ]] || { echo "FAIL: files before '$before', after '$after'"; exit 1; }
echo "ok: the refused run left the finished run's $name.log and files as they were"
