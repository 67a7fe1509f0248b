#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""compare_yoda.py A B: the histograms of two tessera-shower YODA files agree: same paths,
entries exactly, sums of weights to 1e-12 of each histogram's area (sums in another order)."""
import sys


def histograms(path):
    h, name = {}, None
    for line in open(path):
        if line.startswith("BEGIN"):
            name = line.split()[2]
            h[name] = []
        elif line.startswith("END"):
            name = None
        elif name and line[0] in "-0123456789" and not line.startswith("---"):
            h[name].append([float(x) for x in line.split()])
    return h


a, b = histograms(sys.argv[1]), histograms(sys.argv[2])
assert a.keys() == b.keys() and len(a) == 12, (sorted(a), sorted(b))
for name in a:
    area = sum(r[2] for r in a[name])
    assert len(a[name]) == len(b[name]), name
    for ra, rb in zip(a[name], b[name]):
        assert ra[6] == rb[6], (name, ra, rb)  # entries: exact
        assert abs(ra[2] - rb[2]) <= 1e-12 * area, (name, ra, rb)
print(f"{sys.argv[1]} and {sys.argv[2]} agree: {len(a)} histograms")
