#!/usr/bin/env bash
# lintian, Debian's package checker, finds no error and no warning in the package. The one
# warning allowed is initial-upload-closes-no-bugs: it asks the first Debian upload of a package
# to close its "intent to package" bug, and this package is not uploaded to Debian.
# Usage: deb_lintian.sh DEB_DIR SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command -v lintian >/dev/null ||
    skip "lintian is not installed (packaging/install-deps installs it)"
deb=$(deb_file "$1" "$2")
status=0
out=$(lintian --fail-on error,warning --suppress-tags initial-upload-closes-no-bugs "$deb" 2>&1) ||
    status=$?
# Run as root, lintian says so first; that is not about the package.
out=$(grep -vx 'running with root privileges is not recommended!' <<<"$out" || true)
[ "$status" -eq 0 ] || fail "lintian $(basename "$deb") (exit $status): $out"
echo "ok: lintian finds no errors or warnings${out:+; it notes: $out}"
