# shellcheck shell=bash
# Local filesystems for the storage tests: a fresh filesystem on a loop device (a sparse image in
# the test's directory), tmpfs, and an overlayfs. Each is unmounted, and each loop device
# detached, at exit by the e2e cleanup stack, whatever the test's end.

# loop_require: the tools and the kernel support every loop-device test needs.
loop_require() {
    e2e_require_tools losetup truncate blkid
    [[ -e /dev/loop-control ]] || e2e_fail "no /dev/loop-control: the loop module is not loaded"
}

# loop_mkfs_mount FSTYPE DIR [MOUNT_OPTIONS]: makes FSTYPE on a new 320 MiB loop device (xfs needs
# 300 MiB at least) and mounts it on DIR. Sets LOOP_DEVICE.
loop_mkfs_mount() {
    local fstype=$1 dir=$2 options=${3:-}
    e2e_require_tools "mkfs.$fstype"
    grep -qw "$fstype" /proc/filesystems || modprobe "$fstype" 2>/dev/null ||
        e2e_skip "the kernel has no $fstype"
    local image
    image=$(mktemp "$E2E_TMP/$fstype.XXXXXX.img")
    truncate -s 320M "$image"
    case $fstype in
        ext4) mkfs.ext4 -q -F "$image" ;;
        xfs) mkfs.xfs -q -f "$image" ;;
        btrfs) mkfs.btrfs -q -f "$image" >/dev/null ;;
        *) e2e_fail "loop_mkfs_mount: no mkfs recipe for $fstype" ;;
    esac
    LOOP_DEVICE=$(losetup --find --show "$image")
    e2e_defer losetup --detach "$LOOP_DEVICE"
    mkdir -p "$dir"
    mount -t "$fstype" ${options:+-o "$options"} "$LOOP_DEVICE" "$dir"
    e2e_defer umount "$dir"
}

# tmpfs_mount DIR: a tmpfs of 64 MiB on DIR.
tmpfs_mount() {
    mkdir -p "$1"
    mount -t tmpfs -o size=64m,mode=0755 idshift-test "$1"
    e2e_defer umount "$1"
}

# overlay_mount BASE DIR: an overlayfs on DIR, its lower dir, upper dir and work dir in BASE
# (which must be one filesystem: the upper and work dirs must share it).
overlay_mount() {
    local base=$1 dir=$2
    mkdir -p "$base/lower" "$base/upper" "$base/work" "$dir"
    echo "from the lower layer" >"$base/lower/lower-file"
    mount -t overlay -o "lowerdir=$base/lower,upperdir=$base/upper,workdir=$base/work" \
        idshift-test "$dir"
    e2e_defer umount "$dir"
}
