#pragma once
// The probe makes and removes a directory in SOURCE's root, and each of those bumps the root's
// mtime and ctime. A user expects mounting to change nothing they can see, so the probe puts the
// root's atime and mtime back afterwards. The ctime cannot be put back: no syscall sets it, and
// setting the other two is itself a change of the inode, so the root's ctime stays the time of
// the mount's probe.
#include <sys/stat.h>

namespace idshift::fusell::storage {

class RootTimes {
  public:
    // Remembers the times of the directory `dir_fd` (any fd, O_PATH too) before the probe.
    explicit RootTimes(int dir_fd) noexcept;
    // Call right after the probe made its directory: the mtime the probe itself produced.
    void probe_made() noexcept;
    // Call right before the probe removes its directory: if the mtime moved since probe_made(),
    // someone else changed the root meanwhile, and their change is not undone.
    void probe_removing() noexcept;
    // Call right after the removal: puts the old atime and mtime back when the root's mtime is
    // still the one the probe's own removal produced. Returns 0, or why the times stay.
    int restore() noexcept;

  private:
    int dir_fd_;
    bool known_ = false;      // the times before the probe were read
    bool only_probe_ = true;  // nobody but the probe changed the root since
    struct timespec atime_ {};
    struct timespec mtime_ {};
    struct timespec made_ {};  // the mtime after the probe's mkdir
};

}  // namespace idshift::fusell::storage
