#!/usr/bin/env bash
# A [root] unit case run by another user is a skip (exit 77 with its reason), not a silent pass;
# an ordinary case still runs and passes for that user.
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
echo "a [root] case skips with its reason as uid 65534, and an ordinary case runs and passes"
