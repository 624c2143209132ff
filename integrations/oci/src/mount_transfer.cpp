#include "idshift/oci/mount_transfer.hpp"
#include "idshift/sys/errno.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace idshift::oci {

int make_private_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return ec.value();
    struct statx st {};
    if (::statx(AT_FDCWD, dir.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) != 0)
        return errno;
    const bool mount_root = (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
                            (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    if (!mount_root && ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0)
        return errno;
    // Again on every start: it costs nothing and mends a directory someone made shared.
    if (::mount(nullptr, dir.c_str(), nullptr, MS_PRIVATE, nullptr) != 0) return errno;
    return 0;
}

sys::UniqueFd clone_mount(const std::string& path) {
    const long fd = ::syscall(SYS_open_tree, AT_FDCWD, path.c_str(),
                              OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
    return sys::UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
}

int attach_in_namespace(const sys::UniqueFd& tree, int pid, const std::string& target) {
    const sys::UniqueFd ns(
        ::open(("/proc/" + std::to_string(pid) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) return errno;
    // setns(CLONE_NEWNS) needs a process that shares its filesystem context with no thread, and
    // the hook must not itself stay in the container's namespace: a child does it.
    const pid_t child = ::fork();
    if (child < 0) return errno;
    if (child == 0) {
        if (::setns(ns.get(), CLONE_NEWNS) != 0) ::_exit(errno);
        const long rc = ::syscall(SYS_move_mount, tree.get(), "", AT_FDCWD, target.c_str(),
                                  MOVE_MOUNT_F_EMPTY_PATH);
        ::_exit(sys::errno_of(rc));
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) return errno;
    }
    if (!WIFEXITED(status)) return ECHILD;
    return WEXITSTATUS(status);
}

}  // namespace idshift::oci
