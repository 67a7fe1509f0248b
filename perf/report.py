#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Markdown tables and PNG plots from tessera-bench result files.

Usage:
    python3 perf/report.py [--output DIR] [--title TEXT] FILE.json [FILE.json ...]

Writes DIR/README.md (default DIR: perf/report): the inputs, the machine ceilings each run
measured, and per module one table of every benchmark and problem size, the inputs side by
side. Writes DIR/<module>.png: one subplot per benchmark, rate against problem size, one line
per input. Without matplotlib the Markdown is still written and the plots are skipped.

Input (written by tessera-bench; only "results" is required):

    {"label": "H100", "backend": "Cuda", "mode": "full", "kokkos_version": "4.6.1",
     "machine": {"cpu": "...", "cores": 16, "device": "NVIDIA H100 80GB HBM3 (...)"},
     "compiler": "...", "commit": "abc1234", "date": "2026-11-24T13:00:00Z",
     "ceilings": [{"name": "fma_fp64", "unit": "flop/s", "value": 3.2e13, ...}, ...],
     "results": [{"module": "nbody", "benchmark": "hermite_fp64", "unit": "interactions/s",
                  "median": 2.9e11, "min": 2.8e11, "max": 3.0e11, "size": {"n": 16384},
                  "problem_size": 16384, "problem_size_unit": "particles",
                  "ceiling": "fma_fp64", "ceiling_fraction": 0.31, "ceiling_note": "..."}, ...]}

min and max are the slowest and fastest repetitions expressed as rates. Files of the earlier
per-module benchmarks (perf/results/) lack problem_size (the first number in "size" stands in,
else the entry's position among its benchmark's entries) and ceiling_fraction (then
fraction_of_copy_bandwidth or fraction_of_gemm_ceiling stands in). Other keys are ignored.

