#!/usr/bin/env bash
# Network storage: idshift stacked on sshfs, against an sshd this script starts on 127.0.0.1.
# The remote (SFTP) side decides who owns what: every file is created by the SSH login user, and
# the remote refuses what that user may not do. idshift maps ids on the way up and passes the
# remote's refusals through unchanged.
#
#   remote (SFTP login user "remote", uid 4321)  --sshfs-->  storage side 4321  --idshift-->  1000
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$E2E_DIR/lib/sshd.sh"

e2e_require_root_and_fuse
e2e_require_tools sshfs ssh ssh-keygen /usr/sbin/sshd setpriv
e2e_find_idshift
e2e_make_tmp sshfs

remote=$E2E_TMP/export
install -d -o "$E2E_SSH_UID" -g "$E2E_SSH_UID" -m 0755 "$remote"
echo "written on the server" >"$remote/remote-file"
chown "$E2E_SSH_UID:$E2E_SSH_UID" "$remote/remote-file"
install -o 0 -g 0 -m 0644 /dev/null "$remote/root-file"
install -o 4999 -g 4999 -m 0644 /dev/null "$remote/unmapped-file"

e2e_log "sshd on 127.0.0.1, sshfs as root with allow_other"
e2e_start_sshd "$E2E_TMP/sshd" "$remote"
e2e_note "sshd listening on port $E2E_SSH_PORT"
sshfs_mnt=$E2E_TMP/sshfs
e2e_sshfs_mount "$E2E_TMP/sshd" "$remote" "$sshfs_mnt"
e2e_expect_eq "sshfs: remote-file (remote numeric ids)" "4321:4321" \
    "$(e2e_ids "$sshfs_mnt/remote-file")"

# Image A's app is the SSH login user on this storage; root is root; nothing else is mapped.
cat >"$E2E_TMP/sshfs.map" <<EOF
uid 0 0
gid 0 0
uid 1000 $E2E_SSH_UID
gid 1000 $E2E_SSH_UID
EOF
mnt=$E2E_TMP/mnt
e2e_idshift_mount "$sshfs_mnt" "$mnt" "$E2E_TMP/sshfs.map" cache=none

e2e_log "reading: remote ids are mapped"
e2e_expect_eq "idshift: remote-file" "1000:1000" "$(e2e_ids "$mnt/remote-file")"
e2e_expect_eq "idshift: root-file" "0:0" "$(e2e_ids "$mnt/root-file")"
e2e_expect_eq "idshift: unmapped-file (4999)" "65534:65534" "$(e2e_ids "$mnt/unmapped-file")"
e2e_expect_eq "idshift: content as uid 1000" "written on the server" \
    "$(setpriv --reuid 1000 --regid 1000 --clear-groups cat "$mnt/remote-file")"

e2e_log "creating: files land as the SSH login user, whoever asks"
setpriv --reuid 1000 --regid 1000 --clear-groups sh -c "echo from app > '$mnt/by-app'"
e2e_expect_eq "remote: owner of app's new file" "4321:4321" "$(e2e_ids "$remote/by-app")"
e2e_expect_eq "idshift: owner of app's new file" "1000:1000" "$(e2e_ids "$mnt/by-app")"
e2e_expect_eq "remote: content of app's new file" "from app" "$(cat "$remote/by-app")"
# idshift asks for storage uid 0 here, but SFTP has no way to create a file as anyone but the
# login user: the server creates it as 4321, which idshift then shows as app.
echo "from root" >"$mnt/by-root"
e2e_expect_eq "remote: owner of root's new file" "4321:4321" "$(e2e_ids "$remote/by-root")"
e2e_expect_eq "idshift: owner of root's new file" "1000:1000" "$(e2e_ids "$mnt/by-root")"

e2e_log "refusals of the remote come through"
# sshfs turns SFTP's "permission denied" status into EACCES.
e2e_expect_error "idshift: root chown 0:0 (the login user may not)" \
    "chown: changing ownership of '$mnt/by-app': Permission denied" chown 0:0 "$mnt/by-app"
e2e_expect_eq "remote: owner unchanged" "4321:4321" "$(e2e_ids "$remote/by-app")"
e2e_expect_error "idshift: app writes root's 0644 file" \
    "sh: 1: cannot create $mnt/root-file: Permission denied" \
    setpriv --reuid 1000 --regid 1000 --clear-groups sh -c "echo no > '$mnt/root-file'"
e2e_expect_error "idshift: chown to 4242 (in no map)" \
    "chown: changing ownership of '$mnt/by-app': Value too large for defined data type" \
    chown 4242 "$mnt/by-app"

e2e_log "PASS"
