#!/usr/bin/env bash
# Runs one libFuzzer binary for a bounded time on a scratch copy of its seed corpus.
# Usage: run_fuzzer.sh FUZZER SEED_CORPUS WORK_DIR [libFuzzer options...]
# Crash inputs land in WORK_DIR/artifacts; the exit status is the fuzzer's.
set -euo pipefail
fuzzer=$1
seeds=$2
work=$3
shift 3

if [ ! -x "$fuzzer" ]; then
    echo "run_fuzzer: $fuzzer is missing: build the fuzzers first (see tests/run-all)" >&2
    exit 1
fi
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp -- "$seeds"/* "$work/corpus/"
exec "$fuzzer" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$@" "$work/corpus"
