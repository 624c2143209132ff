#pragma once
// A test fixture, not a filesystem: a minimal low-level FUSE filesystem over one flat backing
// directory (no subdirectories, no readdir, no unlink) that uses the kext module exactly as the
// real filesystem is meant to: Connection::attach after mount, a BackingLease per open kept in the
// file handle, kext::reply_open / reply_create, and the KILLPRIV_V2 kill flags honoured with
// FsetidGuard. It runs libfuse's multi-threaded loop with clone_fd in a thread of the test process
// and counts what reaches it.

#include <fuse_lowlevel.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "idshift/kext/connection.hpp"

namespace idshift::fusell::kext::test {

struct TestFsConfig {
    Options kext;
    bool writeback_cache = false;        // ask for FUSE_CAP_WRITEBACK_CACHE in init()
    bool honour_kill_flags = true;       // clear suid/sgid where KILLPRIV_V2 asks (FsetidGuard)
    bool without_cap_sys_admin = false;  // loop threads lack CAP_SYS_ADMIN (effective set)
};

class TestFs {
  public:
    // Mounts `backing_dir` on `mountpoint` (allow_other, plus default_permissions when
    // config.kext.default_permissions) and waits until INIT has been negotiated.
    TestFs(const std::string& backing_dir, const std::string& mountpoint, TestFsConfig config);
    ~TestFs();
    TestFs(const TestFs&) = delete;
    TestFs& operator=(const TestFs&) = delete;

    Connection& kext() { return connection_; }

    // Waits until `count` RELEASE requests have been handled in total (RELEASE is asynchronous
    // to close(2)). False if that does not happen within a minute: a hang guard, not a timing.
    bool wait_releases(std::uint64_t count);

    // The backing id each OPEN/CREATE replied with, in order.
    std::vector<int> open_backing_ids() const;
    // The to_set of every SETATTR.
    std::vector<int> setattr_masks() const;
    // The inode number the filesystem gave `name` (0 if never looked up).
    fuse_ino_t ino_of(const std::string& name) const;

    std::atomic<std::uint64_t> capability_getxattrs{0};  // GETXATTR of security.capability
    std::atomic<std::uint64_t> kill_flag_requests{0};    // OPEN/CREATE/WRITE with a kill flag

    struct Impl;  // the operations; test_fs.cpp

  private:
    friend struct Impl;
    void start();
    void stop() noexcept;

    struct Node {
        std::string name;
        int path_fd = -1;  // O_PATH
    };

    TestFsConfig config_;
    std::string mountpoint_;
    int root_fd_ = -1;
    Connection connection_;
    fuse_session* session_ = nullptr;
    bool mounted_ = false;
    std::thread loop_;

    mutable std::mutex mutex_;  // guards everything below; never held across a fuse_reply_*
    std::condition_variable changed_;
    std::vector<Node> nodes_;  // inode number = index + 1; nodes_[0] is the root
    std::map<std::string, fuse_ino_t> by_name_;
    std::vector<int> open_ids_;
    std::vector<int> setattr_masks_;
    std::uint64_t opens_replied_ = 0;
    std::uint64_t releases_ = 0;
    bool negotiated_ = false;
};

}  // namespace idshift::fusell::kext::test
