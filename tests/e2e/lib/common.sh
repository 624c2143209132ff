# shellcheck shell=bash
# Shared by every end-to-end scenario: skipping, assertions, a cleanup stack that runs on any
# exit, a private temporary directory, and idshift mounts that are always unmounted again.
# Source it from a script that runs under `set -euo pipefail`.

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E_DATA=$E2E_DIR/data
E2E_REPO=$(cd "$E2E_DIR/../.." && pwd)

# shellcheck source=fixture_basics.sh
source "$E2E_DIR/lib/fixture_basics.sh"
e2e_log() { printf '== %s\n' "$*"; }
e2e_note() { printf '   %s\n' "$*"; }
e2e_skip() {
    printf 'SKIP: %s\n' "$*"
    exit 77
}

# The three things the end-to-end suite may skip for; anything else missing is a failure.
e2e_require_root_and_fuse() {
    [[ $(id -u) == 0 ]] || e2e_skip "needs root (mounts, loop devices, containers)"
    [[ -c /dev/fuse ]] || e2e_skip "needs /dev/fuse"
    { : <>/dev/fuse; } 2>/dev/null || e2e_skip "/dev/fuse cannot be opened here"
}
e2e_require_crun() {
    command -v crun >/dev/null || e2e_skip "needs crun (packaging/install-deps installs it)"
}
e2e_require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || e2e_fail "$tool is missing: run packaging/install-deps"
    done
}

