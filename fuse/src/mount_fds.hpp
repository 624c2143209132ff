#pragma once
// One fd per backing mount seen under the source directory: open_by_handle_at needs an fd on the
// mount a handle belongs to (handles carry the mount id). Written once per mount, read by every
// reopen, hence a shared mutex.
#include <map>
#include <shared_mutex>

#include "sys.hpp"

namespace idshift::fusell {

class MountFds {
  public:
    // An fd on mount `mount_id`, or -1 when none was recorded.
    int find(int mount_id) const;
    // Records `fd` (on mount `mount_id`) unless one is known already.
    void add(int mount_id, sys::UniqueFd fd);

  private:
    mutable std::shared_mutex mutex_;  // leaf
    std::map<int, sys::UniqueFd> fds_;
};

}  // namespace idshift::fusell
