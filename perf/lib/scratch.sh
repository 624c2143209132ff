# shellcheck shell=bash
# The run's scratch space (temp dir, ext4 image on a loop device, backing directory), the child
# process runner and the cleanup that undoes all of it. Sourced by perf/run.

# The pid (and process group) of the workload command now running, so that cleanup can stop it.
child_pid=""
loop_device=""
ext4_mounted=0
storage_back=""  # the directory made on --storage, removed at cleanup
cleanup_done=0

# Makes the temp dir and the output dir; from here on cleanup() must run on every exit path.
make_scratch() {
    tmp_root=$(mktemp -d /tmp/idshift-perf.XXXXXX)
    scratch=$tmp_root/scratch
    out=${opt_out:-$tmp_root/out}
    mkdir -p "$scratch/mnt" "$scratch/ext4" "$out/raw" "$out/logs"
    out=$(cd "$out" && pwd)
    : >"$out/cells.jsonl"
    : >"$out/contenders.jsonl"
}

# The backing directory: a fresh one on the storage --storage names (started here when perf/run
# makes it), or on the scratch ext4 image.
make_backing() {
    start_storage
    if [[ -n $storage_root ]]; then
        back=$(mktemp -d "$storage_root/idshift-perf.XXXXXX")
        storage_back=$back
        chmod 0755 "$back"
    else
        make_backing_fs
    fi
}

# The ext4 image lives in the temp dir and is attached with direct I/O, so the host page cache does
# not hold a second copy of every block and "warm" means warm in the scratch filesystem only.
make_backing_fs() {
    local image=$scratch/ext4.img
    fallocate -l "$image_bytes" "$image"
    loop_device=$(losetup --find --show --direct-io=on "$image")
    # Initialise inode tables and journal now, not in a background thread during the measurements.
    mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$loop_device"
    mount "$loop_device" "$scratch/ext4"
    ext4_mounted=1
    back=$scratch/ext4/data
    mkdir "$back"
}

# Runs a workload command in its own process group and waits for it; while it runs, a signal to
# perf/run interrupts the wait, and cleanup() stops the whole group.
run_child() {
    local rc=0
    setsid "$@" &
    child_pid=$!
    wait "$child_pid" || rc=$?
    child_pid=""
    return "$rc"
}

stop_child() {
    [[ -n $child_pid ]] || return 0
    kill -TERM -- "-$child_pid" 2>/dev/null || true
    local
    for _ in {1..50}; do
        kill -0 -- "-$child_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$child_pid" 2>/dev/null || true
    wait "$child_pid" 2>/dev/null || true
    child_pid=""
}

# Flushes the scratch filesystem only (syncfs), so one workload's dirty data is not written back
# during the next one.
sync_backing() {
    sync -f "$back"
}

# The one cold workload (find-cold) starts from empty caches; dropping them is global.
drop_caches() {
    sync_backing
    echo 3 >/proc/sys/vm/drop_caches
}

unmount_ext4() {
    ((ext4_mounted)) || return 0
    local
    for _ in {1..20}; do
        umount "$scratch/ext4" 2>/dev/null && { ext4_mounted=0; return 0; }
        sleep 0.25
    done
    echo "perf/run: $scratch/ext4 stays busy; detaching it lazily" >&2
    umount -l "$scratch/ext4" && ext4_mounted=0
}

# Undoes everything make_scratch and later steps set up, in reverse order. Safe to call twice and
# from a signal trap; each step goes on even if an earlier one failed.
cleanup() {
    ((cleanup_done)) && return 0
    cleanup_done=1
    stop_child
    stop_all_contenders
    unmount_ext4 || true
    if [[ -n $storage_back ]]; then
        rm -rf --one-file-system "$storage_back" ||
            echo "perf/run: could not remove $storage_back" >&2
    fi
    stop_storage
    if [[ -n $loop_device ]]; then
        losetup -d "$loop_device" || echo "perf/run: could not detach $loop_device" >&2
    fi
    # Never walk into a mount that is still there (a client that would not unmount, say).
    if [[ -n ${scratch:-} ]] && ! awk -v dir="$scratch/" 'index($5, dir) == 1 { found = 1 }
                                    END { exit !found }' /proc/self/mountinfo; then
        rm -rf "$scratch"
        rmdir "$tmp_root" 2>/dev/null || true
    fi
}

on_signal() {
    # The signal may arrive inside a redirected call (a workload's log or raw result): talk to the
    # terminal again before saying anything.
    exec 1>&"$terminal_out" 2>&"$terminal_err"
    echo "perf/run: interrupted by SIG$1; cleaning up" >&2
    cleanup
    trap - "$1"
    kill -s "$1" "$$"
}

install_cleanup_traps() {
    exec {terminal_out}>&1 {terminal_err}>&2
    trap cleanup EXIT
    local sig
    for sig in INT TERM HUP; do
        # shellcheck disable=SC2064  # the signal name is bound now, on purpose
        trap "on_signal $sig" "$sig"
    done
}
