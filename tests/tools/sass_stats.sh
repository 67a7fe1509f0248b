#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tools/sass-stats on a hand-written listing: two kernels, one selected; the 128-bit load (an
# evict-first one, LDG.E.EF.128: the width after a modifier) has its result read 3 instructions
# later (its third register), the 32-bit one's by the store right after it; a kernel name that
# matches nothing is an error.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$("$top/tools/sass-stats" "$top/tests/tools/sass-fixture.sass" --kernel kernel --loads)
echo "$out"
grep -q '^_Z6kernelPf$' <<<"$out"
! grep -q '_Z5otherPf' <<<"$out"
grep -q 'instructions 8: ' <<<"$out"
grep -q 'global loads 32-bit:1 128-bit:1; load-to-use median 2, mean 2.0, shortest \[1, 3\]' <<<"$out"
grep -q '  1:128:3 5:32:1' <<<"$out"
if "$top/tools/sass-stats" "$top/tests/tools/sass-fixture.sass" --kernel nomatch 2>/dev/null; then
  echo "a kernel pattern matching nothing must fail"; exit 1
fi
echo "sass-stats: ok"
