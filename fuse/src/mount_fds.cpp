#include "mount_fds.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <mutex>

namespace idshift::fusell {

int MountFds::find(int mount_id) const {
    std::shared_lock lock(mutex_);
    auto it = fds_.find(mount_id);
    return it == fds_.end() ? -1 : it->second.get();
}

bool MountFds::handles_reliable(int inode_fd) noexcept {
    struct statfs fs {};
    if (::fstatfs(inode_fd, &fs) != 0) return false;
    return fs.f_type != FUSE_SUPER_MAGIC;
}

bool MountFds::learn(int mount_id, int inode_fd, mode_t type) {
    {
        std::shared_lock lock(mutex_);
        if (auto it = fds_.find(mount_id); it != fds_.end()) return static_cast<bool>(it->second);
    }
    // Syscalls, all outside the lock.
    sys::UniqueFd fd;
    if (!handles_reliable(inode_fd)) {
        // Recorded as a mount without usable handles (an empty fd).
    } else if (S_ISDIR(type) || S_ISREG(type)) {
        auto opened =
            sys::reopen(inode_fd, O_RDONLY | O_NONBLOCK | (S_ISDIR(type) ? O_DIRECTORY : 0));
        if (!opened) return false;  // perhaps later, through another inode or caller
        fd = std::move(*opened);
    } else {
        return false;  // opening a device or FIFO could have effects of its own
    }
    std::unique_lock lock(mutex_);
    // When a racing request recorded the mount first, its answer stands; our fd closes on return,
    // after the lock (it was declared before it).
    auto [it, inserted] = fds_.try_emplace(mount_id, std::move(fd));
    return static_cast<bool>(it->second);
}

}  // namespace idshift::fusell
