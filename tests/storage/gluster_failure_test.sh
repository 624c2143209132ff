#!/usr/bin/env bash
# The GlusterFS brick dies under idshift: a mapped user's next operation fails with the storage's
# error within a bounded time (no hang), the daemon keeps running and answering, and once the
# brick is back new operations work without remounting idshift; data fsync'd before is intact.
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
source "$STORAGE_DIR/lib/gluster.sh"

e2e_require_root_and_fuse
e2e_require_tools glusterd glusterfs gluster ip nsenter unshare setpriv timeout
e2e_find_idshift
e2e_make_tmp gluster-failure

gl_start "$E2E_TMP/gl"
native=$E2E_TMP/native
gl_mount "$native"
install -d -o 101000 -g 101000 -m 0755 "$native/home"
storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$native" "$mnt" "$E2E_TMP/map" cache=none
daemon=$(cat "$mnt.pid")

e2e_log "data written and fsync'd before the failure"
as_user 1000 dd if=/dev/urandom of="$mnt/home/kept" bs=64k count=16 conv=fsync status=none
sum_before=$(sha256sum <"$GL_BRICK/home/kept")

e2e_log "the brick is killed"
brick=$(gl_brick_pid)
kill -KILL "$brick"
rc=0
out=$(timeout 60 setpriv --reuid 1000 --regid 1000 --clear-groups \
    sh -c "echo x > '$mnt/home/during'" 2>&1) || rc=$?
e2e_expect_eq "the write failed, and did not hang (rc 124 = timeout)" "failed" \
    "$( ((rc != 0 && rc != 124)) && echo failed || echo "rc $rc")"
e2e_expect_eq "the error the caller sees" "Transport endpoint is not connected" "${out##*: }"
e2e_expect_eq "the daemon is still running" yes "$(kill -0 "$daemon" && echo yes)"
e2e_expect_eq "the daemon still answers (stats)" 0 \
    "$("$IDSHIFT_BIN" stats --prometheus "$mnt" >/dev/null; echo $?)"

e2e_log "the brick comes back; no remount"
gl_restart_brick "$brick"
e2e_wait_until "the client to reconnect" \
    setpriv --reuid 1000 --regid 1000 --clear-groups sh -c "echo after > '$mnt/home/after'" 2>/dev/null
e2e_expect_eq "brick: the write after recovery" "after" "$(cat "$GL_BRICK/home/after")"
e2e_expect_eq "brick: owner after recovery" "101000:101000" "$(e2e_ids "$GL_BRICK/home/after")"
e2e_expect_eq "fsync'd data intact, read through idshift" "$sum_before" \
    "$(as_user 1000 sha256sum <"$mnt/home/kept")"
e2e_log "PASS"
