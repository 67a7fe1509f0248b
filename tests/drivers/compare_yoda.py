#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""compare_yoda.py A B: the histograms of two tessera-shower YODA files agree: same paths and
edges, entries exactly, sums of weights to 1e-12 of each histogram's area (sums in another
order). Either file may be in YODA 2's layout (YODA_HISTO1D_V3, the default) or YODA 1's
(YODA_HISTO1D_V2): both are read by yoda_text.py (our reader, not YODA's)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yoda_text  # noqa: E402

a, b = yoda_text.read(sys.argv[1]), yoda_text.read(sys.argv[2])
assert a.keys() == b.keys() and len(a) == 12, (sorted(a), sorted(b))
for name in a:
    ha, hb = a[name], b[name]
    area = ha.sum("sumW")
    assert len(ha.rows) == len(hb.rows), name
    assert all(abs(x - y) <= 1e-9 * (1 + abs(x)) for x, y in zip(ha.edges, hb.edges)), (name, ha.edges, hb.edges)
    for ra, rb in zip(ha.rows, hb.rows):  # underflow, bins, overflow
        assert ra["numEntries"] == rb["numEntries"], (name, ra, rb)  # entries: exact
        assert abs(ra["sumW"] - rb["sumW"]) <= 1e-12 * area, (name, ra, rb)
print(f"{sys.argv[1]} and {sys.argv[2]} agree: {len(a)} histograms")
