#!/usr/bin/env bash
# Locks between two idshift mounts of one GlusterFS volume, each over a client of its own (two
# hosts, as a container farm has them). GlusterFS keeps the locks on the brick; idshift forwards
# each lock owner's POSIX locks to the storage, so a lock taken through one mount must hold
# against the other exactly as it does between the two clients alone. The same scenario runs on
# the two clients natively first; the POSIX lock outcomes are also checked against what POSIX
# says, so a storage that ignored locks could not make both sides agree on nothing.
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
source "$STORAGE_DIR/lib/gluster.sh"

e2e_require_root_and_fuse
e2e_require_tools glusterd glusterfs gluster ip nsenter unshare setpriv
[[ -x /usr/bin/python3 ]] || e2e_fail "/usr/bin/python3 is missing: run packaging/install-deps"
e2e_find_idshift
e2e_make_tmp gluster-locks
locks=$STORAGE_DIR/lib/locks.py

e2e_log "one GlusterFS volume, two clients"
gl_start "$E2E_TMP/gl"
client_a=$E2E_TMP/client-a
client_b=$E2E_TMP/client-b
gl_mount "$client_a"
gl_mount "$client_b"
install -d -o 101000 -g 101000 -m 0755 "$client_a/shared"
printf '0123456789abcdefghij\n' >"$client_a/shared/f"
chown 101000:101000 "$client_a/shared/f"
chmod 0666 "$client_a/shared/f"
storage_write_map "$E2E_TMP/map"
e2e_idshift_mount "$client_a" "$E2E_TMP/mnt-a" "$E2E_TMP/map" cache=none
e2e_idshift_mount "$client_b" "$E2E_TMP/mnt-b" "$E2E_TMP/map" cache=none

# hold UID PATH KIND START LEN: UID takes the lock in a process of its own and keeps it until
# release_hold. Sets HOLD_PID.
hold() {
    local uid=$1
    shift
    HOLD_RELEASE=$E2E_TMP/release.$RANDOM
    HOLD_OUT=$HOLD_RELEASE.out
    as_user "$uid" /usr/bin/python3 -B "$locks" hold "$@" "$HOLD_RELEASE" >"$HOLD_OUT" 2>&1 &
    HOLD_PID=$!
    e2e_defer release_hold "$HOLD_RELEASE" "$HOLD_PID"
    e2e_wait_until "the lock to be held" grep -qx held "$HOLD_OUT"
}
release_hold() {
    touch "$1"
    wait "$2" 2>/dev/null || true
}
detach_killed() {
    kill -KILL "$2" 2>/dev/null || true
    ! e2e_is_idshift_mount "$1" || umount -l "$1"
}
probe() {
    local uid=$1
    shift
    as_user "$uid" /usr/bin/python3 -B "$locks" "$@"
}

# scenario HOLDER_UID HOLDER_DIR PROBER_UID PROBER_DIR: a lock taken in HOLDER_DIR/f, probed in
# PROBER_DIR/f (the same file through the other client). Prints one outcome per line.
scenario() {
    local huid=$1 hfile=$2/f puid=$3 pfile=$4/f
    hold "$huid" "$hfile" write 0 10
    echo "write 0-9 held: write 0-9 $(probe "$puid" try "$pfile" write 0 10)"
    echo "write 0-9 held: write 10-19 $(probe "$puid" try "$pfile" write 10 10)"
    echo "write 0-9 held: read 5 $(probe "$puid" try "$pfile" read 5 1)"
    echo "write 0-9 held: getlk $(probe "$puid" get "$pfile" write 0 0)"
    release_hold "$HOLD_RELEASE" "$HOLD_PID"
    echo "released: write 0-9 $(probe "$puid" try "$pfile" write 0 10)"
    echo "released: getlk $(probe "$puid" get "$pfile" write 0 0)"
    hold "$huid" "$hfile" read 0 0
    echo "read held: read $(probe "$puid" try "$pfile" read 0 0)"
    echo "read held: write $(probe "$puid" try "$pfile" write 0 0)"
    release_hold "$HOLD_RELEASE" "$HOLD_PID"
    hold "$huid" "$hfile" flock-exclusive 0 0
    echo "flock held: flock-exclusive $(probe "$puid" try "$pfile" flock-exclusive 0 0)"
    echo "flock held: flock-shared $(probe "$puid" try "$pfile" flock-shared 0 0)"
    release_hold "$HOLD_RELEASE" "$HOLD_PID"
    echo "flock released: flock-exclusive $(probe "$puid" try "$pfile" flock-exclusive 0 0)"
}

e2e_log "the two clients alone (storage ids)"
native=$(scenario 101000 "$client_a/shared" 101001 "$client_b/shared")
e2e_note "${native//$'\n'/ | }"
e2e_log "record locks and flocks hold between the clients as POSIX says"
e2e_expect_eq "natively: lock outcomes" "$(
    cat <<'EOF2'
write 0-9 held: write 0-9 EAGAIN
write 0-9 held: write 10-19 ok
write 0-9 held: read 5 EAGAIN
write 0-9 held: getlk write 0 10
released: write 0-9 ok
released: getlk unlocked
read held: read ok
read held: write EAGAIN
flock held: flock-exclusive EAGAIN
flock held: flock-shared EAGAIN
flock released: flock-exclusive ok
EOF2
)" "$native"

e2e_log "through two idshift mounts, one per client (mount ids)"
through=$(scenario 1000 "$E2E_TMP/mnt-a/shared" 1001 "$E2E_TMP/mnt-b/shared")
e2e_expect_eq "through idshift: every outcome as between the clients alone" "$native" "$through"
e2e_log "and across: held through idshift, probed on the other client alone"
across=$(scenario 1000 "$E2E_TMP/mnt-a/shared" 101001 "$client_b/shared")
e2e_expect_eq "idshift holder, native prober: every outcome as natively" "$native" "$across"

e2e_log "a killed idshift daemon leaves no lock behind on the volume"
# Not through e2e_idshift_mount: this daemon is meant to die, and its mount is detached by hand.
mnt_c=$E2E_TMP/mnt-c
mkdir -p "$mnt_c"
"$IDSHIFT_BIN" "$client_a" "$mnt_c" -f -o "map=$E2E_TMP/map,cache=none" >"$mnt_c.log" 2>&1 &
daemon_c=$!
e2e_defer detach_killed "$mnt_c" "$daemon_c"
e2e_wait_until "idshift on $mnt_c" e2e_is_idshift_mount "$mnt_c"
hold 1000 "$mnt_c/shared/f" write 0 0
e2e_expect_eq "held through the doomed mount: write from the other" EAGAIN \
    "$(probe 1001 try "$E2E_TMP/mnt-b/shared/f" write 0 0)"
kill -KILL "$daemon_c"
wait "$daemon_c" 2>/dev/null || true
e2e_wait_until "the lock to go with the daemon" \
    test "$(probe 1001 try "$E2E_TMP/mnt-b/shared/f" write 0 0)" = ok
e2e_expect_eq "after the kill: write lock through the other mount" ok \
    "$(probe 1001 try "$E2E_TMP/mnt-b/shared/f" write 0 0)"
release_hold "$HOLD_RELEASE" "$HOLD_PID"
echo "PASS"
