#!/usr/bin/env bash
# idshift on sshfs, where SFTP creates every file as the SSH login user whatever the creator's
# fsuid/fsgid. LOGIN=root: the login may chown, so idshift sets the owner after create and a
# mapped user's file is stored with its mapped storage owner. LOGIN=plain: the chown is refused,
# so the file is kept with the login user's owner, and the refusal is counted and logged once.
#   usage: sshfs_owner_test.sh root|plain
set -euo pipefail
source "$(dirname "$0")/lib/storage.sh"
login=${1:?usage: sshfs_owner_test.sh root|plain}
[[ $login == root ]] && export E2E_SSH_LOGIN=root
source "$E2E_DIR/lib/sshd.sh"

e2e_require_root_and_fuse
e2e_require_tools sshfs ssh ssh-keygen /usr/sbin/sshd setpriv
e2e_find_idshift
e2e_make_tmp "sshfs-$login"

remote=$E2E_TMP/export
install -d -o "$E2E_SSH_UID" -g "$E2E_SSH_UID" -m 0777 "$remote"
e2e_start_sshd "$E2E_TMP/sshd" "$remote"
sshfs_mnt=$E2E_TMP/sshfs
e2e_sshfs_mount "$E2E_TMP/sshd" "$remote" "$sshfs_mnt"
storage_write_map "$E2E_TMP/map"
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$sshfs_mnt" "$mnt" "$E2E_TMP/map" cache=none
line=$(storage_line "$mnt")
e2e_note "$line"
e2e_expect_eq "storage line: owner from creds" "owner from creds no" \
    "$(grep -o 'owner from creds no' <<<"$line")"

as_user 1000 sh -c "echo from-app > '$mnt/by-app'"
as_user 1000 mkdir "$mnt/dir-by-app"
e2e_expect_eq "remote: content" "from-app" "$(cat "$remote/by-app")"
e2e_expect_eq "setfacl through idshift (SFTP has no xattrs)" "Operation not supported" \
    "$(errno_of setfacl -m u:1001:r "$mnt/by-app")"
if [[ $login == root ]]; then
    e2e_expect_eq "storage line: chown and adaptation" "chown yes|owner set after create" \
        "$(grep -o -e 'chown yes' -e 'owner set after create' <<<"$line" | paste -sd'|')"
    e2e_expect_eq "remote: owner of app's file" "101000:101000" "$(e2e_ids "$remote/by-app")"
    e2e_expect_eq "remote: owner of app's directory" "101000:101000" \
        "$(e2e_ids "$remote/dir-by-app")"
    e2e_expect_eq "idshift: owner of app's file" "1000:1000" "$(e2e_ids "$mnt/by-app")"
    e2e_expect_eq "idshift: owner of app's directory" "1000:1000" "$(e2e_ids "$mnt/dir-by-app")"
    e2e_expect_eq "stats: owner-set-after-create" 2 "$(storage_counter "$mnt" owner-set-after-create)"
    e2e_expect_eq "stats: owner-refused" 0 "$(storage_counter "$mnt" owner-refused)"
    e2e_expect_eq "app writes its own file again" "from-app|again" \
        "$(as_user 1000 sh -c "echo again >> '$mnt/by-app'" && paste -sd'|' "$remote/by-app")"
else
    e2e_expect_eq "storage line: chown and adaptation" \
        "chown no (EACCES)|new files keep the storage's owner (chown refused)" \
        "$(grep -o -e 'chown no ([A-Z]*)' -e "new files keep the storage's owner (chown refused)" \
            <<<"$line" | paste -sd'|')"
    e2e_expect_eq "remote: owner of app's file (the login user)" "$E2E_SSH_UID:$E2E_SSH_UID" \
        "$(e2e_ids "$remote/by-app")"
    e2e_expect_eq "stats: owner-refused" 2 "$(storage_counter "$mnt" owner-refused)"
    e2e_expect_eq "stats: owner-set-after-create" 0 \
        "$(storage_counter "$mnt" owner-set-after-create)"
    e2e_expect_eq "the refusal is logged once" 1 \
        "$(grep -c 'cannot give new files their owner' "$mnt.log")"
fi
e2e_log "PASS"