Exit status 0; 2 with one line on stderr when an input is missing, not JSON or lacks a
"results" list of objects with module, benchmark, unit and a numeric median (nothing is
written then); 1 with one line when DIR cannot be written.
"""

import argparse
import json
import math
import re
import shlex
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

REQUIRED_KEYS = ("module", "benchmark", "unit", "median")
# The earlier per-module benchmarks stored their fraction under these keys, against these ceilings.
LEGACY_FRACTIONS = {"fraction_of_copy_bandwidth": "copy_bandwidth", "fraction_of_gemm_ceiling": "gemm_fp32"}
HOW_TO_READ = (
    "Each figure is the median of repeated timed runs after a warm-up, with device fences around "
    "every run, expressed as a rate (higher is better). Spread (±) = (fastest - slowest) / median. "
    "The fraction is the figure over the named ceiling (copy bandwidth, FMA or GEMM peak) measured "
    "by the same run on the same machine, converted to the benchmark's unit; \"—\" means no "
    "ceiling applies or none was recorded. An empty cell: that input has no such row."
)


class InputError(Exception):
    """An input that cannot be reported on; the message is the one line to print."""


@dataclass
class Point:
    module: str
    benchmark: str
    unit: str
    size: float  # the x coordinate of the plots
    size_text: str  # the row key of the tables, with the size's unit
    size_unit: str
    median: float
    low: float | None  # slowest repetition, as a rate
    high: float | None  # fastest repetition
    ceiling: str | None
    fraction: float | None
    note: str | None


@dataclass
class Run:
    path: str
    meta: dict
    points: list
    label: str = ""
    name: str = ""  # label + backend: the column heading and legend entry


def number(value):
    """value as a float if it is a finite JSON number (not a bool), else None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def json_type(value):
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def plain(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def problem_size(entry, position):
    """(x, row text, unit) of one result, from either generation of the format."""
    x = number(entry.get("problem_size"))
    if x is not None:
        unit = str(entry.get("problem_size_unit") or "")
        return x, f"{plain(x)} {unit}".strip(), unit
    size = entry.get("size") if isinstance(entry.get("size"), dict) else {}
    for key, value in size.items():
        if number(value) is not None:
            return number(value), f"{plain(value)} {key}", key
    # No number at all (e.g. {"lattice": "16x16x16x16"}): the text keeps rows apart across files.
    text = ", ".join(f"{k}={v}" for k, v in size.items()) or f"#{position}"
    return float(position), text, "index"


def ceiling_of(entry):
    """(ceiling name, fraction) or (None, None)."""
    if "ceiling_fraction" in entry:
        fraction = number(entry["ceiling_fraction"])
        return (entry.get("ceiling") or "ceiling", fraction) if fraction is not None else (None, None)
    for key, name in LEGACY_FRACTIONS.items():
        if number(entry.get(key)) is not None:
            return name, number(entry[key])
    return None, None


def parse_point(entry, where, position):
    missing = [k for k in REQUIRED_KEYS if k not in entry]
    if missing:
        raise InputError(f"{where} lacks {', '.join(repr(k) for k in missing)}")
    for key in REQUIRED_KEYS[:3]:
        if not isinstance(entry[key], str) or not entry[key]:
            raise InputError(f"{where}: {key!r} is not a non-empty string")
    median = number(entry["median"])
    if median is None:
        raise InputError(f"{where}: 'median' is not a number")
    size, size_text, size_unit = problem_size(entry, position)
    ceiling, fraction = ceiling_of(entry)
    note = entry.get("ceiling_note") if fraction is None else None
    return Point(str(entry["module"]), str(entry["benchmark"]), str(entry["unit"]), size, size_text, size_unit,
                 median, number(entry.get("min")), number(entry.get("max")), ceiling, fraction,
                 str(note) if note else None)


def load_run(path):
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputError("not JSON: not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise InputError(f"not JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    if not isinstance(data, dict):
        raise InputError(f"not a result file: the top level is {json_type(data)}, expected an object")
    results = data.get("results")
    if not isinstance(results, list):
        found = "missing" if results is None else json_type(results)
        raise InputError(f"not a result file: 'results' is {found}, expected a list of benchmark results")
    if not results:
        raise InputError("'results' is empty")
    points, seen = [], {}
    for i, entry in enumerate(results):
        if not isinstance(entry, dict):
            raise InputError(f"results[{i}] is {json_type(entry)}, expected an object")
        key = (entry.get("module"), entry.get("benchmark"))
        seen[key] = seen.get(key, 0) + 1  # position among this benchmark's entries (1-based)
        points.append(parse_point(entry, f"results[{i}]", seen[key]))
    return Run(str(path), data, points)


def machine_of(meta):
    return meta["machine"] if isinstance(meta.get("machine"), dict) else {}


def derive_label(meta):
    if meta.get("label"):
        return str(meta["label"])
    # "NVIDIA H100 80GB HBM3 (79 GiB, device 0)" -> "H100"; a CPU run reports "host (N threads)".
    device = re.sub(r"\s*\([^()]*\)$", "", str(machine_of(meta).get("device", ""))).strip()
    if not device or device.lower().startswith("host"):
        return "host"
    model = re.search(r"\b(?:MI\d{3}[A-Z]?|G?[A-Z]\d{2,3}[A-Z]?)\b", device)  # H100, GH200, A100, MI250X
    return model.group(0) if model else device.split()[-1]


def name_runs(runs):
    """Labels and names, made unique: several files may come from the same machine and backend."""
    groups = {}
    for run in runs:
        run.label = derive_label(run.meta)
        groups.setdefault((run.label, run.meta.get("backend")), []).append(run)
    for group in (g for g in groups.values() if len(g) > 1):
        by_commit = {}
        for run in group:
            commit = str(run.meta.get("commit") or "")
            run.label = f"{run.label} {commit}".rstrip()
            by_commit.setdefault(commit, []).append(run)
        for same in (s for s in by_commit.values() if len(s) > 1):  # same commit: number them
            for k, run in enumerate(same, 1):
                run.label += f" #{k}"
    for run in runs:
        run.name = f"{run.label} {run.meta.get('backend', '')}".strip()


def sig(x, digits=4):
    """x with about `digits` significant digits, without an exponent (for numbers near 1..9999)."""
    if x == 0:
        return "0"
    return f"{x:.{max(0, digits - 1 - math.floor(math.log10(abs(x))))}f}"


def fmt_rate(x):
    if x != 0 and not 1e-2 <= abs(x) < 1e4:
        mantissa, exponent = f"{x:.2e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return sig(x)


def fmt_pct(fraction):
    percent = 100 * fraction
    return f"{percent:.2g}%" if abs(percent) < 1 else f"{percent:.0f}%"


def fmt_ceiling(value, unit):
    if unit == "bytes/s":
        return f"{sig(value / 1e9)} GB/s"
    if unit == "flop/s":
        return f"{sig(value / 1e12)} TFLOP/s" if value >= 1e12 else f"{sig(value / 1e9)} GFLOP/s"
    return f"{fmt_rate(value)} {unit}"


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header, rows):
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines + [""]


def inputs_section(runs):
    rows = []
    for run in runs:
        m, machine = run.meta, machine_of(run.meta)
        host = f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores; {machine.get('device', '?')}"
        rows.append([run.label, f"`{run.path}`", m.get("backend", "—"), host, m.get("kokkos_version", "—"),
                     m.get("compiler", "—"), m.get("commit", "—"), m.get("date", "—"), m.get("mode", "—")])
    header = ["label", "file", "backend", "machine", "Kokkos", "compiler", "commit", "date", "mode"]
    return ["## Inputs", ""] + table(header, rows)


def ceilings_section(runs):
    values, names = {}, []  # (ceiling name, run index) -> text; names in order of first appearance
    for i, run in enumerate(runs):
        for c in run.meta.get("ceilings") if isinstance(run.meta.get("ceilings"), list) else []:
            if isinstance(c, dict) and number(c.get("value")) is not None and c.get("name"):
                names += [c["name"]] if c["name"] not in names else []
                text = fmt_ceiling(number(c["value"]), c.get("unit", ""))
                # The copy ceiling is the best of several methods: name the one that won.
                values[(c["name"], i)] = f"{text} ({c['method']})" if isinstance(c.get("method"), str) else text
    if not names:
        return ["## Ceilings", "", "None of the inputs recorded machine ceilings.", ""]
    rows = [[n] + [values.get((n, i), "") for i in range(len(runs))] for n in names]
    return ["## Ceilings", ""] + table(["ceiling"] + [r.name for r in runs], rows)


def benchmarks_of(module, runs):
    """The module's benchmarks in the order the harness ran them (first appearance)."""
    return list(dict.fromkeys(p.benchmark for r in runs for p in r.points if p.module == module))


def point_cells(p, notes):
    """The two cells of one result: median with spread, and the ceiling fraction (or a note)."""
    spread = f" ±{fmt_pct((p.high - p.low) / p.median)}" if None not in (p.low, p.high) and p.median else ""
    if p.fraction is not None:
        fraction = f"{fmt_pct(p.fraction)} of {p.ceiling}"
    elif p.note:  # numbered: the same note on every row would drown the table
        fraction = f"— (note {notes.setdefault(p.note, len(notes) + 1)})"
    else:
        fraction = "—"
    return [fmt_rate(p.median) + spread, fraction]


def module_section(module, runs, plotted):
    lines = [f"## {module}", ""] + ([f"![{module}]({plotted})", ""] if plotted else [])
    # Columns only for the inputs that ran this module: files of other modules would add empty columns.
    present = [run for run in runs if any(p.module == module for p in run.points)]
    order = {b: k for k, b in enumerate(benchmarks_of(module, runs))}
    rows, cells, notes = {}, {}, {}  # row key -> (sort key, unit); (row key, column) -> cells; note -> number
    for column, run in enumerate(present):
        for p in (p for p in run.points if p.module == module):
            key = (p.benchmark, p.size_text)
            rows.setdefault(key, ((order[p.benchmark], p.size), p.unit))
            cells[(key, column)] = point_cells(p, notes)
    header = ["benchmark", "problem size", "unit"] + [h for run in present for h in (run.name, "of ceiling")]
    body = []
    for key, (_, unit) in sorted(rows.items(), key=lambda item: item[1][0]):
        body.append([*key, unit] + [c for column in range(len(present)) for c in cells.get((key, column), ["", ""])])
    lines += table(header, body)
    for text, n in notes.items():
        lines += [f"Note {n}: {text}", ""]
    return lines


def plot_benchmark(ax, module, benchmark, runs):
    xs, ys, handles = [], [], []  # handles: each input's line, then its ceiling, in input order
    for i, run in enumerate(runs):
        points = sorted((p for p in run.points if (p.module, p.benchmark) == (module, benchmark)),
                        key=lambda p: p.size)
        if not points:
            continue
        color = f"C{i % 10}"  # one colour per input across every subplot and figure
        x, y = [p.size for p in points], [p.median for p in points]
        below = [p.median - p.low if p.low is not None else 0 for p in points]
        above = [p.high - p.median if p.high is not None else 0 for p in points]
        handles.append(ax.errorbar(x, y, yerr=[[max(0, b) for b in below], [max(0, a) for a in above]],
                                   color=color, marker="o", markersize=4, capsize=3, label=run.name))
        xs, ys = xs + x, ys + y
        # median / fraction is the ceiling in this benchmark's unit; the factor is the same at every size.
        with_ceiling = [p for p in points if p.fraction is not None and p.fraction > 0]
        if with_ceiling:
            level = statistics.median(p.median / p.fraction for p in with_ceiling)
            handles.append(ax.axhline(level, color=color, linestyle="--", linewidth=1,
                                      label=f"{run.label} {with_ceiling[0].ceiling}"))
            ys.append(level)
    if min(xs) > 0 and max(xs) / min(xs) > 8:
        ax.set_xscale("log")
    if min(ys) > 0:
        ax.set_yscale("log")
    first = next(p for r in runs for p in r.points if (p.module, p.benchmark) == (module, benchmark))
    if len(set(xs)) == 1:  # one size: one labelled tick instead of an arbitrary linear range around it
        ax.set_xticks([xs[0]], [first.size_text])
    ax.set_title(benchmark, fontsize=10)
    ax.set_xlabel(first.size_unit, fontsize=9)
    ax.set_ylabel(first.unit, fontsize=9)
    ax.grid(True, alpha=0.3)
    ax.legend(handles=handles, fontsize="x-small")


def plot_module(plt, module, runs, path):
    benchmarks = benchmarks_of(module, runs)
    ncols = min(3, len(benchmarks))
    nrows = math.ceil(len(benchmarks) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.2 * ncols, 3.9 * nrows), squeeze=False)
    axes = list(axes.flat)
    for ax, benchmark in zip(axes, benchmarks, strict=False):
        plot_benchmark(ax, module, benchmark, runs)
    for ax in axes[len(benchmarks):]:
        ax.set_visible(False)
    fig.suptitle(module)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def import_pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def write_report(runs, args, plt):
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    command = " ".join(shlex.quote(a) for a in ["python3", "perf/report.py", *args.files])
    lines = [f"# {args.title}", "", f"Produced by `{command}`.", ""] + inputs_section(runs) + ceilings_section(runs)
    for module in sorted({p.module for r in runs for p in r.points}):
        png = re.sub(r"[^A-Za-z0-9_.-]", "_", module) + ".png"  # module names become file names
        if plt is not None:
            plot_module(plt, module, runs, out / png)
        lines += module_section(module, runs, png if plt is not None else None)
    lines += ["## How to read this", "", HOW_TO_READ, ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description="Markdown + PNG report from tessera-bench result files.")
    parser.add_argument("--output", default="perf/report", help="output folder (default: perf/report)")
    parser.add_argument("--title", default="Tessera performance report")
    parser.add_argument("files", nargs="+", metavar="FILE.json")
    args = parser.parse_args(argv)
    # Read every input before writing anything: a bad file leaves no half-written report.
    runs = []
    for path in args.files:
        try:
            runs.append(load_run(path))
        except InputError as e:
            print(f"report: {path}: {e}", file=sys.stderr)
            return 2
    name_runs(runs)
    plt = import_pyplot()
    if plt is None:
        print("report: matplotlib not installed: plots skipped", file=sys.stderr)
    try:
        write_report(runs, args, plt)
    except OSError as e:
        print(f"report: {args.output}: cannot write: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
