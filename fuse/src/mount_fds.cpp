#include "mount_fds.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <mutex>

namespace idshift::fusell {

int MountFds::find(int mount_id) const {
    std::shared_lock lock(mutex_);
    auto it = fds_.find(mount_id);
    return it == fds_.end() ? -1 : it->second.get();
}

bool MountFds::learn(int mount_id, int inode_fd, mode_t type) {
    if (find(mount_id) >= 0) return true;
    int flags = O_RDONLY | O_NONBLOCK;
    if (S_ISDIR(type)) {
        flags |= O_DIRECTORY;
    } else if (!S_ISREG(type)) {
        return false;  // opening a device or FIFO could have effects of its own
    }
    auto fd = sys::reopen(inode_fd, flags);  // a syscall: outside the lock
    if (!fd) return false;
    std::unique_lock lock(mutex_);
    // When a racing request recorded one first, ours closes on return, after the lock (it was
    // declared before it).
    fds_.try_emplace(mount_id, std::move(*fd));
    return true;
}

}  // namespace idshift::fusell
