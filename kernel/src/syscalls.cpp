#include "syscalls.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace idshift::kernel::sysc {

int open_tree(int dir_fd, const char* path, unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_open_tree, dir_fd, path, flags));
}

int mount_setattr(int dir_fd, const char* path, unsigned flags, mount_attr* attr) noexcept {
    return static_cast<int>(::syscall(SYS_mount_setattr, dir_fd, path, flags, attr, sizeof *attr));
}

int move_mount(int from_dir, const char* from_path, int to_dir, const char* to_path,
               unsigned flags) noexcept {
    return static_cast<int>(::syscall(SYS_move_mount, from_dir, from_path, to_dir, to_path, flags));
}

}  // namespace idshift::kernel::sysc
