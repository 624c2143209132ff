#!/usr/bin/env python3
"""Compares two perf/run results directories cell by cell: each contender's value in both runs
and the speed change (above 1.00x: the newer run is faster).

Usage: compare.py OLD_RESULTS_DIR NEW_RESULTS_DIR
"""

import sys

from report import format_ratio, format_value, render_table
from results import CELLS, load_run, speed_ratio


def comparison_rows(old, new):
    names = [name for name in new.names() if name in old.contenders]
    rows = []
    for cell, unit, _ in CELLS:
        for name in names:
            before, after = old.result(cell, name), new.result(cell, name)
            if not (before.ok or after.ok):
                continue
            rows.append([
                cell,
                unit,
                name,
                format_value(unit, before.value) if before.ok else before.status,
                format_value(unit, after.value) if after.ok else after.status,
                format_ratio(speed_ratio(cell, after, before)) or "-",
            ])
    return rows


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    old, new = load_run(argv[1]), load_run(argv[2])
    print(f"old: {argv[1]} ({old.info['started']}, git {old.info['git']})")
    print(f"new: {argv[2]} ({new.info['started']}, git {new.info['git']})")
    header = ["workload", "unit", "contender", "old", "new", "new/old"]
    print("\n".join(render_table(header, comparison_rows(old, new), text_columns=3)))


if __name__ == "__main__":
    main(sys.argv)
