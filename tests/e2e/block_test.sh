#!/usr/bin/env bash
# Block storage: the two-container story of two_images_test.sh on a fresh ext4 or xfs filesystem
# on a loop device (a sparse 300 MiB image file; 300 MiB is xfs's minimum).
# Usage: block_test.sh ext4|xfs
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$E2E_DIR/lib/containers.sh"
source "$E2E_DIR/lib/two_images.sh"

fstype=${1:?usage: block_test.sh ext4|xfs}
e2e_require_root_and_fuse
e2e_require_crun
e2e_require_tools losetup "mkfs.$fstype"
[[ -e /dev/loop-control ]] || e2e_fail "no /dev/loop-control: the loop module is not loaded"
e2e_find_idshift
e2e_make_tmp "block-$fstype"

e2e_log "$fstype on a loop device"
truncate -s 300M "$E2E_TMP/disk.img"
"mkfs.$fstype" -q "$E2E_TMP/disk.img"
loop=$(losetup --find --show "$E2E_TMP/disk.img")
e2e_defer losetup --detach "$loop"
e2e_note "$loop: $(blkid -o value -s TYPE "$loop")"
backing=$E2E_TMP/volume
mkdir "$backing"
mount -t "$fstype" "$loop" "$backing"
e2e_defer umount "$backing"
chmod 1777 "$backing"

e2e_two_images_start "$backing"
e2e_two_images_checks "$backing"
e2e_log "PASS"
