"""Reads the results directory that perf/run writes, for report.py and compare.py.

Layout of a results directory:
  run.json          the run's settings and machine (one object)
  contenders.jsonl  one line per contender state change; the last line per name counts
  cells.jsonl       one line per cell (a workload on a contender in one repetition): status, raw
                    path, daemon CPU seconds, load average before it
  raw/CELL/NAME.rREP.json  fio's JSON output, or {"seconds": ...} (timed steps and metabench)
"""

import json
import os
import statistics
from dataclasses import dataclass

# Every cell in table order: (cell, unit, what it measures). Units ending in "/s" and IOPS are
# higher-is-better; "s" is lower-is-better.
CELLS = (
    ("seq-read.j1", "MiB/s", "fio sequential read, 1 MiB blocks, 1 job"),
    ("seq-read.j2", "MiB/s", "fio sequential read, 1 MiB blocks, 2 jobs"),
    ("rand-read.j1", "IOPS", "fio random read, 4 KiB blocks, 1 job"),
    ("rand-read.j2", "IOPS", "fio random read, 4 KiB blocks, 2 jobs"),
    ("seq-write.j1", "MiB/s", "fio sequential write, 1 MiB blocks, 1 job"),
    ("seq-write.j2", "MiB/s", "fio sequential write, 1 MiB blocks, 2 jobs"),
    ("rand-write.j1", "IOPS", "fio random write, 4 KiB blocks, 1 job"),
    ("rand-write.j2", "IOPS", "fio random write, 4 KiB blocks, 2 jobs"),
    ("meta-create", "s", "mkdir + create and write 256 bytes to each small file"),
    ("meta-stat", "s", "fstatat every small file, several passes, all cached"),
    ("meta-unlink", "s", "unlink every small file, rmdir the directories"),
    ("untar", "s", "tar -xf of the generated tree (owners kept, so chown runs too)"),
    ("find", "s", "find -ls over the unpacked tree, warm"),
    ("find-cold", "s", "find -ls over the unpacked tree after dropping all caches"),
    ("rm-tree", "s", "rm -rf of the unpacked tree"),
)
UNITS = {cell: unit for cell, unit, _ in CELLS}


@dataclass
class Result:
    """One cell on one contender: the median over its repetitions, or why there is none."""

    status: str
    value: float | None = None
    p99_us: float | None = None
    daemon_cpu_s: float | None = None
    reps: tuple = ()  # every repetition's value, in run order

    @property
    def ok(self):
        return self.status == "ok" and self.value is not None


def median_or_none(values):
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def combine(repetitions):
    """Folds the repetitions of a cell into one Result: medians over the repetitions that worked;
    the first failure's status if none did."""
    good = [rep for rep in repetitions if rep.ok]
    if not good:
        return repetitions[0]
    return Result(
        "ok",
        median_or_none([rep.value for rep in good]),
        median_or_none([rep.p99_us for rep in good]),
        median_or_none([rep.daemon_cpu_s for rep in good]),
        tuple(rep.value for rep in repetitions),
    )


@dataclass
class Run:
    path: str
    info: dict
    contenders: dict  # name -> last state record
    results: dict  # (cell, name) -> Result
    loads: list  # the 1-minute load average before each cell

    def names(self):
        """Contender names in the order perf/run started them."""
        return list(self.contenders)

    def result(self, cell, name):
        return self.results.get((cell, name), Result("not run"))


def read_jsonl(path):
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def fio_metric(cell, raw):
    """Returns (value, p99 µs) from fio's JSON: MiB/s for sequential jobs, IOPS for random ones."""
    job = raw["jobs"][0]  # group_reporting folds all jobs of a run into the first
    side = job["read" if "read" in cell else "write"]
    value = side["iops"] if UNITS[cell] == "IOPS" else side["bw_bytes"] / 2**20
    p99_ns = side["clat_ns"].get("percentile", {}).get("99.000000")
    return value, (p99_ns / 1000 if p99_ns is not None else None)


def load_result(run_dir, record):
    status = record["status"]
    cpu = record.get("daemon_cpu_s")
    if status != "ok":
        return Result(status, daemon_cpu_s=cpu)
    try:
        with open(os.path.join(run_dir, record["raw"]), encoding="utf-8") as raw_file:
            raw = json.load(raw_file)
    except (OSError, ValueError) as error:
        return Result(f"unreadable result: {error}", daemon_cpu_s=cpu)
    if "jobs" in raw:
        value, p99 = fio_metric(record["cell"], raw)
        return Result(status, value, p99, cpu)
    return Result(status, raw["seconds"], None, cpu)


def load_run(run_dir):
    with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as info_file:
        info = json.load(info_file)
    contenders = {}
    for record in read_jsonl(os.path.join(run_dir, "contenders.jsonl")):
        contenders[record["name"]] = record
    repetitions = {}
    loads = []
    for record in read_jsonl(os.path.join(run_dir, "cells.jsonl")):
        if record.get("load_before") is not None:
            loads.append(record["load_before"])
        key = (record["cell"], record["contender"])
        repetitions.setdefault(key, []).append(load_result(run_dir, record))
    results = {key: combine(reps) for key, reps in repetitions.items()}
    return Run(run_dir, info, contenders, results, loads)


def speed_ratio(cell, result, reference):
    """How many times faster `result` is than `reference` (1.0 = as fast, 0.5 = half as fast)."""
    if not (result.ok and reference.ok) or result.value <= 0 or reference.value <= 0:
        return None
    if UNITS[cell] == "s":
        return reference.value / result.value
    return result.value / reference.value
