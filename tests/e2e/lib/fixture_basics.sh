# shellcheck shell=bash
# What the storage fixtures (lib/sshd.sh, tests/storage/lib/gluster.sh) need of their user, with no
# exit traps: failing, waiting for readiness, stopping a job, and the cleanup stack they push onto.
# lib/common.sh runs the stack at exit; perf/run runs it in its own cleanup.

e2e_fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# e2e_wait_until WHAT CMD...: polls CMD for up to 20 s; a readiness wait, never an assertion.
e2e_wait_until() {
    local what=$1 try
    shift
    for ((try = 0; try < 200; try++)); do
        "$@" && return 0
        sleep 0.1
    done
    e2e_fail "gave up waiting for $what"
}

# e2e_stop_process PID: stops a background job of this script (if still running) and reaps it.
e2e_stop_process() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# --- cleanup stack: e2e_defer CMD ARGS... runs at exit, last deferred first ---------------------
E2E_CLEANUPS=()
e2e_defer() {
    local cmd
    printf -v cmd '%q ' "$@"
    E2E_CLEANUPS+=("$cmd")
}
