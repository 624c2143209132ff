#!/usr/bin/env bash
# A [root] unit case run by another user is a skip (exit 77 with its reason), not a silent pass;
# an ordinary case still runs and passes for that user; and the whole binary run by that user
# passes, so every case that needs root is tagged [root] (an untagged one fails here).
# Usage: root_cases_skip.sh UNIT_BINARY ROOT_CASE ORDINARY_CASE
set -uo pipefail
binary=$1 root_case=$2 ordinary_case=$3
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }

output=$(cd / && as_nobody "$binary" "$root_case" 2>&1)
status=$?
if [ "$status" -ne 77 ]; then
    echo "FAIL: [root] case as uid 65534 exited $status, want 77: $output" >&2
    exit 1
fi
grep -qF "skipped: this test case switches credentials and needs root" <<<"$output" || {
    echo "FAIL: the skip gave no reason: $output" >&2
    exit 1
}
output=$(cd / && as_nobody "$binary" "$ordinary_case" --warn NoTests 2>&1)
status=$?
if [ "$status" -ne 0 ]; then
    echo "FAIL: ordinary case as uid 65534 exited $status, want 0: $output" >&2
    exit 1
fi
output=$(cd / && as_nobody "$binary" 2>&1)
status=$?
if [ "$status" -ne 0 ]; then
    echo "FAIL: the whole binary as uid 65534 exited $status, want 0 (a case that needs root" \
        "is not tagged [root]?):" >&2
    grep -E "FAILED|failed:|^/.*:[0-9]+: " <<<"$output" >&2
    exit 1
fi
grep -qE "^not root: leaving out [0-9]+ test case\(s\) tagged \[root\]$" <<<"$output" || {
    echo "FAIL: the whole binary as uid 65534 did not name the [root] cases it left out" >&2
    exit 1
}
echo "a [root] case skips with its reason as uid 65534, an ordinary case runs and passes, and" \
    "the whole binary passes as uid 65534 without its [root] cases"
