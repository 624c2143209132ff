#!/usr/bin/env bash
# idshift on a real GlusterFS volume whose client has no POSIX ACLs (mounted without --acl). The
# storage answers system.posix_acl_* with EOPNOTSUPP; idshift must not negotiate POSIX ACLs there,
# or the kernel fails every permission check below the root ("Operation not supported").
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
source "$STORAGE_DIR/lib/gluster.sh"

e2e_require_root_and_fuse
e2e_require_tools glusterd glusterfs gluster ip nsenter unshare setpriv setfacl
e2e_find_idshift
e2e_make_tmp gluster-noacl

e2e_log "a GlusterFS volume in its own network namespace, client without ACLs"
gl_start "$E2E_TMP/gl"
native=$E2E_TMP/native
gl_mount "$native"
install -d -o 101000 -g 101000 -m 0755 "$native/home"
storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$native" "$mnt" "$E2E_TMP/map" cache=none

e2e_log "the startup line says what was found and what idshift does"
line=$(storage_line "$mnt")
e2e_note "$line"
e2e_expect_eq "storage line: fstype and ACLs" "(fuse.glusterfs): found ACLs no," \
    "$(grep -o '(fuse.glusterfs): found ACLs no,' <<<"$line")"
e2e_expect_eq "storage line: what idshift does about ACLs" \
    "kernel checks modes only (no POSIX ACLs negotiated)" \
    "$(grep -o 'kernel checks modes only (no POSIX ACLs negotiated)' <<<"$line")"
e2e_expect_eq "no probe directory left behind" "" \
    "$(find "$GL_BRICK" -maxdepth 1 -name '.idshift-probe.*')"

e2e_log "a mapped user works below the root"
as_user 1000 sh -c "echo hello > '$mnt/home/f'"
as_user 1000 mkdir "$mnt/home/d"
as_user 1000 sh -c "echo more >> '$mnt/home/f'"
e2e_expect_eq "mapped user: ls" "d f" "$(as_user 1000 ls "$mnt/home" | tr '\n' ' ' | sed 's/ $//')"
e2e_expect_eq "root: ls" "d f" "$(ls "$mnt/home" | tr '\n' ' ' | sed 's/ $//')"
e2e_expect_eq "mapped user: read back" "hello|more" "$(as_user 1000 cat "$mnt/home/f" | paste -sd'|')"
e2e_expect_eq "brick: owner of the file" "101000:101000" "$(e2e_ids "$GL_BRICK/home/f")"
e2e_expect_eq "brick: owner of the directory" "101000:101000" "$(e2e_ids "$GL_BRICK/home/d")"
e2e_expect_eq "native client: owner of the file" "101000:101000" "$(e2e_ids "$native/home/f")"
e2e_expect_eq "idshift: owner of the file" "1000:1000" "$(e2e_ids "$mnt/home/f")"
e2e_expect_eq "idshift: owner of the directory" "1000:1000" "$(e2e_ids "$mnt/home/d")"
e2e_expect_eq "brick: bytes" "hello|more" "$(paste -sd'|' "$GL_BRICK/home/f")"

e2e_log "modes are still enforced, and ACLs fail as on the storage natively"
e2e_expect_eq "another user writes the 0644 file" "Permission denied" \
    "$(errno_of as_user 1001 sh -c "echo x >> '$mnt/home/f'")"
e2e_expect_eq "setfacl natively" "Operation not supported" \
    "$(errno_of setfacl -m u:1234:r "$native/home/f")"
e2e_expect_eq "setfacl through idshift" "Operation not supported" \
    "$(errno_of setfacl -m u:1001:r "$mnt/home/f")"
e2e_log "the same volume as a submount of a directory with ACLs: ACL names answered ENODATA"
src=$E2E_TMP/src
mkdir -p "$src"
gl_mount "$src/gl"
mnt2=$E2E_TMP/mnt2
e2e_idshift_mount "$src" "$mnt2" "$E2E_TMP/map" cache=none
e2e_expect_eq "root storage line: ACLs negotiated" "ACLs remapped and enforced by the kernel" \
    "$(storage_line "$mnt2" | grep -o 'ACLs remapped and enforced by the kernel')"
as_user 1000 sh -c "echo below > '$mnt2/gl/home/below'"
e2e_expect_eq "brick: the file made below the submount" "below" "$(cat "$GL_BRICK/home/below")"
e2e_expect_eq "brick: its owner" "101000:101000" "$(e2e_ids "$GL_BRICK/home/below")"
e2e_expect_eq "the submount's line, once" \
    "1|ACL names answered with ENODATA" \
    "$(grep -c '(fuse.glusterfs).*(below SOURCE)' "$mnt2.log")|$(grep -o 'ACL names answered with ENODATA' "$mnt2.log")"
enodata=$(storage_counter "$mnt2" acl-answered-enodata)
e2e_expect_eq "stats: acl-answered-enodata counted" yes "$( ((enodata >= 1)) && echo yes || echo "$enodata")"
e2e_expect_eq "setfacl below the submount" "Operation not supported" \
    "$(errno_of setfacl -m u:1001:r "$mnt2/gl/home/below")"
e2e_log "PASS"
