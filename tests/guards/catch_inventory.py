#!/usr/bin/env python3
"""Every Catch2 test case compiled in is one CTest test, and every such CTest test runs one case.

catch_discover_tests turns the list of case names into a CMake list, so a name holding ';' becomes
two CTest tests that each run a fragment of the name, match nothing, and pass. This guard lists the
cases each binary holds, reads what CTest registered (ctest --show-only=json-v1), and fails on a
name with ';', on a case CTest does not run, on a CTest test that runs no case, and on one run
without --warn NoTests.

Usage: catch_inventory.py INVENTORY CTEST_JSON
  INVENTORY: lines "PREFIX=BINARY"; CTEST_JSON: a file, or '-' to ask ctest in the working directory.
"""
import json
import subprocess
import sys


def listed_cases(binary):
    # Catch2 v2 exits with the number of cases listed, so the status says nothing here.
    out = subprocess.run([binary, "--list-test-names-only"], check=False, capture_output=True,
                         text=True).stdout
    return [line for line in out.split("\n") if line]


def unescape(arg):
    # CatchAddTests escapes ',', '[' and ']' in the name it passes to the binary.
    for char in ",[]":
        arg = arg.replace("\\" + char, char)
    return arg


def registered_tests(ctest_json):
    tests = {}
    for test in ctest_json["tests"]:
        command = test.get("command") or []
        tests[test["name"]] = command
    return tests


def main():
    inventory_path, json_path = sys.argv[1], sys.argv[2]
    if json_path == "-":
        text = subprocess.run(["ctest", "--show-only=json-v1"], check=True, capture_output=True,
                              text=True).stdout
    else:
        with open(json_path, encoding="utf-8") as f:
            text = f.read()
    registered = registered_tests(json.loads(text))
    problems = []
    compiled_total = 0
    with open(inventory_path, encoding="utf-8") as f:
        entries = [line.strip().split("=", 1) for line in f if line.strip()]
    # A binary may be registered under several prefixes (the kernel-backend variants).
    prefixes_of = {}
    for prefix, binary in entries:
        prefixes_of.setdefault(binary, []).append(prefix)
    for binary, prefixes in prefixes_of.items():
        cases = listed_cases(binary)
        compiled_total += len(cases)
        for case in cases:
            if ";" in case:
                problems.append(f"{binary}: test case name holds ';' (CTest splits it): {case!r}")
        ran = {name: command for name, command in registered.items()
               if command and command[0] == binary}
        expected = {prefix + case: case for prefix in prefixes for case in cases}
        for name, case in expected.items():
            command = ran.get(name)
            if command is None:
                problems.append(f"{binary}: case {case!r} is compiled in but CTest never runs it "
                                f"as {name!r}")
                continue
            if len(command) < 2 or unescape(command[1]) != case:
                problems.append(f"{name}: CTest runs {command[1:2]!r}, not the case {case!r}")
            if "--warn" not in command or "NoTests" not in command:
                problems.append(f"{name}: runs without --warn NoTests, so matching nothing passes")
        for name in sorted(set(ran) - set(expected)):
            problems.append(f"{name}: a CTest test of {binary} that runs no compiled case")
        print(f"{binary}: {len(cases)} cases compiled, {len(ran)} CTest tests "
              f"({', '.join(p + '*' for p in prefixes)})")
    for problem in problems:
        print("FAIL", problem)
    print(f"{compiled_total} Catch2 cases in {len(prefixes_of)} binaries, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
