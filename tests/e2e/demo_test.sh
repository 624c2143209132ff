#!/usr/bin/env bash
# The README's first command as a test: tests/e2e/demo with the binary this build made
# (--no-build), checked line by line where it states a fact: who owns what on each side, and the
# EOVERFLOW for an id the second container's map cannot express.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/common.sh
source "$here/lib/common.sh"
e2e_require_root_and_fuse
e2e_require_crun

status=0
output=$("$here/demo" --no-build 2>&1) || status=$?
if ((status != 0)); then
    printf '%s\n' "$output" >&2
    e2e_fail "the demo exited with status $status"
fi
expect_line() {
    grep -qxF -- "$1" <<<"$output" || {
        printf '%s\n' "$output" >&2
        e2e_fail "the demo did not print the line: $1"
    }
}
expect_line "   notes.txt   app:shared 1000:3000    app:shared 2000:4000         10000:20000"
expect_line "   alice.txt   alice:alice 1500:1500   nobody:nogroup 65534:65534   11500:11500"
expect_line "    chown: /vol/notes.txt: Value too large for defined data type"
[[ $(grep -c '^== cleaning up' <<<"$output") == 1 ]] || e2e_fail "the demo did not clean up"
echo "demo: owners, names and the refused chown as the README shows them"
