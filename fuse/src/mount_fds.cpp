#include "mount_fds.hpp"

#include <mutex>

namespace idshift::fusell {

int MountFds::find(int mount_id) const {
    std::shared_lock lock(mutex_);
    auto it = fds_.find(mount_id);
    return it == fds_.end() ? -1 : it->second.get();
}

void MountFds::add(int mount_id, sys::UniqueFd fd) {
    std::unique_lock lock(mutex_);
    // When already known, `fd` closes on return, after the lock (a parameter outlives locals).
    fds_.try_emplace(mount_id, std::move(fd));
}

}  // namespace idshift::fusell
