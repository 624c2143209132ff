#pragma once
// The new mount API through syscall(2): glibc 2.36 has no wrappers for these. Each returns what
// the syscall returns (-1 with errno on failure). Both backends use them: the kernel backend to
// build an idmapped mount, the FUSE backend to build its superblock detached and move its volume
// into place.
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

// Newer than the uapi headers of the build machine; the values are the kernel's ABI.
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif

namespace idshift::sys {

inline int open_tree(int dir_fd, const char* path, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_open_tree, dir_fd, path, flags));
}

inline int mount_setattr(int dir_fd, const char* path, unsigned flags, mount_attr* attr) noexcept {
    return static_cast<int>(::syscall(SYS_mount_setattr, dir_fd, path, flags, attr, sizeof *attr));
}

inline int move_mount(int from_dir, const char* from_path, int to_dir, const char* to_path,
                      unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_move_mount, from_dir, from_path, to_dir, to_path, flags));
}

inline int fsopen(const char* fs_name, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_fsopen, fs_name, flags));
}

inline int fsconfig(int fs_fd, unsigned command, const char* key, const void* value,
                    int aux) noexcept {
    return static_cast<int>(::syscall(SYS_fsconfig, fs_fd, command, key, value, aux));
}

inline int fsmount(int fs_fd, unsigned flags, unsigned attr_flags) noexcept {
    return static_cast<int>(::syscall(SYS_fsmount, fs_fd, flags, attr_flags));
}

// The per-mount flags a mount honours, defaulting as FUSE mounts do (nosuid, nodev).
struct MountFlags {
    bool read_only = false;
    bool nosuid = true;
    bool nodev = true;
    bool noexec = false;
    bool noatime = false;
    bool nodiratime = false;
    bool strictatime = false;
};

// `flags` as mount_setattr wants them. Setting an atime mode needs the whole atime field cleared
// in the same call (MOUNT_ATTR__ATIME).
inline mount_attr mount_attributes(const MountFlags& flags) noexcept {
    mount_attr attr{};
    if (flags.read_only) attr.attr_set |= MOUNT_ATTR_RDONLY;
    if (flags.nosuid) attr.attr_set |= MOUNT_ATTR_NOSUID;
    if (flags.nodev) attr.attr_set |= MOUNT_ATTR_NODEV;
    if (flags.noexec) attr.attr_set |= MOUNT_ATTR_NOEXEC;
    if (flags.nodiratime) attr.attr_set |= MOUNT_ATTR_NODIRATIME;
    if (flags.noatime) {
        attr.attr_set |= MOUNT_ATTR_NOATIME;
    } else if (flags.strictatime) {
        attr.attr_set |= MOUNT_ATTR_STRICTATIME;
    }
    if (attr.attr_set & (MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME))
        attr.attr_clr = MOUNT_ATTR__ATIME;
    return attr;
}

}  // namespace idshift::sys
