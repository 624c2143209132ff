#!/usr/bin/env bash
# Fixture for the package tests: builds the .deb from this build tree with CPack, into a directory
# of its own, and checks that exactly the expected package file came out.
# Usage: build_deb.sh CPACK CPACK_CONFIG OUT_DIR SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cpack=$1 config=$2 out=$3 src=$4
rm -rf "$out"
mkdir -p "$out"
"$cpack" -G DEB --config "$config" -B "$out" >"$out/cpack.log" 2>&1 ||
    fail "cpack -G DEB failed; its output: $(cat "$out/cpack.log")"

built=$(find "$out" -maxdepth 1 -name '*.deb')
expect_eq "$built" "$(deb_file "$out" "$src")" "package built"
echo "built $built"