# Finds the idshift binary: $IDSHIFT_BIN (CTest sets it), else the newest local build.
e2e_find_idshift() {
    if [[ -z ${IDSHIFT_BIN:-} ]]; then
        local candidate
        for candidate in "$E2E_REPO"/build/*/src/idshift; do
            [[ -x $candidate && $candidate -nt ${IDSHIFT_BIN:-/} ]] && IDSHIFT_BIN=$candidate
        done
    fi
    [[ -n ${IDSHIFT_BIN:-} && -x $IDSHIFT_BIN ]] || e2e_fail "no idshift binary: set IDSHIFT_BIN"
    export IDSHIFT_BIN
}

# --- assertions: each prints what it proved, or fails the scenario with both values ------------
e2e_expect_eq() {
    local what=$1 expected=$2 actual=$3
    if [[ $actual != "$expected" ]]; then
        printf 'FAIL: %s\n  expected: %s\n  actual:   %s\n' "$what" "$expected" "$actual" >&2
        exit 1
    fi
    printf '   ok  %-58s %s\n' "$what" "${expected//$'\n'/ | }"
}

# e2e_expect_error WHAT EXPECTED_OUTPUT CMD...: CMD must fail and print exactly EXPECTED_OUTPUT
# (stdout and stderr together).
e2e_expect_error() {
    local what=$1 expected=$2 output rc=0
    shift 2
    output=$("$@" 2>&1) || rc=$?
    ((rc != 0)) || e2e_fail "$what: succeeded, expected failure '$expected' (output: $output)"
    e2e_expect_eq "$what" "$expected" "$output"
}

# "uid:gid" of a path as this (host) process sees it: on the storage, or through a mount.
e2e_ids() { stat -c '%u:%g' "$1"; }

# Runs the cleanup stack of lib/fixture_basics.sh at exit, last deferred first.
e2e_run_cleanups() {
    local status=$? i failed=0
    for ((i = ${#E2E_CLEANUPS[@]} - 1; i >= 0; i--)); do
        if ! eval "${E2E_CLEANUPS[i]}"; then
            printf 'cleanup failed: %s\n' "${E2E_CLEANUPS[i]}" >&2
            failed=1
        fi
    done
    E2E_CLEANUPS=()
    # A scenario that passed but left something behind has not passed.
    if ((failed && status == 0)); then exit 1; fi
}
trap 'e2e_run_cleanups' EXIT
trap 'exit 130' INT TERM

# A private scratch directory, removed at exit. It is only removed once nothing is mounted below
# it, so a failed unmount can never make `rm` walk into a live mount.
e2e_make_tmp() {
    E2E_TMP=$(mktemp -d "/tmp/idshift-e2e.${1:-run}.XXXXXX")
    chmod 755 "$E2E_TMP"
    e2e_defer e2e_remove_tmp "$E2E_TMP"
}
e2e_mounts_below() { awk -v dir="$1/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo; }
e2e_remove_tmp() {
    local left
    left=$(e2e_mounts_below "$1")
    if [[ -n $left ]]; then
        printf 'cleanup: still mounted, %s kept:\n%s\n' "$1" "$left" >&2
        return 1
    fi
    rm -rf --one-file-system "$1"
}

# --- idshift mounts ---------------------------------------------------------------------------
# The backend every mount of a scenario uses: fuse unless the scenario is registered to run on the
# kernel backend too (IDSHIFT_TEST_BACKEND=kernel). Pinned, never auto: with auto, a FUSE-only
# check would quietly run against the kernel backend on storage that supports idmapped mounts.
E2E_BACKEND=${IDSHIFT_TEST_BACKEND:-fuse}
e2e_is_idshift_mount() { [[ $(findmnt -rno FSTYPE --mountpoint "$1" 2>/dev/null) == fuse.idshift ]]; }
# A kernel-backend mount is an idmapped bind mount: the kernel lists it with "idmapped".
e2e_is_kernel_mount() { findmnt -rno VFS-OPTIONS --mountpoint "$1" 2>/dev/null | grep -qw idmapped; }

# e2e_idshift_mount SRC MNT MAP [OPTIONS]: runs `idshift SRC MNT -f -o map=MAP,OPTIONS` in the
# background (log in MNT.log, pid in MNT.pid), waits for the mount, and defers its unmount.
# OPTIONS without a backend= get backend=$E2E_BACKEND. On the kernel backend idshift exits once
# the idmapped mount is attached: it must exit 0, and the unmount is a plain umount.
e2e_idshift_mount() {
    local src=$1 mnt=$2 map=$3 options=${4:-cache=none}
    [[ ,$options, == *,backend=* ]] || options=${options:+$options,}backend=$E2E_BACKEND
    mkdir -p "$mnt"
    if [[ ,$options, == *,backend=kernel,* ]]; then
        "$IDSHIFT_BIN" "$src" "$mnt" -f -o "map=$map,$options" >"$mnt.log" 2>&1 || {
            cat "$mnt.log" >&2
            e2e_fail "idshift (kernel backend) mount of $src on $mnt"
        }
        e2e_defer e2e_kernel_unmount "$mnt"
        e2e_is_kernel_mount "$mnt" || e2e_fail "$mnt is not an idmapped mount after idshift exited"
        return 0
    fi
    "$IDSHIFT_BIN" "$src" "$mnt" -f -o "map=$map${options:+,$options}" >"$mnt.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$mnt.pid"
    e2e_defer e2e_idshift_unmount "$mnt" "$pid"
    local try
    for ((try = 0; try < 200; try++)); do
        e2e_is_idshift_mount "$mnt" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    printf 'idshift %s did not mount; its log:\n' "$mnt" >&2
    cat "$mnt.log" >&2
    e2e_fail "idshift mount of $src on $mnt"
}

# Unmounts and waits (bounded) for the daemon to exit. A daemon that exits with an error or whose
# log shows a sanitizer report fails the scenario; one that hangs is killed and the mount detached.
e2e_idshift_unmount() {
    local mnt=$1 pid=$2 try status=0
    if e2e_is_idshift_mount "$mnt"; then
        umount "$mnt" 2>/dev/null || fusermount3 -u "$mnt" || true
    fi
    for ((try = 0; try < 100; try++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        printf 'cleanup: idshift on %s did not exit after unmount; killing it\n' "$mnt" >&2
        kill -KILL "$pid" 2>/dev/null || true
        e2e_is_idshift_mount "$mnt" && umount -l "$mnt"
        return 1
    fi
    wait "$pid" || status=$?
    if ((status != 0)) || grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' \
        "$mnt.log"; then
        printf 'cleanup: idshift on %s: exit status %s, or a sanitizer report; its log:\n' \
            "$mnt" "$status" >&2
        cat "$mnt.log" >&2
        return 1
    fi
}

# Detaches every kernel-backend mount stacked on MNT, then fails on a sanitizer report in the log
# of the idshift that made it.
e2e_kernel_unmount() {
    local mnt=$1
    while e2e_is_kernel_mount "$mnt"; do umount -l "$mnt" || return 1; done
    if grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:' "$mnt.log"; then
        cat "$mnt.log" >&2
        return 1
    fi
}

# e2e_write_names_map FILE IMAGE_ROOTFS: the map every container scenario uses. The image's own
# user database is the mount side; the shipped storage database is the storage side; users and
# groups are joined by name.
e2e_write_names_map() {
    local file=$1 rootfs=$2
    cat >"$file" <<EOF
# image $(basename "$rootfs") <-> shared volume, joined by user and group names
passwd         $rootfs/etc/passwd
group          $rootfs/etc/group
storage-passwd $E2E_DATA/storage/passwd
storage-group  $E2E_DATA/storage/group
user  app = app
group shared = shared
names auto
unmapped-read  65534
unmapped-write deny
EOF
}
