#!/usr/bin/env bash
# mount(8), /etc/fstab and umount(8) drive the built idshift the way an installed one is driven:
#   mount -t fuse.idshift SRC MNT -o ...      (mount(8) -> fuse3's mount.fuse3 -> sh -> idshift)
#   mount MNT with an fstab line              (with nofail, which must not reach idshift)
#   mount -t idshift SRC MNT -o ...           (mount(8) -> packaging/mount.idshift -> mount.fuse3)
#   umount MNT                                (the daemon must then exit by itself)
# and check that the mount has the right type and source, shows mapped owners, and that options
# only idshift understands never reach the kernel.
#
# mount(8) drops the caller's PATH, so the helpers find "idshift" in a plain shell's default PATH.
# The test runs in a private mount namespace where the directory holding the built binary is
# bind-mounted over /usr/local/sbin (the first entry of that PATH) and mount.idshift is overlaid
# onto /sbin: nothing outside the namespace sees either, and both vanish with it.
# Usage: mount_helper.sh IDSHIFT_BIN SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

idshift_bin=$(realpath "$1")
src_dir=$2

if [ -z "${IDSHIFT_PACKAGING_PRIVATE_NS:-}" ]; then
    [ "$(id -u)" -eq 0 ] || skip "needs root"
    [[ -c /dev/fuse && -w /dev/fuse ]] || skip "needs a writable /dev/fuse"
    [ -x /sbin/mount.fuse3 ] || skip "needs fuse3's /sbin/mount.fuse3"
    command -v unshare >/dev/null || skip "needs unshare(1)"
    IDSHIFT_PACKAGING_PRIVATE_NS=1 exec unshare --mount --propagation private -- bash "$0" "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idshift-mount.XXXXXX")
daemons=()
pid=
cleanup() {
    local target pid
    for target in $(findmnt --raw --noheadings --output TARGET |
        awk -v dir="$tmp/" 'index($0, dir) == 1' | sort -r); do
        umount --lazy "$target" || true
    done
    for pid in "${daemons[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- the namespace: the built binary first on the helpers' PATH, mount.idshift in /sbin --------
mkdir -p "$tmp/bin" "$tmp/sbin" "$tmp/src" "$tmp/mnt"
ln -s "$idshift_bin" "$tmp/bin/idshift"
mount --bind "$tmp/bin" /usr/local/sbin
cp "$src_dir/packaging/mount.idshift" "$tmp/sbin/"
sbin=$(realpath /sbin)
mount -t overlay overlay -o "lowerdir=$tmp/sbin:$sbin" "$sbin"
# libmount keeps a table of userspace mount options in /run/mount; keep ours out of the host's.
if [ -d /run/mount ]; then mount -t tmpfs tmpfs /run/mount; fi

# --- a volume: storage ids 100000.. are mount ids 0.. ------------------------------------------
src=$tmp/src mnt=$tmp/mnt map=$tmp/web.map
printf 'uid 0 100000 65536\ngid 0 100000 65536\n' >"$map"
echo stored >"$src/owned"
chown 100000:100005 "$src/owned"

# daemon_of MOUNTPOINT: the pid of the idshift serving it (its command line names it).
daemon_of() {
    local proc
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/exe" 2>/dev/null)" = "$idshift_bin" ] || continue
        tr '\0' '\n' <"$proc/cmdline" 2>/dev/null | grep -qx -- "$1" && basename "$proc"
    done
}

# mount_with WHAT COMMAND...: runs a mount command; sets pid to the daemon it started.
mount_with() {
    local what=$1 out
    shift
    # A daemon that never detaches would hang mount(8) for good; 30 s tells that apart.
    out=$(timeout 30 "$@" 2>&1) || fail "$what: '$*' failed (exit $?): $out"
    findmnt --mountpoint "$mnt" >/dev/null || fail "$what: nothing mounted on $mnt; output: $out"
    pid=$(daemon_of "$mnt")
    [ -n "$pid" ] || fail "$what: no process of $idshift_bin serves $mnt"
    daemons+=("$pid")
}

# expect_mounted WHAT: the mount's type, source and owners are right, and no idshift-only
# option is among its kernel options.
expect_mounted() {
    # [/volume]: the mount shows the volume entry of its FUSE superblock, never the FUSE root.
    expect_eq "$(findmnt --noheadings --output FSTYPE,SOURCE --mountpoint "$mnt")" \
        "fuse.idshift $src[/volume]" "$1: type and source"
    local info
    info=$(awk -v m="$mnt" '$5 == m' /proc/self/mountinfo)
    expect_not_contains "$info" "map=" "$1: mountinfo"
    expect_not_contains "$info" "cache=" "$1: mountinfo"
    expect_eq "$(stat -c %u:%g "$mnt/owned")" "0:5" "$1: owner of 'owned' through the mount"
    expect_eq "$(cat "$mnt/owned")" "stored" "$1: content of 'owned'"
}

