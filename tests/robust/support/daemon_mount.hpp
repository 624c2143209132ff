#pragma once
// One mount of a backing directory, served by the daemon under test, for the lifetime of the
// object. With Target::native there is no daemon: root() is the backing directory itself.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "id_table.hpp"
#include "suite_env.hpp"

namespace idshift::robust {

struct MountOptions {
    std::string cache = "auto";          // idshift's cache=none|auto|always
    bool dev = false;                    // honour device nodes (idshift -o dev)
    std::vector<std::string> extra_env;  // NAME=value pairs added to the daemon's environment
};

class DaemonMount {
  public:
    // Writes `ids` as the map file `state_dir`/map, starts the daemon in the foreground with its
    // output in `state_dir`/daemon.log, and returns once the kernel lists the mount and a stat of
    // it answers. Throws std::runtime_error (with the log) when the daemon exits or the mount
    // does not appear within 20 s.
    DaemonMount(const SuiteEnv& env, std::filesystem::path backing,
                std::filesystem::path mountpoint, std::filesystem::path state_dir,
                const IdTable& ids, MountOptions options = {});
    ~DaemonMount();
    DaemonMount(const DaemonMount&) = delete;
    DaemonMount& operator=(const DaemonMount&) = delete;

    // Where callers operate: the mount point, or the backing directory for Target::native.
    const std::filesystem::path& root() const;
    const std::filesystem::path& backing() const { return backing_; }
    const std::filesystem::path& map_file() const { return map_file_; }
    pid_t pid() const { return pid_; }

    // True while the daemon process has not exited (reaps it once it has).
    bool daemon_running();
    // SIGKILL, then reap. The mount stays behind, disconnected.
    void kill_daemon();
    // Replaces the map file atomically (write + rename), then sends SIGHUP.
    void reload(const std::string& map_text);
    std::string log_text() const;
    // The last `lines` lines of the log, or its sanitizer report if it has one.
    std::string log_tail(std::size_t lines) const;

    // SIGTERM and wait up to 10 s for the daemon to unmount and exit. Falls back to SIGKILL and
    // `fusermount3 -u -z`. Returns true only for the clean path: exit status 0, mount gone. On
    // any other path (including a daemon that had died by itself) prints the end of its log.
    bool unmount();
    // `fusermount3 -u` (not lazy) of a mount whose daemon is gone; true when it succeeded and the
    // mount point is no longer listed.
    bool fusermount_unmount();

  private:
    void start();
    std::vector<std::string> command_line() const;
    void wait_until_mounted();
    bool wait_for_exit(int seconds);
    bool unmount_once();

    SuiteEnv env_;
    std::filesystem::path backing_;
    std::filesystem::path mountpoint_;
    std::filesystem::path map_file_;
    std::filesystem::path log_file_;
    MountOptions options_;
    pid_t pid_ = -1;
    int exit_status_ = -1;
    bool killed_ = false;  // kill_daemon() was called: its death is not news
    // The first unmount()'s result; the destructor's call after an explicit one repeats it
    // instead of reporting the daemon it already stopped as one that died by itself.
    std::optional<bool> unmounted_;
    std::string bindfs_map_;
};

}  // namespace idshift::robust
