#!/usr/bin/env python3
"""Lists every test CTest skipped, with the reason the test gave, and counts what ran.

A skip is not a pass. With --fail-on-unlisted the report fails when a skipped test is not in the
allowlist file, whose lines are "TEST-NAME  REASON" ('#' starts a comment). CI runs as root with
/dev/fuse and every package installed, so the allowlist starts empty.

Usage: report_skips.py JUNIT_XML ALLOWLIST [--fail-on-unlisted]
"""
import sys
import xml.etree.ElementTree as ET

SKIP_MARKERS = ("skipped:", "SKIP:", "skip:")


def reason_of(output):
    lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
    for line in lines:
        for marker in SKIP_MARKERS:
            if marker in line:
                return line[line.index(marker) + len(marker):].strip()
    return lines[-1] if lines else "(the test printed no reason)"


def read_allowlist(path):
    allowed = {}
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            name, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{path}:{number}: an allowed skip needs a reason: {raw.strip()!r}")
            allowed[name] = reason.strip()
    return allowed


def main():
    junit, allowlist = sys.argv[1], sys.argv[2]
    fail_on_unlisted = "--fail-on-unlisted" in sys.argv[3:]
    allowed = read_allowlist(allowlist)
    cases = ET.parse(junit).getroot().iter("testcase")
    total = passed = failed = 0
    skipped = []
    for case in cases:
        total += 1
        status = case.get("status", "")
        output = case.findtext("system-out") or ""
        if case.find("skipped") is not None or status in ("notrun", "disabled"):
            skipped.append((case.get("name"), reason_of(output)))
        elif case.find("failure") is not None or case.find("error") is not None or status == "fail":
            failed += 1
        else:
            passed += 1
    print(f"\n{total} tests: {passed} passed, {failed} failed, {len(skipped)} skipped")
    unlisted = []
    if skipped:
        print("skipped tests (a skip is not a pass):")
    for name, reason in skipped:
        mark = "allowed" if name in allowed else "NOT ALLOWED"
        print(f"  {name}: {reason} [{mark}]")
        if name not in allowed:
            unlisted.append(name)
    if unlisted and fail_on_unlisted:
        print(f"{len(unlisted)} skipped test(s) are not in {allowlist}: CI fails on them")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
