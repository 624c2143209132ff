#!/usr/bin/env bash
# sshd dies under sshfs under idshift, once while a file is open and once while idle. Each time a
# mapped user's next operation fails within a bounded time (no hang) with the errno the same
# operation gets on the sshfs mount alone, and the daemon keeps running and answering. After the
# first failure sshd comes back (same port, same keys), sshfs reconnects, and new operations work
# without remounting idshift; data fsync'd before is intact. After the second, sshd stays dead and
# idshift is unmounted: the daemon exits within 10 s and leaves nothing mounted.
# shellcheck disable=SC2016 # each side_by_side OP is expanded by its inner shell, with its own $d
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
source "$E2E_DIR/lib/sshd.sh"

e2e_require_root_and_fuse
e2e_require_tools sshfs ssh ssh-keygen /usr/sbin/sshd setpriv timeout findmnt
e2e_find_idshift
e2e_make_tmp sshfs-failure

remote=$E2E_TMP/export
install -d -o "$E2E_SSH_UID" -g "$E2E_SSH_UID" -m 0777 "$remote"
e2e_start_sshd "$E2E_TMP/sshd" "$remote"
# reconnect: sshfs dials again at the next request once the connection is gone.
# shellcheck disable=SC2034 # read by e2e_sshfs_mount
E2E_SSHFS_OPTIONS=reconnect,ServerAliveInterval=1,ServerAliveCountMax=2
sshfs_mnt=$E2E_TMP/sshfs
e2e_sshfs_mount "$E2E_TMP/sshd" "$remote" "$sshfs_mnt"
storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$sshfs_mnt" "$mnt" "$E2E_TMP/map" cache=none,passthrough=off
daemon=$(cat "$mnt.pid")

# failed_with CMD...: CMD's error message (after its last ": "), "hung" when it did not end
# within 30 s, "succeeded" when it did not fail.
failed_with() {
    local out rc=0
    out=$(timeout 30 "$@" 2>&1) || rc=$?
    if ((rc == 0)); then
        echo succeeded
    elif ((rc == 124)); then
        echo hung
    else
        echo "${out##*: }"
    fi
}
# side_by_side WHAT OP: OP (a shell snippet using $d) run as root on the sshfs mount alone and
# as mapped user 1000 through idshift must fail the same way.
side_by_side() {
    local what=$1 op=$2 native through
    native=$(failed_with sh -c "d='$sshfs_mnt'; $op")
    through=$(failed_with setpriv --reuid 1000 --regid 1000 --clear-groups sh -c "d='$mnt'; $op")
    e2e_note "$what: sshfs alone: $native | through idshift: $through"
    e2e_expect_eq "$what: through idshift as on sshfs alone" "$native" "$through"
    [[ $native != succeeded && $native != hung ]] || e2e_fail "$what: sshfs alone gave '$native'"
}
daemon_answers() {
    e2e_expect_eq "the daemon is still running" yes "$(kill -0 "$daemon" && echo yes)"
    e2e_expect_eq "the daemon still answers (stats)" 0 \
        "$(timeout 10 "$IDSHIFT_BIN" stats --prometheus "$mnt" >/dev/null; echo $?)"
}

e2e_log "data written and fsync'd before the failure"
as_user 1000 dd if=/dev/urandom of="$mnt/kept" bs=64k count=16 conv=fsync status=none
sum_before=$(sha256sum <"$remote/kept")

e2e_log "sshd and its session are killed while a file is open (through idshift and on sshfs)"
through_fd=""
native_fd=""
close_files() {
    # The close's flush fails on a dead storage: that error is not what is tested here.
    [[ -z $through_fd ]] || { exec {through_fd}<&-; } 2>/dev/null
    [[ -z $native_fd ]] || { exec {native_fd}<&-; } 2>/dev/null
    through_fd=""
    native_fd=""
}
e2e_defer close_files  # before the unmounts, however the test ends: an open file keeps a mount
exec {through_fd}<>"$mnt/kept" {native_fd}<>"$sshfs_mnt/kept"
e2e_kill_sshd
# sshfs queues a write and answers before the server does, so a write made before sshfs has
# seen its connection end still succeeds. Once it has seen that, every write fails: wait for
# that on sshfs alone (bounded), then the same write through idshift must fail the same way.
native_write=succeeded
for ((try = 0; try < 100; try++)); do
    native_write=$(failed_with bash -c "echo x >&$native_fd")
    [[ $native_write == succeeded ]] || break
    sleep 0.1
done
e2e_expect_eq "write to the open file, on sshfs alone (within 10 s)" "Input/output error" \
    "$native_write"
e2e_expect_eq "write to the open file: through idshift as on sshfs alone" "$native_write" \
    "$(failed_with bash -c "echo x >&$through_fd")"
side_by_side "create" 'echo x > "$d/during"'
side_by_side "mkdir" 'mkdir "$d/dir-during"'
close_files
daemon_answers

e2e_log "sshd comes back on its port; no remount"
e2e_start_sshd "$E2E_TMP/sshd" "$remote"
e2e_wait_until "sshfs to reconnect" \
    setpriv --reuid 1000 --regid 1000 --clear-groups sh -c "echo after > '$mnt/after'" 2>/dev/null
e2e_expect_eq "remote: the write after recovery" "after" "$(cat "$remote/after")"
# sshd started again after idshift mounted: its private mount namespace must hold no copy of the
# idshift mount, or unmounting idshift here would not end the daemon.
sshd_main=$(pgrep -P "$E2E_SSHD_PID" -x sshd) || e2e_fail "no sshd below $E2E_SSHD_PID"
e2e_expect_eq "no copy of FUSE mounts in the restarted sshd's namespace" "" \
    "$(grep -F "$E2E_TMP" "/proc/$sshd_main/mountinfo" | grep -F ' fuse.' || true)"
e2e_expect_eq "fsync'd data intact, read through idshift" "$sum_before" \
    "$(as_user 1000 sha256sum <"$mnt/kept")"

e2e_log "sshd and its session are killed while idle; it stays dead"
e2e_kill_sshd
side_by_side "create" 'echo x > "$d/idle"'
side_by_side "rename" 'mv "$d/after" "$d/after2"'
daemon_answers

e2e_log "idshift is unmounted on the dead storage"
e2e_expect_eq "umount of idshift" 0 "$(timeout 10 umount "$mnt"; echo $?)"
exited=no
for ((try = 0; try < 100; try++)); do
    kill -0 "$daemon" 2>/dev/null || { exited=yes; break; }
    sleep 0.1
done
e2e_expect_eq "the daemon exited within 10 s" yes "$exited"
e2e_expect_eq "nothing of idshift stays mounted" "" "$(findmnt -rn -t fuse.idshift -o TARGET | grep -F "$E2E_TMP" || true)"
e2e_log "PASS"
