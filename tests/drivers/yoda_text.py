# SPDX-License-Identifier: Apache-2.0
"""yoda_text.py: a small stand-alone reader of 1-D histograms in YODA's text format, ours
(Tessera's tests), not YODA's: YODA itself is not packaged in Debian, and PyPI's "yoda" is an
unrelated package. Written from the format's description, not from tessera-shower's writer:

YODA 2 (YODA 2.x, Rivet 4), one block per histogram:
    BEGIN YODA_HISTO1D_V3 /PATH
    Path: /PATH                       annotations, "key: value", up to the line "---"
    ScaledBy: ...
    Title: ...
    Type: Histo1D
    ---
    # Mean: ...                       comments (statistics over all bins, overflows included)
    # Integral: ...
    Edges(A1): [x0, x1, ..., xn]      the n + 1 bin edges of the one axis
    # sumW  sumW2  sumW(A1)  sumW2(A1)  numEntries
    ...                               n + 2 rows in YODA 2's global bin order: the underflow
                                      (x < x0), bins 1..n, the overflow (x >= xn)
    END YODA_HISTO1D_V3
  (sumW(A1), sumW2(A1): the weighted sums of x and x^2.)
YODA 1 (YODA 1.x, Rivet 3): BEGIN YODA_HISTO1D_V2, the same annotations and "---", rows
"Total Total sumw sumw2 sumwx sumwx2 numEntries", "Underflow Underflow ...", "Overflow
Overflow ...", then one row per bin "xlow xhigh sumw sumw2 sumwx sumwx2 numEntries".

read(path) -> {path: Histogram} for every 1-D histogram of either version (other objects are
skipped); raises ValueError naming the file and line on anything malformed.
"""
import re
import sys

COLUMNS = ("sumW", "sumW2", "sumWX", "sumWX2", "numEntries")


class Histogram:
    """edges: n + 1 floats; rows: n + 2 dicts of COLUMNS (underflow, bins, overflow);
    annotations: the header's key -> value strings; comments: '# key: value' after '---'."""

    def __init__(self, path, version):
        self.path, self.version = path, version
        self.annotations, self.comments = {}, {}
        self.edges, self.rows = [], []
        self.total = None  # YODA 1's Total row

    def bins(self):
        return self.rows[1:-1]

    def underflow(self):
        return self.rows[0]

    def overflow(self):
        return self.rows[-1]

    def sum(self, column, flows=True):
        rows = self.rows if flows else self.bins()
        return sum(r[column] for r in rows)


def _row(fields, where):
    if len(fields) != len(COLUMNS):
        raise ValueError(f"{where}: expected {len(COLUMNS)} numbers ({' '.join(COLUMNS)}), got {len(fields)}")
    try:
        return dict(zip(COLUMNS, (float(x) for x in fields)))
    except ValueError:
        raise ValueError(f"{where}: not a number in {fields}") from None


def read(path):
    histograms = {}
    h, other, in_data = None, None, False
    flows = {}
    with open(path) as f:
        for number, line in enumerate(f, 1):
            where = f"{path}:{number}"
            line = line.rstrip("\n")
            if line.startswith("BEGIN "):
                if h is not None or other is not None:
                    raise ValueError(f"{where}: BEGIN inside an object")
                m = re.fullmatch(r"BEGIN YODA_(\w+)_V(\d+) (\S+)", line)
                if not m:
                    raise ValueError(f"{where}: malformed BEGIN line")
                kind, version, name = m.group(1), int(m.group(2)), m.group(3)
                if kind == "HISTO1D" and version in (2, 3):
                    h, in_data, flows = Histogram(name, version), False, {}
                else:
                    other = line.split()[1]
                continue
            if line.startswith("END "):
                if other is not None:
                    if line.split()[1] != other:
                        raise ValueError(f"{where}: END of another object than {other}")
                    other = None
                    continue
                if h is None:
                    raise ValueError(f"{where}: END outside an object")
                if line != f"END YODA_HISTO1D_V{h.version}":
                    raise ValueError(f"{where}: expected END YODA_HISTO1D_V{h.version}")
                if h.version == 2:
                    if "Underflow" not in flows or "Overflow" not in flows:
                        raise ValueError(f"{where}: {h.path} lacks its Underflow or Overflow row")
                    h.rows = [flows["Underflow"]] + h.rows + [flows["Overflow"]]
                    h.total = flows.get("Total")
                if len(h.edges) < 2 or len(h.rows) != len(h.edges) + 1:
                    raise ValueError(f"{where}: {h.path} has {len(h.rows)} rows for {len(h.edges)} edges "
                                     f"(expected edges + 1: underflow, bins, overflow)")
                if any(b <= a for a, b in zip(h.edges, h.edges[1:])):
                    raise ValueError(f"{where}: {h.path}: edges not increasing")
                histograms[h.path] = h
                h = None
                continue
            if h is None:
                if other is None and line.strip():
                    raise ValueError(f"{where}: text outside an object")
                continue
            if not line.strip():
                continue
            if not in_data:
                if line == "---":
                    in_data = True
                elif ":" in line:
                    key, value = line.split(":", 1)
                    h.annotations[key.strip()] = value.strip()
                else:
                    raise ValueError(f"{where}: expected 'key: value' or '---'")
                continue
            if line.startswith("#"):
                m = re.fullmatch(r"#\s*(\w+):\s*(.*)", line)
                if m:
                    h.comments[m.group(1)] = m.group(2)
                continue
            if h.version == 3:
                m = re.fullmatch(r"Edges\(A1\):\s*\[(.*)\]\s*", line)
                if m:
                    h.edges = [float(x) for x in m.group(1).split(",")]
                    continue
                h.rows.append(_row(line.split(), where))
            else:
                fields = line.split()
                if fields[0] in ("Total", "Underflow", "Overflow"):
                    if len(fields) < 2 or fields[1] != fields[0]:
                        raise ValueError(f"{where}: expected '{fields[0]} {fields[0]} ...'")
                    flows[fields[0]] = _row(fields[2:], where)
                    continue
                low, high = float(fields[0]), float(fields[1])
                if not h.edges:
                    h.edges.append(low)
                elif abs(h.edges[-1] - low) > 1e-9 * (1 + abs(low)):
                    raise ValueError(f"{where}: bins not contiguous")
                h.edges.append(high)
                h.rows.append(_row(fields[2:], where))
    if h is not None or other is not None:
        raise ValueError(f"{path}: the last object has no END line")
    return histograms


# The checks of the tests that read these files (shower_means.py, shower_yoda2.py): check()
# collects the failures in problems, report_problems() prints them and exits 1 if any.
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


def report_problems():
    if problems:
        print("\n".join(f"FAIL: {p}" for p in problems))
        sys.exit(1)
