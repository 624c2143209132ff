#!/usr/bin/env bash
# idshift on a real GlusterFS volume with POSIX ACLs (client mounted with --acl), then with root
# squashing. The server judges every open with the opener's own ids; the kernel opens a
# passthrough backing file anew in each caller's open(2) with the caller's mount-side ids, which
# the server refuses (EIO for an ordinary user's write). idshift finds that out when mounting and
# serves this storage's files through the daemon, counting each decline.
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
source "$STORAGE_DIR/lib/gluster.sh"

e2e_require_root_and_fuse
e2e_require_tools glusterd glusterfs gluster ip nsenter unshare setpriv setfacl getfacl
e2e_find_idshift
e2e_make_tmp gluster-acl

e2e_log "a GlusterFS volume in its own network namespace, client with --acl"
gl_start "$E2E_TMP/gl"
native=$E2E_TMP/native
gl_mount "$native" --acl
install -d -o 101000 -g 101000 -m 0755 "$native/home"
printf 'old\n' >"$native/home/existing"
chown 101000:101000 "$native/home/existing"
storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$native" "$mnt" "$E2E_TMP/map" cache=none

line=$(storage_line "$mnt")
e2e_note "$line"
e2e_expect_eq "storage line: ACLs and opens" "found ACLs yes|opens judged by the storage yes" \
    "$(grep -o -e 'found ACLs yes' -e 'opens judged by the storage yes' <<<"$line" | paste -sd'|')"
e2e_expect_eq "storage line: what idshift does" \
    "ACLs remapped and enforced by the kernel|files served through the daemon (the storage judges passthrough opens itself)" \
    "$(grep -o -e 'ACLs remapped and enforced by the kernel' \
        -e 'files served through the daemon (the storage judges passthrough opens itself)' \
        <<<"$line" | paste -sd'|')"

e2e_log "an ordinary user writes and appends"
declined_before=$(storage_counter "$mnt" passthrough-declined)
as_user 1000 sh -c "echo new > '$mnt/home/created'"
as_user 1000 sh -c "echo appended >> '$mnt/home/existing'"
e2e_expect_eq "brick: created file" "new" "$(cat "$GL_BRICK/home/created")"
e2e_expect_eq "brick: appended file" "old|appended" "$(paste -sd'|' "$GL_BRICK/home/existing")"
e2e_expect_eq "brick: owner of the created file" "101000:101000" "$(e2e_ids "$GL_BRICK/home/created")"
e2e_expect_eq "idshift: owner of the created file" "1000:1000" "$(e2e_ids "$mnt/home/created")"
declined=$(storage_counter "$mnt" passthrough-declined)
e2e_expect_eq "passthrough declined for both opens (stats)" 2 $((declined - declined_before))
e2e_expect_eq "stats table: the storage line" "(fuse.glusterfs): found ACLs yes" \
    "$("$IDSHIFT_BIN" stats "$mnt" | grep -o '(fuse.glusterfs): found ACLs yes')"

e2e_log "ACLs round trip with translated ids, and are enforced"
setfacl -m u:1001:rw "$mnt/home/created"
e2e_expect_eq "brick: ACL entry in storage ids" "user:101001:rw-" \
    "$(getfacl -n "$GL_BRICK/home/created" 2>/dev/null | grep '^user:[0-9]')"
e2e_expect_eq "idshift: ACL entry in mount ids" "user:1001:rw-" \
    "$(getfacl -n "$mnt/home/created" 2>/dev/null | grep '^user:[0-9]')"
as_user 1001 sh -c "echo by-1001 >> '$mnt/home/created'"
e2e_expect_eq "brick: the ACL let 1001 write" "new|by-1001" "$(paste -sd'|' "$GL_BRICK/home/created")"
e2e_expect_eq "1001 without the ACL entry" "Permission denied" \
    "$(errno_of as_user 1001 sh -c "echo x >> '$mnt/home/existing'")"

e2e_log "root squashing holds through idshift"
gl_set server.root-squash on
e2e_wait_until "root squashing to apply" \
    sh -c "! touch '$native/squash-probe' 2>/dev/null"
e2e_expect_eq "root creates in the root-owned volume root" "Permission denied" \
    "$(errno_of sh -c "echo x > '$mnt/by-root'")"
as_user 1000 sh -c "echo still > '$mnt/home/after-squash'"
e2e_expect_eq "brick: mapped user still writes" "still" "$(cat "$GL_BRICK/home/after-squash")"
e2e_expect_eq "brick: owner under root squashing" "101000:101000" \
    "$(e2e_ids "$GL_BRICK/home/after-squash")"
e2e_log "PASS"
