#pragma once
// On storage without file handles (GlusterFS, sshfs, overlayfs) every node the kernel holds keeps
// an O_PATH fd, and the kernel lets go of nodes only under memory pressure: one walk over a large
// tree would run the daemon out of fds (EMFILE on every new name). This thread keeps them in check.
// Above half the fd limit it asks the kernel (FUSE_NOTIFY_PRUNE) to drop the pinned nodes unused
// longest, down to three eighths; the kernel drops those nothing uses and FORGETs them, which
// closes their fds. A node in use (an open file, a cwd, a mount on it) stays. The filesystem wakes
// the thread as the count crosses the mark, and when an open fails with EMFILE; it also looks
// every 50 ms.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "idshift/fusell/filesystem.hpp"

namespace idshift::daemon {

class FdKeeper {
  public:
    // `dev_fd` is the session's /dev/fuse fd; `fd_limit` the soft RLIMIT_NOFILE.
    FdKeeper(fusell::Filesystem& fs, int dev_fd, std::size_t fd_limit);
    ~FdKeeper();  // stops the thread and waits for it
    FdKeeper(const FdKeeper&) = delete;
    FdKeeper& operator=(const FdKeeper&) = delete;

  private:
    void run();
    // One check; false when pruning cannot work here and the thread should end.
    bool keep_in_check();

    fusell::Filesystem& fs_;
    const int dev_fd_;
    const std::size_t high_;
    const std::size_t low_;
    std::size_t pruned_since_log_ = 0;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<bool> pressure_{false};  // set by the filesystem's hook, without the mutex
    std::thread thread_;
};

}  // namespace idshift::daemon
