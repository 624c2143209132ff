# shellcheck shell=bash
# The storage below every contender (--storage): the scratch ext4 image (ext4, the default), a
# tmpfs, a GlusterFS volume or sshfs to a throwaway sshd, or a directory the user names. The
# GlusterFS volume and the sshd are the storage tests' own fixtures (tests/storage/lib/gluster.sh,
# tests/e2e/lib/sshd.sh): one brick in a network namespace of its own, sshd on 127.0.0.1 with a
# root login (perf/run needs root's chown on the storage). Sourced by perf/run.

readonly storage_kinds=(ext4 tmpfs gluster sshfs)
tmpfs_mounted=0

# The fixtures' own basics (e2e_defer, e2e_wait_until, ...), without the exit traps of the tests'
# lib/common.sh: perf/run's cleanup runs what they deferred (stop_storage).
# shellcheck source=../../tests/e2e/lib/fixture_basics.sh
. "$repo_dir/tests/e2e/lib/fixture_basics.sh"

# The tools each kind of storage needs, besides perf/run's own.
storage_tools() {
    case "$storage_kind" in
        ext4) echo mkfs.ext4 losetup ;;
        gluster) echo glusterd glusterfs gluster ip nsenter unshare ;;
        sshfs) echo sshfs ssh ssh-keygen /usr/sbin/sshd fusermount3 ;;
    esac
}

# Sets storage_kind (ext4, tmpfs, gluster, sshfs or dir) from --storage; a directory is given as
# a path (anything with a "/").
parse_storage_option() {
    storage_kind=ext4
    [[ -n $opt_storage ]] || return 0
    if [[ " ${storage_kinds[*]} " == *" $opt_storage "* ]]; then
        storage_kind=$opt_storage
        return 0
    fi
    [[ $opt_storage == */* ]] ||
        die "--storage $opt_storage: not one of ${storage_kinds[*]}; give a directory as a path (./$opt_storage)"
    [[ -d $opt_storage ]] || die "--storage $opt_storage is not a directory"
    opt_storage=$(cd "$opt_storage" && pwd)
    storage_kind=dir
}

# Starts the storage and sets storage_root, the directory the backing directory is made in (empty
# for the scratch ext4 image, which make_backing makes itself).
start_storage() {
    storage_root=""
    case "$storage_kind" in
        dir) storage_root=$opt_storage ;;
        tmpfs)
            mkdir -p "$scratch/tmpfs"
            mount -t tmpfs -o "size=$image_bytes,mode=0755" perf-tmpfs "$scratch/tmpfs"
            tmpfs_mounted=1
            storage_root=$scratch/tmpfs
            ;;
        gluster)
            # shellcheck source=../../tests/storage/lib/gluster.sh
            . "$repo_dir/tests/storage/lib/gluster.sh"
            GL_TIMEOUT=$((24 * 3600))  # a full run outlasts the tests' bound; cleanup stops it
            gl_start "$scratch/gl"
            gl_mount "$scratch/gluster"
            storage_root=$scratch/gluster
            ;;
        sshfs)
            E2E_SSH_LOGIN=root
            E2E_SSHD_TIMEOUT=$((24 * 3600))
            # shellcheck source=../../tests/e2e/lib/sshd.sh
            . "$repo_dir/tests/e2e/lib/sshd.sh"
            install -d -m 0755 "$scratch/export"
            e2e_start_sshd "$scratch/sshd" "$scratch/export"
            e2e_sshfs_mount "$scratch/sshd" "$scratch/export" "$scratch/sshfs"
            storage_root=$scratch/sshfs
            ;;
    esac
}

# What run.json calls the storage.
describe_storage() {
    case "$storage_kind" in
        ext4) echo "scratch ext4 image" ;;
        tmpfs) echo "scratch tmpfs" ;;
        gluster) echo "GlusterFS volume, one brick in a network namespace" ;;
        sshfs) echo "sshfs to sshd on 127.0.0.1 (root login)" ;;
        dir) echo "$opt_storage" ;;
    esac
}

# Undoes start_storage: the fixtures' cleanups (client unmounts first, then the servers), then
# the tmpfs. Each step goes on even if an earlier one failed.
stop_storage() {
    local i
    for ((i = ${#E2E_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${E2E_CLEANUPS[i]}" || echo "perf/run: cleanup failed: ${E2E_CLEANUPS[i]}" >&2
    done
    E2E_CLEANUPS=()
    if ((tmpfs_mounted)); then
        umount "$scratch/tmpfs" && tmpfs_mounted=0 ||
            echo "perf/run: could not unmount $scratch/tmpfs" >&2
    fi
}