# unmount_and_wait WHAT PID: umount(8), then the daemon must exit on its own.
unmount_and_wait() {
    umount "$mnt" || fail "$1: umount $mnt failed"
    ! findmnt --mountpoint "$mnt" >/dev/null || fail "$1: $mnt still mounted after umount"
    local tries=0
    while kill -0 "$2" 2>/dev/null; do
        tries=$((tries + 1))
        [ "$tries" -le 100 ] || fail "$1: idshift (pid $2) still running 10 s after umount"
        sleep 0.1
    done
}

# Scenarios 1-3 pin the FUSE backend (with the default, auto, this storage would get the kernel
# backend); 4 and 5 are the kernel backend through the same helpers.
# 1. mount -t fuse.idshift, with an idshift-only option (cache=) and mount.fuse3's dev,suid.
mount_with "-t fuse.idshift" mount -t fuse.idshift "$src" "$mnt" -o "map=$map,cache=none,backend=fuse"
expect_mounted "-t fuse.idshift"
vfs=$(findmnt --noheadings --output VFS-OPTIONS --mountpoint "$mnt")
expect_not_contains "$vfs" "nosuid" "-t fuse.idshift: mount.fuse3 adds suid"
expect_not_contains "$vfs" "nodev" "-t fuse.idshift: mount.fuse3 adds dev"
echo created >"$mnt/created"
expect_eq "$(stat -c %u:%g "$src/created")" "100000:100000" \
    "owner in storage of a file root created"
unmount_and_wait "-t fuse.idshift" "$pid"

# 2. An fstab line with nofail, which mount(8) keeps to itself.
printf '%s %s fuse.idshift map=%s,backend=fuse,nofail 0 0\n' "$src" "$mnt" "$map" >"$tmp/fstab"
mount_with "fstab" mount --fstab "$tmp/fstab" "$mnt"
expect_mounted "fstab"
unmount_and_wait "fstab" "$pid"

# 3. mount -t idshift, through mount.idshift; ro reaches the kernel.
mount_with "-t idshift" mount -t idshift "$src" "$mnt" -o "ro,map=$map,backend=fuse"
expect_mounted "-t idshift"
expect_contains ",$(findmnt --noheadings --output VFS-OPTIONS --mountpoint "$mnt")," ",ro," \
    "-t idshift: ro in the kernel's options"
if err=$(touch "$mnt/refused" 2>&1); then fail "-t idshift,ro: creating a file succeeded"; fi
expect_contains "$err" "Read-only file system" "-t idshift,ro: creating a file"
unmount_and_wait "-t idshift" "$pid"

# kernel_mount_with WHAT COMMAND...: a mount command that must leave an idmapped mount on $mnt and
# no idshift process behind (the kernel backend has no daemon).
kernel_mount_with() {
    local what=$1 out
    shift
    out=$(timeout 30 "$@" 2>&1) || fail "$what: '$*' failed (exit $?): $out"
    expect_contains ",$(findmnt --noheadings --output VFS-OPTIONS --mountpoint "$mnt")," \
        ",idmapped," "$what: an idmapped mount"
    [ -z "$(daemon_of "$mnt")" ] || fail "$what: an idshift process still runs for $mnt"
    expect_eq "$(stat -c %u:%g "$mnt/owned")" "0:5" "$what: owner of 'owned' through the mount"
    expect_eq "$(cat "$mnt/owned")" "stored" "$what: content of 'owned'"
    umount "$mnt" || fail "$what: umount $mnt failed"
    ! findmnt --mountpoint "$mnt" >/dev/null || fail "$what: $mnt still mounted after umount"
}

# 4. mount -t fuse.idshift with backend=kernel.
kernel_mount_with "-t fuse.idshift,backend=kernel" \
    mount -t fuse.idshift "$src" "$mnt" -o "map=$map,backend=kernel"
# 5. An fstab line with the default backend (auto): this storage takes the kernel backend.
printf '%s %s fuse.idshift map=%s,nofail 0 0\n' "$src" "$mnt" "$map" >"$tmp/fstab"
kernel_mount_with "fstab,backend=auto" mount --fstab "$tmp/fstab" "$mnt"

echo "ok: mount -t fuse.idshift, fstab with nofail, mount -t idshift and umount all work, on both backends"
