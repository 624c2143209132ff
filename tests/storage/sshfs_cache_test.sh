#!/usr/bin/env bash
# cache=auto on sshfs: SFTP has whole-second timestamps and sshfs caches attributes (20 s), so a
# file changed on the server can show the ctime it had. idshift finds the whole seconds when it
# probes, and then reads a file anew on every open there, as sshfs itself does: a change made on
# the server reads the same through idshift as through sshfs alone.
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
export E2E_SSH_LOGIN=root
source "$E2E_DIR/lib/sshd.sh"

e2e_require_root_and_fuse
e2e_require_tools sshfs ssh ssh-keygen /usr/sbin/sshd
e2e_find_idshift
e2e_make_tmp sshfs-cache

remote=$E2E_TMP/export
install -d -m 0755 "$remote"
e2e_start_sshd "$E2E_TMP/sshd" "$remote"
sshfs_mnt=$E2E_TMP/sshfs
e2e_sshfs_mount "$E2E_TMP/sshd" "$remote" "$sshfs_mnt"
storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$sshfs_mnt" "$mnt" "$E2E_TMP/map" cache=auto
line=$(storage_line "$mnt")
e2e_note "$line"
e2e_expect_eq "storage line: whole seconds, and what idshift does" \
    "timestamps in whole seconds|cache=auto reads a file anew on every open" \
    "$(grep -o -e 'timestamps in whole seconds' -e 'cache=auto reads a file anew on every open' \
        <<<"$line" | paste -sd'|')"

printf 'version-1\n' >"$remote/f"
sleep 2.1  # older than the 2 s a ctime must be before it is trusted anywhere
e2e_expect_eq "through idshift, first open" "version-1" "$(cat "$mnt/f")"
e2e_expect_eq "through idshift, second open" "version-1" "$(cat "$mnt/f")"
printf 'version-2\n' >"$remote/f"  # on the server, same size
# idshift first: reading through sshfs alone first would refresh sshfs's attribute cache.
e2e_expect_eq "through idshift, after the change on the server" "version-2" "$(cat "$mnt/f")"
e2e_expect_eq "through sshfs alone, after the change on the server" "version-2" \
    "$(cat "$sshfs_mnt/f")"
echo "PASS"
