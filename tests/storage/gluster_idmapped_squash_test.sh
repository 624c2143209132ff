#!/usr/bin/env bash
# A user-namespaced container's view of a root-squashing volume: idshift with -o allow_idmap=on
# on a GlusterFS client of a volume with server.root-squash on, and a kernel idmapped mount of
# the idshift mount on top, as a container runtime makes one (mount ids 1000 and 1001 show as
# 7000 and 7001 there). With FUSE_ALLOW_IDMAP the kernel names the caller only on requests that
# create something; every other request comes without ids, after the kernel checked it. Run as the
# daemon, whose root the server squashes, such requests would fail. idshift runs them as a storage
# identity that the inode's own mode grants the same access; this test shows each of them working
# for the files' owner, the server still refusing what the mode refuses, and the storage ids.
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
source "$STORAGE_DIR/lib/gluster.sh"

e2e_require_root_and_fuse
e2e_require_tools glusterd glusterfs gluster ip nsenter unshare setpriv setfattr getfattr
e2e_find_idshift
bind_helper=${IDSHIFT_E2E_IDMAPPED_BIND:?set IDSHIFT_E2E_IDMAPPED_BIND}
e2e_make_tmp gluster-idmapped

e2e_log "a root-squashing GlusterFS volume, idshift with allow_idmap, an idmapped mount on top"
gl_start "$E2E_TMP/gl"
native=$E2E_TMP/native
gl_mount "$native"
# Made before squashing starts: root may give them away only until then.
install -d -o 101000 -g 101000 -m 0755 "$native/home"
install -d -o 101000 -g 101000 -m 0700 "$native/home/private"
printf 'secret\n' >"$native/home/private/notes"
printf 'old\n' >"$native/home/log"
printf 'gone soon\n' >"$native/home/doomed"
printf 'before\n' >"$native/home/renamed-from"
chown 101000:101000 "$native/home/private/notes" "$native/home/log" "$native/home/doomed" \
    "$native/home/renamed-from"
chmod 0600 "$native/home/private/notes"
chmod 0644 "$native/home/log" "$native/home/doomed" "$native/home/renamed-from"
install -d -o 101001 -g 101001 -m 0755 "$native/other"
printf 'theirs\n' >"$native/other/file"
chown 101001:101001 "$native/other/file"
chmod 0644 "$native/other/file"
gl_set server.root-squash on
e2e_wait_until "root squashing to apply" sh -c "! touch '$native/squash-probe' 2>/dev/null"

storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$native" "$mnt" "$E2E_TMP/map" cache=none,allow_idmap=on
idm=$E2E_TMP/idmapped
mkdir "$idm"
"$bind_helper" "$mnt" "$idm" u:0:0:1 g:0:0:1 u:1000:7000:2 g:1000:7000:2
e2e_defer umount "$idm"
e2e_expect_eq "idmapped: owner of home/log" "7000:7000" "$(e2e_ids "$idm/home/log")"
container() { # UID CMD...: as the container user whose host-side id is UID
    local uid=$1
    shift
    setpriv --reuid "$uid" --regid "$uid" --clear-groups "$@"
}

e2e_log "requests that create nothing, by the owner (7000 = storage 101000)"
container 7000 sh -c "echo appended >> '$idm/home/log'"
e2e_expect_eq "append to its own 0644 file" "old|appended" "$(paste -sd'|' "$GL_BRICK/home/log")"
e2e_expect_eq "read its own 0600 file in its 0700 directory" "secret" \
    "$(container 7000 cat "$idm/home/private/notes" 2>&1)"
e2e_expect_eq "list its 0700 directory" "notes" "$(container 7000 ls "$idm/home/private" 2>&1)"
container 7000 rm "$idm/home/doomed"
e2e_expect_eq "unlink in its own 0755 directory" "absent" \
    "$(test -e "$GL_BRICK/home/doomed" && echo present || echo absent)"
container 7000 mv "$idm/home/renamed-from" "$idm/home/renamed-to"
e2e_expect_eq "rename in its own directory" "before" "$(cat "$GL_BRICK/home/renamed-to")"
container 7000 chmod 0640 "$idm/home/log"
e2e_expect_eq "chmod of its own file" "640" "$(stat -c %a "$GL_BRICK/home/log")"
container 7000 setfattr -n user.note -v kept "$idm/home/log"
e2e_expect_eq "set a user xattr on its own file" "kept" \
    "$(getfattr --only-values -n user.note "$GL_BRICK/home/log" 2>/dev/null)"
e2e_expect_eq "owners on the storage are unchanged" "101000:101000 101000:101000" \
    "$(e2e_ids "$GL_BRICK/home/log") $(e2e_ids "$GL_BRICK/home/renamed-to")"

e2e_log "what the modes refuse stays refused"
e2e_expect_eq "another user reads the 0600 file" "Permission denied" \
    "$(errno_of container 7001 cat "$idm/home/private/notes")"
e2e_expect_eq "another user appends to a 0644 file" "Permission denied" \
    "$(errno_of container 7001 sh -c "echo x >> '$idm/home/log'")"
e2e_expect_eq "the owner of home/log appends to another's file" "Permission denied" \
    "$(errno_of container 7000 sh -c "echo x >> '$idm/other/file'")"
e2e_expect_eq "the other file is untouched" "theirs" "$(cat "$GL_BRICK/other/file")"
e2e_log "PASS"
