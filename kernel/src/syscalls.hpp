#pragma once
// The new mount API through syscall(2): glibc 2.36 has no wrappers for open_tree, mount_setattr
// or move_mount. Each returns what the syscall returns (-1 with errno on failure).
#include <linux/mount.h>

// Newer than the uapi headers of the build machine; the values are the kernel's ABI.
#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200
#endif

namespace idshift::kernel::sysc {

int open_tree(int dir_fd, const char* path, unsigned flags) noexcept;
int mount_setattr(int dir_fd, const char* path, unsigned flags, mount_attr* attr) noexcept;
int move_mount(int from_dir, const char* from_path, int to_dir, const char* to_path,
               unsigned flags) noexcept;

}  // namespace idshift::kernel::sysc
