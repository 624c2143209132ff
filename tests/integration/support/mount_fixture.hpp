#pragma once
// Mounting a real idshift for a test: a daemon in the foreground on a backing directory, with its
// stderr in a log that the runner prints when the test fails, unmounted and reaped on
// destruction.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/standard_map.hpp"
#include "support/temp_dir.hpp"

namespace idshift::itest {

struct MountOptions {
    // The map file's text; empty means no map= option (inline uidmap=/gidmap= in `options`).
    std::string map{kStandardMap};
    // More -o options, each one "name" or "name=value": "cache=none", "ro", "dev", ...
    // Without a "backend=" among them the mount is pinned to test_backend().
    std::vector<std::string> options;
};

// The backend a mount without its own backend= option gets: "fuse", unless the suite is
// registered to run on the kernel backend too (IDSHIFT_TEST_BACKEND=kernel). Never "auto": a
// FUSE-only test must not quietly run on an idmapped mount where the storage supports one.
std::string test_backend();
// test_backend() == "kernel": for the places where the kernel backend differs by nature.
bool kernel_backend();

// How a daemon ended, for assertions and messages.
struct DaemonExit {
    int wait_status = 0;
    bool clean() const noexcept;     // exited with code 0
    int exit_code() const noexcept;  // -1 when a signal ended it
    std::string describe() const;
};

// One idshift daemon serving `source` on a fresh mount point.
class Mount {
  public:
    // Spawns `$IDSHIFT_BIN source MNT -f -o map=FILE[,options]` and returns once MNT is listed in
    // /proc/self/mountinfo as fuse.idshift. Throws (with the daemon's log) if the daemon exits
    // first or the mount does not appear within a generous bound. On the kernel backend idshift
    // exits once the idmapped mount is attached: it must exit 0 with the mount in place.
    Mount(std::string source, MountOptions options = {});
    Mount(const Mount&) = delete;
    Mount& operator=(const Mount&) = delete;
    // Unmounts (fusermount3 -u, then SIGTERM, lazy unmount as the last resort), reaps the daemon
    // and fails the running test if the daemon did not exit cleanly, unless the test collected
    // its exit itself with wait_daemon().
    ~Mount();

    const std::string& source() const noexcept { return source_; }
    const std::string& path() const noexcept { return mount_point_; }
    // path() + "/" + relative; an empty `relative` gives path().
    std::string at(std::string_view relative) const;
    const std::string& map_path() const noexcept { return map_path_; }
    pid_t daemon_pid() const noexcept { return pid_; }

    // Writes a new map file atomically (a rename), for SIGHUP reload tests.
    void replace_map(std::string_view text) const;
    void signal(int signal_number) const;
    std::string log() const;
    bool mounted() const;
    // fusermount3 -u [-z]; throws with fusermount3's output when it fails.
    void unmount(bool lazy = false) const;
    // Waits (bounded) for the daemon to exit and returns how it ended.
    DaemonExit wait_daemon();
    // Whether the daemon process is still running (not yet reaped).
    bool daemon_running();

  private:
    void stop() noexcept;

    std::string source_;
    TempDir work_;
    std::string mount_point_;
    std::string map_path_;
    std::string log_path_;
    pid_t pid_ = -1;
    bool kernel_ = false;  // backend=kernel: no daemon, an idmapped mount
    std::optional<DaemonExit> exit_;
    bool exit_checked_by_test_ = false;
};

// A backing directory of its own plus one mount of it: the common case.
class Volume {
  public:
    explicit Volume(MountOptions options = {});

    // Backing (storage-side) path of `relative`; "" gives the backing directory itself.
    std::string src(std::string_view relative = {}) const { return backing_.at(relative); }
    // Mount-side path of `relative`; "" gives the mount point.
    std::string mnt(std::string_view relative = {}) const { return mount_.at(relative); }
    Mount& mount() noexcept { return mount_; }

  private:
    TempDir backing_;
    Mount mount_;
};

// For configurations the daemon must refuse: runs it on `source`, waits for it to exit and returns
// its exit and log. If it mounts instead, the mount is torn down and the result says so.
struct RefusedStart {
    DaemonExit exit;
    std::string log;
    bool mounted = false;
};
RefusedStart run_daemon_expecting_refusal(const std::string& source, const MountOptions& options);

}  // namespace idshift::itest
