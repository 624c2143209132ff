#!/usr/bin/env python3
"""Prints the table of a perf/run results directory and writes it there as table.txt, with the
numbers as summary.json.

Usage: report.py RESULTS_DIR
"""

import json
import os
import statistics
import sys

from results import CELLS, UNITS, load_run, speed_ratio

BINDFS_REFERENCES = ("bindfs", "bindfs-mt")
IDSHIFT_NAMES = ("idshift", "idshift-nopt")
FIO_CELLS = [cell for cell, unit, _ in CELLS if unit != "s"]


def format_value(unit, value):
    if unit == "s":
        return f"{value:.3f}"
    return f"{value:,.0f}"


def format_ratio(ratio):
    return "" if ratio is None else f"{ratio:.2f}x"


def cell_text(run, cell, unit, name, native):
    result = run.result(cell, name)
    if not result.ok:
        return "failed" if result.status.startswith("failed") else "-"
    text = format_value(unit, result.value)
    if name != "native" and native.ok:
        text += f" {format_ratio(speed_ratio(cell, result, native)):>6}"
    return text


def bindfs_reference(run):
    return next((name for name in BINDFS_REFERENCES if name in run.contenders), None)


def render_table(header, rows, text_columns=2):
    """Left-aligns the first `text_columns` columns and right-aligns the numbers after them."""
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]

    def line(row):
        cells = [
            text.ljust(widths[i]) if i < text_columns else text.rjust(widths[i])
            for i, text in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return [line(header)] + [line(row) for row in rows]


def main_table(run):
    names = run.names()
    reference = bindfs_reference(run)
    versus = [name for name in IDSHIFT_NAMES if name in names and reference]
    header = ["workload", "unit"] + names + [f"{name}/{reference}" for name in versus]
    rows = []
    for cell, unit, _ in CELLS:
        native = run.result(cell, "native")
        row = [cell, unit] + [cell_text(run, cell, unit, name, native) for name in names]
        ref = run.result(cell, reference) if reference else None
        row += [format_ratio(speed_ratio(cell, run.result(cell, name), ref)) for name in versus]
        rows.append(row)
    return render_table(header, rows)


def p99_table(run):
    names = run.names()
    rows = []
    for cell in FIO_CELLS:
        values = [run.result(cell, name) for name in names]
        rows.append([cell, "us"] + [f"{r.p99_us:,.0f}" if r.ok and r.p99_us else "-" for r in values])
    return render_table(["workload", "unit"] + names, rows)


def cpu_table(run):
    names = [name for name in run.names() if name != "native"]
    if not names:
        return []
    rows = []
    for cell, _, _ in CELLS:
        values = [run.result(cell, name).daemon_cpu_s for name in names]
        rows.append([cell, "s"] + ["-" if cpu is None else f"{cpu:.2f}" for cpu in values])
    return render_table(["workload", "unit"] + names, rows)


def worst(run, name, cells, reference):
    """The lowest speed ratio of `name` to `reference` over `cells`, with its cell."""
    ratios = []
    for cell in cells:
        ratio = speed_ratio(cell, run.result(cell, name), run.result(cell, reference))
        ratios.append((ratio, cell))
    if not ratios or any(ratio is None for ratio, _ in ratios):
        return None, None
    return min(ratios)


def target_lines(run):
    """The issue's targets, each checked against this run: met, missed, or n/a (missing data)."""
    reference = bindfs_reference(run) or "bindfs"
    all_cells = [cell for cell, _, _ in CELLS]
    targets = (
        ("idshift", FIO_CELLS, "native", 0.9, "seq/random read/write >= 0.9x native"),
        ("idshift", ["meta-stat"], "native", 0.5, "stat of cached files >= 0.5x native"),
        ("idshift", ["meta-create", "meta-unlink", "untar"], reference, 2.0,
         f"create/unlink/untar >= 2x {reference}"),
        ("idshift-nopt", all_cells, reference, 1.0, f"passthrough=off ahead of {reference} everywhere"),
    )
    lines = []
    for name, cells, against, floor, label in targets:
        ratio, cell = worst(run, name, cells, against)
        if ratio is None:
            verdict, detail = "n/a", f"needs {name} and {against} results"
        else:
            met = ratio > floor if floor == 1.0 else ratio >= floor
            verdict, detail = ("met" if met else "MISSED"), f"worst {ratio:.2f}x ({cell})"
        lines.append(f"  [{verdict:>6}] {label}: {detail}")
    return lines


def failure_lines(run):
    lines = []
    for name, record in run.contenders.items():
        if record["status"] != "ok":
            log = f" (log: {record['log']})" if record.get("log") else ""
            lines.append(f"  {name}: {record['reason']}{log}")
    for (cell, name), result in run.results.items():
        if result.status != "ok":
            lines.append(f"  {cell} on {name}: {result.status}")
    return lines


def describe(info):
    mode = "quick" if info.get("quick") else "full"
    reps = info.get("reps", 1)
    medians = f", medians of {reps} repetitions" if reps > 1 else ""
    return (
        f"idshift perf, {mode} run{medians}, {info['started']}, git {info['git']}\n"
        f"machine: {info['cpus']} CPUs (the FUSE daemons share them with the workload), "
        f"{info['mem_gib']} GiB RAM, load average {info.get('load_at_start', '?')} at start, "
        f"kernel {info['kernel']}, {info['fio']}, {info['bindfs']}\n"
        f"fio: psync, buffered, {info['runtime_s']} s per job, {info['file_bytes'] / 2**20:.0f} MiB "
        f"per job file, page cache primed before reads; meta: {info['meta_files']} files in "
        f"{info['meta_dirs']} dirs, stat x{info['stat_passes']}; tree: {info['tree_files']} files "
        f"in {info['tree_dirs']} dirs; only find-cold starts with dropped caches\n"
        f"storage: {info.get('storage', 'scratch ext4 image')} "
        f"({info.get('storage_fstype') or 'ext4'}); native is that storage alone"
    )


def load_line(loads, cpus):
    if not loads:
        return "load average before each workload: not recorded"
    median = statistics.median(loads)
    warning = " (above the CPU count: other processes competed for the CPUs)" if median > cpus else ""
    return (
        f"load average (1 min) before each workload: median {median:.1f}, max {max(loads):.1f}"
        + warning
    )


def report(run):
    sections = [
        describe(run.info),
        load_line(run.loads, run.info['cpus']),
        "\nResults (value, then speed relative to native: above 1.00x is faster than native; "
        "the last columns are speed relative to bindfs)",
        *main_table(run),
        "\nfio p99 completion latency",
        *p99_table(run),
        "\nFUSE daemon CPU time (utime + stime from /proc/PID/stat) during each workload",
        *cpu_table(run),
        "\nTargets",
        *target_lines(run),
    ]
    failures = failure_lines(run)
    if failures:
        sections += ["\nFailures", *failures]
    return "\n".join(sections) + "\n"


def summary(run):
    cells = []
    for (cell, name), result in run.results.items():
        native = run.result(cell, "native")
        cells.append({
            "cell": cell,
            "contender": name,
            "status": result.status,
            "value": result.value,
            "unit": UNITS.get(cell),
            "p99_us": result.p99_us,
            "daemon_cpu_s": result.daemon_cpu_s,
            "reps": list(result.reps),
            "speed_vs_native": speed_ratio(cell, result, native),
        })
    return {"run": run.info, "contenders": run.contenders, "cells": cells}


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    run = load_run(argv[1])
    text = report(run)
    with open(os.path.join(argv[1], "table.txt"), "w", encoding="utf-8") as table:
        table.write(text)
    with open(os.path.join(argv[1], "summary.json"), "w", encoding="utf-8") as numbers:
        json.dump(summary(run), numbers, indent=1)
        numbers.write("\n")
    sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
