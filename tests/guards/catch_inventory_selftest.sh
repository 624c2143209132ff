#!/usr/bin/env bash
# Proves the inventory guard can fail: registers a fixture whose case name holds ';' with Catch2's
# own discovery script, exactly as the build does, and expects the guard to report the split.
# Usage: catch_inventory_selftest.sh GUARD FIXTURE CATCH_ADD_TESTS_SCRIPT
set -euo pipefail
guard=$1 fixture=$2 add_tests=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Without --warn NoTests a fragment of the name matches nothing and Catch2 exits 0.
"$fixture" "one half" >/dev/null 2>&1 || fail "a fragment without --warn NoTests should pass (exit 0)"
if "$fixture" "one half" --warn NoTests >/dev/null 2>&1; then
    fail "a fragment with --warn NoTests should fail"
fi

cmake -D TEST_EXECUTABLE="$fixture" -D TEST_PREFIX=fixture. -D CTEST_FILE="$work/tests.cmake" \
    -D TEST_LIST=fixture_tests -D TEST_WORKING_DIR="$work" -P "$add_tests" >/dev/null 2>&1
echo "include(\"$work/tests.cmake\")" >"$work/CTestTestfile.cmake"
(cd "$work" && ctest --show-only=json-v1) >"$work/tests.json"
echo "fixture.=$fixture" >"$work/inventory"

set +e
output=$("$guard" "$work/inventory" "$work/tests.json")
status=$?
set -e
echo "$output"
[ "$status" -eq 1 ] || fail "guard exit status $status, want 1"
grep -qF "test case name holds ';' (CTest splits it): 'one half; the other half'" <<<"$output" ||
    fail "guard did not name the ';' case"
grep -qF "case 'one half; the other half' is compiled in but CTest never runs it" <<<"$output" ||
    fail "guard did not report the case CTest never runs"
grep -qF "fixture.one half: a CTest test of $fixture that runs no compiled case" <<<"$output" ||
    fail "guard did not report the first fragment"
grep -qF "fixture. the other half: a CTest test of $fixture that runs no compiled case" <<<"$output" ||
    fail "guard did not report the second fragment"
echo "guard self-test: the ';' case and both fragments were reported"
