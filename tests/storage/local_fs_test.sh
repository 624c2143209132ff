#!/usr/bin/env bash
# idshift (backend=fuse) on local filesystems made by the test: ext4, xfs and btrfs (with and
# without ACLs) on loop devices, tmpfs, and an overlayfs whose upper layer is on tmpfs or ext4.
# The storage without POSIX ACLs is btrfs -o noacl: ext4 no longer knows a noacl option (the
# kernel answers "Unknown parameter 'noacl'"), and xfs and tmpfs never had one.
# On each, the exact startup storage line (what the probe found, what idshift does) and the
# storage section of `idshift stats`, then a mapped user's create stored with its storage owner.
#   usage: local_fs_test.sh ext4|btrfs_noacl|xfs|btrfs|tmpfs|overlay_tmpfs|overlay_ext4
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
# shellcheck source=lib/loop.sh
source "$STORAGE_DIR/lib/loop.sh"
kind=${1:?usage: local_fs_test.sh ext4|btrfs_noacl|xfs|btrfs|tmpfs|overlay_tmpfs|overlay_ext4}

e2e_require_root_and_fuse
e2e_require_tools setpriv
loop_require
e2e_find_idshift
e2e_make_tmp "local-$kind"

src=$E2E_TMP/src
case $kind in
    ext4) loop_mkfs_mount ext4 "$src" ;;
    btrfs_noacl) loop_mkfs_mount btrfs "$src" noacl ;;
    xfs | btrfs) loop_mkfs_mount "$kind" "$src" ;;
    tmpfs) tmpfs_mount "$src" ;;
    overlay_tmpfs)
        tmpfs_mount "$E2E_TMP/layers"
        overlay_mount "$E2E_TMP/layers" "$src"
        ;;
    overlay_ext4)
        loop_mkfs_mount ext4 "$E2E_TMP/layers"
        overlay_mount "$E2E_TMP/layers" "$src"
        ;;
    *) e2e_fail "unknown filesystem kind $kind" ;;
esac
chmod 1777 "$src"
fstype=$(stat -f -c %T "$src")
e2e_note "SOURCE $src: $fstype ($(findmnt -n -o FSTYPE,OPTIONS "$src"))"

# What each storage is, as the probe must find it, and what idshift must do there.
all_yes="user xattrs yes, file handles yes, owner from creds yes, chown yes, opens judged by the storage no"
case $kind in
    ext4 | xfs | btrfs | tmpfs)
        found="ACLs yes, $all_yes, O_TMPFILE yes, RENAME_EXCHANGE yes, RENAME_NOREPLACE yes"
        does="ACLs remapped and enforced by the kernel, passthrough allowed"
        ;;
    btrfs_noacl)
        found="ACLs no, $all_yes, O_TMPFILE yes, RENAME_EXCHANGE yes, RENAME_NOREPLACE yes"
        does="kernel checks modes only (no POSIX ACLs negotiated), passthrough allowed"
        ;;
    overlay_*)
        # overlayfs gives out file handles only with -o nfs_export=on (which needs index=on).
        found="ACLs yes, ${all_yes/file handles yes/file handles no}, O_TMPFILE yes, RENAME_EXCHANGE yes, RENAME_NOREPLACE yes"
        does="ACLs remapped and enforced by the kernel, passthrough allowed"
        ;;
esac
case $kind in
    btrfs*) name=btrfs ;;
    overlay_*) name=overlay ;;
    *) name=$kind ;;
esac

storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$src" "$mnt" "$E2E_TMP/map" cache=none,backend=fuse
dev=$(stat -c '%Hd:%Ld' "$src")
line=$(storage_line "$mnt")
e2e_note "$line"
e2e_expect_eq "storage line" "storage $dev ($name): found $found; idshift: $does" "$line"
adapted="adaptations: owner-set-after-create 0, owner-refused 0, passthrough-declined 0, acl-answered-enodata 0"
e2e_expect_eq "stats: storage section" \
    "storage|$dev ($name): found $found; idshift: $does|$adapted" \
    "$("$IDSHIFT_BIN" stats "$mnt" | sed -n '/^storage$/,/^$/p' | sed '/^$/d' | paste -sd'|')"
acls=yes
[[ $kind == btrfs_noacl ]] && acls=no
e2e_expect_eq "stats: storage info" \
    "idshift_storage_info{dev=\"$dev\",fstype=\"$name\",acls=\"$acls\",owner_after_create=\"no\",passthrough=\"yes\"} 1" \
    "$("$IDSHIFT_BIN" stats --prometheus "$mnt" | grep '^idshift_storage_info{')"

as_user 1000 sh -c "echo from-app > '$mnt/by-app'"
e2e_expect_eq "storage: owner of app's file" "101000:101000" "$(e2e_ids "$src/by-app")"
e2e_expect_eq "idshift: owner of app's file" "1000:1000" "$(e2e_ids "$mnt/by-app")"
e2e_expect_eq "storage: content" "from-app" "$(cat "$src/by-app")"
if [[ $acls == yes ]]; then
    setfacl -m u:1001:r "$mnt/by-app"
    e2e_expect_eq "ACL stored in storage ids" "user:101001:r--" \
        "$(getfacl -n -p "$src/by-app" 2>/dev/null | grep '^user:[0-9]')"
else
    e2e_expect_eq "setfacl fails as on the storage natively" "Operation not supported" \
        "$(errno_of setfacl -m u:1001:r "$mnt/by-app")"
    e2e_expect_eq "setfacl on the storage natively" "Operation not supported" \
        "$(errno_of setfacl -m u:101001:r "$src/by-app")"
fi
if [[ $kind == overlay_* ]]; then
    echo "appended through idshift" >>"$mnt/lower-file"
    e2e_expect_eq "a lower file written through idshift is copied up" \
        "from the lower layer|appended through idshift" \
        "$(paste -sd'|' "$E2E_TMP/layers/upper/lower-file")"
    e2e_expect_eq "the lower layer is untouched" "from the lower layer" \
        "$(cat "$E2E_TMP/layers/lower/lower-file")"
fi
e2e_expect_eq "the probe left nothing in SOURCE" "" \
    "$(find "$src" -mindepth 1 -maxdepth 1 -name '.idshift-probe*')"
e2e_log "PASS"
